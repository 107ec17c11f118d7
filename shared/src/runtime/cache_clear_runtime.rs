//! What the `cache-clear` binary runs: an operator call (direct invocation, any event, e.g. `{}`)
//! that deletes the cached application token of the app in the settings from the table, answering
//! `{"status": 200, "body": {"deleted": ["apptoken#<appTenantId>#<clientId>"]}}`. Every container
//! stops using the cleared token within its `TOKEN_CACHE_TTL_SECONDS`: then it reads the table,
//! finds nothing, and fetches a new token.

use std::sync::Arc;
use std::time::Instant;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

use crate::runtime::config::Config;
use crate::runtime::event::{EventStyle, encode};
use crate::runtime::logging;
use crate::runtime::wiring::Adapters;
use crate::tokens::app_tokens::AppTokens;
use crate::error::ApiError;
use crate::operations::graph_api::GraphResponse;
use crate::settings::provider::SettingsProvider;

/// The function's name, for its logs.
const FUNCTION: &str = "cache-clear";

/// What the function needs, built once per container.
struct CacheClear {
    settings: SettingsProvider,
    app_tokens: AppTokens,
}

/// Runs `cache-clear` until the runtime stops it.
pub async fn run() -> Result<(), Error> {
    logging::init();
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let adapters = Adapters::new(&config, &aws);
    let function = Arc::new(CacheClear {
        settings: SettingsProvider::new(adapters.settings_source.clone(), config.settings_ttl),
        app_tokens: AppTokens::new(adapters.store, adapters.identity_platform, config.token_cache_ttl),
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let function = function.clone();
        async move { Ok::<Value, Error>(function.handle(event).await) }
    }))
    .await
}

impl CacheClear {
    /// Handles one invocation; never fails: an error is answered as a direct invocation's error.
    async fn handle(&self, event: LambdaEvent<Value>) -> Value {
        let started = Instant::now();
        let result = self.clear().await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        match &result {
            Ok(_) => tracing::info!(
                function = FUNCTION,
                duration_ms,
                "cached application token deleted"
            ),
            Err(error) => tracing::warn!(
                function = FUNCTION,
                error = %error,
                duration_ms,
                "clearing the cached application token failed"
            ),
        }
        encode(EventStyle::Direct, &result, &event.context.request_id)
    }

    async fn clear(&self) -> Result<GraphResponse, ApiError> {
        let settings = self.settings.get().await?;
        let key = self.app_tokens.clear(&settings).await?;
        Ok(GraphResponse::json(200, json!({ "deleted": [key] })))
    }
}
