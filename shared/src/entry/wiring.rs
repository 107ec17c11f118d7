//! The composition root: builds the real adapters (DynamoDB, Secrets Manager, Microsoft over HTTP)
//! once per container and hands them to the domain.

use std::sync::Arc;
use std::time::Duration;

use crate::adapters::dynamo_token_store::DynamoTokenStore;
use crate::adapters::ms_graph_client::MsGraphClient;
use crate::adapters::ms_identity_platform::MsIdentityPlatform;
use crate::adapters::retrying_sender::RetryingSender;
use crate::adapters::secrets_manager_settings::SecretsManagerSettings;
use crate::domain::app_tokens::AppTokens;
use crate::domain::delegated_tokens::DelegatedTokens;
use crate::domain::executor::Executor;
use crate::domain::identity_resolver::IdentityResolver;
use crate::domain::keeper_schedule::KeeperSchedule;
use crate::domain::settings_provider::SettingsProvider;
use crate::domain::token_store::TokenStore;

use super::config::Config;

/// The HTTP client every request to Microsoft goes through (one connection pool per container).
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(55))
        .user_agent(concat!(
            "graph-lambda-functions/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .expect("the HTTP client configuration is static and valid")
}

/// Builds the executor over the real adapters.
pub async fn build_executor(config: &Config) -> Executor {
    let aws = aws_config::load_from_env().await;
    let store: Arc<dyn TokenStore> = Arc::new(DynamoTokenStore::new(
        aws_sdk_dynamodb::Client::new(&aws),
        &config.table_name,
        KeeperSchedule::default(),
    ));
    let source = Arc::new(SecretsManagerSettings::new(
        aws_sdk_secretsmanager::Client::new(&aws),
        &config.settings_secret_id,
    ));
    let sender = RetryingSender::new(http_client());
    let platform = Arc::new(MsIdentityPlatform::new(
        sender.clone(),
        config.login_base_url.as_str(),
    ));
    Executor {
        settings: SettingsProvider::new(source, config.settings_ttl),
        app_tokens: AppTokens::new(store.clone(), platform.clone(), config.token_cache_ttl),
        delegated_tokens: DelegatedTokens::new(store.clone(), platform, config.token_cache_ttl),
        resolver: IdentityResolver::new(store, config.token_cache_ttl),
        graph: Arc::new(MsGraphClient::new(sender, config.graph_base_url.clone())),
    }
}
