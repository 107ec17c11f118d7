//! `cache-clear`: an operator call (direct invocation, any event, e.g. `{}`) that deletes the cached
//! application token of the app in the settings from the table, answering
//! `{"status": 200, "body": {"deleted": ["apptoken#current"]}}`. Every container
//! stops using the cleared token within its `TOKEN_CACHE_TTL_SECONDS`: then it reads the table,
//! finds nothing, and fetches a new token.

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::operations::graph_api::GraphResponse;
use crate::runtime::event::{EventStyle, encode};
use crate::runtime::handler::Handler;
use crate::runtime::outcome::Outcome;
use crate::settings::provider::SettingsProvider;
use crate::tokens::app_tokens::AppTokens;

/// What the function needs, built once per container.
pub struct CacheClearHandler {
    /// Settings, to know which app's token to clear.
    pub settings: SettingsProvider,
    /// The application token cache.
    pub app_tokens: AppTokens,
}

impl CacheClearHandler {
    async fn clear(&self) -> Result<GraphResponse, ApiError> {
        let settings = self.settings.get().await?;
        let key = self.app_tokens.clear(&settings).await?;
        Ok(GraphResponse::json(200, json!({ "deleted": [key] })))
    }
}

#[async_trait]
impl Handler for CacheClearHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let result = self.clear().await;
        let status = result.as_ref().map_or_else(ApiError::status, |r| r.status);
        Outcome::answered(
            EventStyle::Direct,
            encode(EventStyle::Direct, &result, &event.context.request_id),
            status,
            result.as_ref().err(),
        )
    }
}
