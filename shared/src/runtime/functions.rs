//! Which handler a function name gets, over the real adapters: every function the bundle deploys
//! is named here or in the operations catalog.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_runtime::Error;

use crate::adapters::keeper::dynamo_due_links::DynamoDueLinks;
use crate::change_feed::functions::{self as change_feed, GRAPH_NOTIFICATIONS};
use crate::keeper::token_keeper::TokenKeeper;
use crate::operations::catalog;
use crate::runtime::cache_clear_handler::CacheClearHandler;
use crate::runtime::config::Config;
use crate::runtime::handler::Handler;
use crate::runtime::keeper_handler::KeeperHandler;
use crate::runtime::notifications_handler::NotificationsHandler;
use crate::runtime::operation_handler::OperationHandler;
use crate::runtime::sign_in_handler::SignInHandler;
use crate::runtime::subscriptions_handler::SubscriptionsHandler;
use crate::runtime::wiring::Adapters;
use crate::settings::provider::SettingsProvider;
use crate::sign_in::functions;
use crate::tokens::app_tokens::AppTokens;
use crate::tokens::delegated_tokens::DelegatedTokens;

/// The scheduled token keeper.
pub const TOKEN_KEEPER: &str = "token-keeper";
/// The operator call that drops the cached application token.
pub const CACHE_CLEAR: &str = "cache-clear";

/// The handler of the function `name`, built once per container.
pub fn handler_for(
    name: &str,
    config: &Config,
    aws: &SdkConfig,
) -> Result<Box<dyn Handler>, Error> {
    let adapters = Adapters::new(config, aws);
    let settings = || SettingsProvider::new(adapters.settings_source.clone(), config.settings_ttl);
    if let Some(operation) = catalog::find(name) {
        return Ok(Box::new(OperationHandler {
            operation,
            executor: adapters.executor(config),
            jwt_rules: config.jwt_rules.clone(),
        }));
    }
    if name == GRAPH_NOTIFICATIONS {
        return Ok(Box::new(NotificationsHandler::new(
            adapters.notification_receiver(config),
        )));
    }
    if change_feed::find(name).is_some()
        && let Some(handler) = SubscriptionsHandler::new(
            name,
            adapters.subscriptions(config),
            config.jwt_rules.clone(),
        )
    {
        return Ok(Box::new(handler));
    }
    if let Some(function) = functions::find(name) {
        return Ok(Box::new(SignInHandler::new(
            function, &adapters, config, aws,
        )?));
    }
    match name {
        TOKEN_KEEPER => Ok(Box::new(KeeperHandler {
            settings: settings(),
            keeper: TokenKeeper::new(
                DelegatedTokens::new(
                    adapters.store.clone(),
                    adapters.identity_platform.clone(),
                    config.token_cache_ttl,
                )
                .with_link_events(adapters.link_events(config))
                .with_subscriptions(adapters.subscription_store.clone()),
                Arc::new(DynamoDueLinks::new(
                    aws_sdk_dynamodb::Client::new(aws),
                    &config.table_name,
                )),
                config.keeper_schedule,
                config.keeper_concurrency,
            ),
            shard_count: config.keeper_schedule.shards,
            renewal: adapters.subscription_renewal(config),
        })),
        CACHE_CLEAR => Ok(Box::new(CacheClearHandler {
            settings: settings(),
            app_tokens: AppTokens::new(
                adapters.store.clone(),
                adapters.identity_platform.clone(),
                config.token_cache_ttl,
            ),
        })),
        _ => Err(format!("`{name}` is not a function of this bundle").into()),
    }
}
