//! The port to Microsoft Graph: one request in, Graph's answer out.

use async_trait::async_trait;
use serde_json::Value;

use super::deadline::Deadline;
use super::error::ApiError;
use super::operation::Method;
use super::secret::Secret;

/// One request to Graph v1.0.
#[derive(Debug, Clone)]
pub struct GraphCall {
    /// HTTP method.
    pub method: Method,
    /// Path below `/v1.0`, every segment already percent-encoded.
    pub path: String,
    /// Query options, unencoded.
    pub query: Vec<(String, String)>,
    /// Extra headers (`ConsistencyLevel`, `Prefer`).
    pub headers: Vec<(&'static str, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// Bearer token.
    pub access_token: Secret,
    /// Follow `@odata.nextLink` (bounded) and merge the pages.
    pub all_pages: bool,
    /// Sent as `client-request-id` and logged, to find the call in Microsoft's logs.
    pub client_request_id: String,
}

/// Graph's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body; `Value::Null` when Graph sent none (e.g. 204).
    pub body: Value,
}

/// Sends requests to Graph with bounded retries; Graph's error answers come back as [`ApiError::Graph`].
#[async_trait]
pub trait GraphApi: Send + Sync {
    /// Sends the call, retrying throttling and outages within the deadline.
    async fn send(&self, call: &GraphCall, deadline: Deadline) -> Result<GraphResponse, ApiError>;
}
