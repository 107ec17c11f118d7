//! The port to Microsoft Graph: one request in, Graph's answer out.

use async_trait::async_trait;
use serde_json::Value;

use crate::error::ApiError;
use crate::operations::operation::Method;
use crate::settings::cloud::Cloud;
use crate::support::deadline::Deadline;
use crate::support::secret::Secret;

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
    /// A link Graph returned earlier (`@odata.deltaLink` / `@odata.nextLink`) to continue from instead of
    /// `path` and `query`; refused unless it points at Graph's own host and this call's path.
    pub continuation: Option<String>,
    /// Whether repeating the request cannot change anything twice (GET, PATCH, DELETE, or a POST
    /// carrying an idempotency key), so lost connections and 503/504 may be retried.
    pub retry_safe: bool,
    /// The `Accept` header: JSON, or for a media path (a photo's `/$value`) the image types Graph
    /// serves there.
    pub accept: &'static str,
    /// The Microsoft cloud whose Graph is called (the settings' `cloud`).
    pub cloud: Cloud,
}

/// The `Accept` of a JSON answer.
pub const ACCEPT_JSON: &str = "application/json";
/// The `Accept` of a photo's `$value`: Graph serves the photo's own image type (JPEG).
pub const ACCEPT_IMAGE: &str = "image/*";

/// The `Accept` header for a request to Graph path `path`.
pub fn accept_for(path: &str) -> &'static str {
    if path.ends_with("/$value") {
        ACCEPT_IMAGE
    } else {
        ACCEPT_JSON
    }
}

/// Graph's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: GraphBody,
}

/// A response body: JSON, or binary media such as a profile photo.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphBody {
    /// JSON; `Value::Null` when Graph sent no body (e.g. 204).
    Json(Value),
    /// Binary content with its media type.
    Media {
        /// The `Content-Type` Graph sent.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

impl GraphResponse {
    /// A JSON response.
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: GraphBody::Json(body),
        }
    }

    /// The JSON body, or `Value::Null` for media.
    pub fn json_body(&self) -> &Value {
        match &self.body {
            GraphBody::Json(value) => value,
            GraphBody::Media { .. } => &Value::Null,
        }
    }
}

/// Sends requests to Graph with bounded retries; Graph's error answers come back as [`ApiError::Graph`].
#[async_trait]
pub trait GraphApi: Send + Sync {
    /// Sends the call, retrying throttling and outages within the deadline.
    async fn send(&self, call: &GraphCall, deadline: Deadline) -> Result<GraphResponse, ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_value_accepts_images_and_everything_else_json() {
        assert_eq!(accept_for("/users/{userId}/photo/$value"), "image/*");
        assert_eq!(accept_for("/users/{userId}"), "application/json");
        assert_eq!(
            accept_for("/users/{userId}/events/{eventId}"),
            "application/json"
        );
    }
}
