//! What a function does with one event, whichever function it is.

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::runtime::outcome::Outcome;

/// One function's logic: an event in, an [`Outcome`] out. Never panics on bad input; failures
/// are answers (or function errors) in the outcome.
#[async_trait]
pub trait Handler: Send + Sync {
    /// Handles one invocation.
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome;
}
