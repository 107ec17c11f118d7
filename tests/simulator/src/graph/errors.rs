//! Errors of Microsoft Graph: `{"error":{"code","message","innerError":{...}}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::request_context::{RequestIds, replace_with_json};

/// One Graph error; as a response it gets Graph's JSON body (with `innerError` ids) from
/// [`crate::request_context`].
#[derive(Clone, Debug)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code`.
    pub code: &'static str,
    /// `error.message`.
    pub message: String,
    /// With a 401: the claims request of a Continuous Access Evaluation claims challenge, sent
    /// base64-encoded in `WWW-Authenticate`.
    pub claims_challenge: Option<String>,
}

impl GraphError {
    /// Any Graph error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            message: message.into(),
            claims_challenge: None,
        }
    }

    /// 401 with a claims challenge (Continuous Access Evaluation): the token was revoked at
    /// `revoked_at` (epoch seconds), and a token issued after it will do. The challenge asks for
    /// such a token as Microsoft's CAE article shows (an `nbf` claims request).
    pub fn claims_challenge(revoked_at: i64) -> Self {
        GraphError {
            claims_challenge: Some(
                json!({"access_token": {"nbf": {"essential": true, "value": revoked_at.to_string()}}})
                    .to_string(),
            ),
            ..Self::invalid_token("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp")
        }
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn invalid_token(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 401 `Authorization_IdentityNotFound`: an app-only token of an app the tenant no longer has.
    pub fn identity_not_found() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Authorization_IdentityNotFound",
            "The identity of the calling application could not be established.",
        )
    }

    /// 403 `Authorization_RequestDenied` (directory objects).
    pub fn insufficient_privileges() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 404 `Request_ResourceNotFound` for a directory object named `key`.
    pub fn resource_not_found(key: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 400 `Request_BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 400 `BadRequest` for a body that is not JSON.
    pub fn unreadable_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid \
             JSON format.",
        )
    }

    /// 400 `BadRequest` for a URL that matches no resource.
    pub fn segment_not_found(segment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 405 for a method the resource does not support.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// An injected throttling (429) or outage (5xx).
    pub fn unavailable(status: StatusCode) -> Self {
        match status {
            StatusCode::TOO_MANY_REQUESTS => Self::new(
                status,
                "TooManyRequests",
                "Too many requests. Please try again later.",
            ),
            StatusCode::GATEWAY_TIMEOUT => Self::new(
                status,
                "timeout",
                "The operation timed out before it could be completed.",
            ),
            _ => Self::new(
                status,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please try again later.",
            ),
        }
    }

    /// Replaces `response`'s body with Graph's JSON error body for this error.
    pub fn render_into(&self, ids: &RequestIds, response: &mut Response) {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": ids.request_id,
                    "client-request-id": ids.client_request_id,
                },
            },
        });
        replace_with_json(response, &body, "application/json");
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = match &self.claims_challenge {
                // The format of Microsoft's claims challenge article: all fields in one header.
                Some(claims) => format!(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
                     error=\"insufficient_claims\", claims=\"{}\"",
                    base64::engine::general_purpose::STANDARD.encode(claims)
                ),
                None => "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", \
                     client_id=\"00000003-0000-0000-c000-000000000000\""
                    .to_string(),
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}
