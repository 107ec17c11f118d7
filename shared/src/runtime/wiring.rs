//! The composition root: builds the real adapters (DynamoDB, Secrets Manager, EventBridge, Microsoft over HTTP)
//! once per container and hands them to the domain.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;

use crate::adapters::change_feed::dynamo_subscriptions::DynamoSubscriptions;
use crate::adapters::events::eventbridge_publisher::EventBridgePublisher;
use crate::adapters::operations::graph_preconnect::GraphPreconnect;
use crate::adapters::operations::ms_graph_client::MsGraphClient;
use crate::adapters::retrying_sender::RetryingSender;
use crate::adapters::settings::secrets_manager_settings::SecretsManagerSettings;
use crate::adapters::tokens::dynamo_token_store::DynamoTokenStore;
use crate::adapters::tokens::ms_identity_platform::MsIdentityPlatform;
use crate::change_feed::store::SubscriptionStore;
use crate::events::publisher::EventPublisher;
use crate::operations::executor::Executor;
use crate::operations::first_call::Preconnect;
use crate::operations::graph_api::GraphApi;
use crate::operations::identity_resolver::IdentityResolver;
use crate::operations::read_ahead::ReadAheadStore;
use crate::settings::provider::{SettingsProvider, SettingsSource};
use crate::tokens::app_tokens::AppTokens;
use crate::tokens::delegated_tokens::DelegatedTokens;
use crate::tokens::identity_platform::IdentityPlatform;
use crate::tokens::store::TokenStore;

use crate::runtime::config::Config;

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

/// The real adapters, built once per container.
#[derive(Clone)]
pub struct Adapters {
    /// DynamoDB token store.
    pub store: Arc<dyn TokenStore>,
    /// The change feed's subscription records in the same table.
    pub subscription_store: Arc<dyn SubscriptionStore>,
    /// Microsoft identity platform.
    pub identity_platform: Arc<dyn IdentityPlatform>,
    /// Microsoft Graph.
    pub graph: Arc<dyn GraphApi>,
    /// Settings secret in Secrets Manager.
    pub settings_source: Arc<dyn SettingsSource>,
    /// Opens the connection to Graph, on the pool Graph requests use.
    pub graph_preconnect: Arc<dyn Preconnect>,
    /// The application's EventBridge bus, when `EVENT_BUS_NAME` names one.
    pub events: Option<Arc<dyn EventPublisher>>,
}

impl Adapters {
    /// Builds the adapters from the function's configuration and the AWS SDK configuration.
    pub fn new(config: &Config, aws: &SdkConfig) -> Self {
        let sender = RetryingSender::new(http_client());
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        Self {
            store: Arc::new(DynamoTokenStore::new(
                dynamodb.clone(),
                &config.table_name,
                config.keeper_schedule,
            )),
            subscription_store: Arc::new(DynamoSubscriptions::new(
                dynamodb,
                &config.table_name,
                config.keeper_schedule.shards,
            )),
            identity_platform: Arc::new(MsIdentityPlatform::new(
                sender.clone(),
                config.login_base_url.as_str(),
            )),
            graph_preconnect: Arc::new(GraphPreconnect::new(
                sender.client().clone(),
                &config.graph_base_url,
            )),
            graph: Arc::new(MsGraphClient::new(sender, config.graph_base_url.clone())),
            settings_source: Arc::new(SecretsManagerSettings::new(
                aws_sdk_secretsmanager::Client::new(aws),
                &config.settings_secret_id,
            )),
            events: config.event_bus_name.as_deref().map(|bus| {
                Arc::new(EventBridgePublisher::new(
                    aws_sdk_eventbridge::Client::new(aws),
                    bus,
                )) as Arc<dyn EventPublisher>
            }),
        }
    }

    /// The executor of operations over these adapters.
    pub fn executor(&self, config: &Config) -> Executor {
        let read_ahead = Arc::new(ReadAheadStore::new(self.store.clone()));
        let store: Arc<dyn TokenStore> = read_ahead.clone();
        Executor {
            settings: SettingsProvider::new(self.settings_source.clone(), config.settings_ttl),
            app_tokens: AppTokens::new(
                store.clone(),
                self.identity_platform.clone(),
                config.token_cache_ttl,
            ),
            delegated_tokens: DelegatedTokens::new(
                store.clone(),
                self.identity_platform.clone(),
                config.token_cache_ttl,
            )
            .with_link_events(self.link_events(config))
            .with_subscriptions(self.subscription_store.clone()),
            resolver: IdentityResolver::new(store, config.token_cache_ttl),
            graph: self.graph.clone(),
            read_ahead,
            preconnect: self.graph_preconnect.clone(),
        }
    }
}
