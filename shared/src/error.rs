//! The error model: the bundle's own error codes, Graph errors passed through, and the one JSON shape
//! every failure is returned in.

use serde_json::{Value, json};

/// The bundle's own error codes (README "Errors" lists each with its HTTP status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No usable refresh token for `authUserId`: the user must sign in again.
    RefreshTokenInvalid,
    /// The user has not consented to any scope the operation needs.
    ScopeInvalid,
    /// The tenant in settings is not a tenant Microsoft knows.
    TenantNotFound,
    /// Bad input; nothing was sent to Microsoft.
    InvalidRequest,
    /// The caller may not act as `authUserId`.
    Forbidden,
    /// Settings or environment missing or malformed.
    ConfigurationInvalid,
    /// Microsoft kept failing after bounded retries.
    UpstreamUnavailable,
    /// A Conditional Access policy of the user's organisation blocks the access; a new sign-in does
    /// not help, so the link is kept.
    BlockedByPolicy,
    /// Graph's answer is too large to return through Lambda.
    ResponseTooLarge,
    /// An AWS dependency (DynamoDB, Secrets Manager) failed, or an unexpected internal fault.
    InternalError,
    /// `auth-complete`: the handle is malformed, unknown, already used or expired.
    SignInHandleInvalid,
    /// `auth-complete`: the sign-in was started for another application user; it is discarded.
    SignInUserMismatch,
    /// `auth-complete`: the Microsoft account is linked to another application user and the
    /// settings allow one application user per Microsoft account.
    AccountAlreadyLinked,
    /// A delta link's sync state is gone at Graph (410): start the delta over without the link.
    SyncStateExpired,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefreshTokenInvalid => "RefreshTokenInvalid",
            Self::ScopeInvalid => "ScopeInvalid",
            Self::TenantNotFound => "TenantNotFound",
            Self::InvalidRequest => "InvalidRequest",
            Self::Forbidden => "Forbidden",
            Self::ConfigurationInvalid => "ConfigurationInvalid",
            Self::UpstreamUnavailable => "UpstreamUnavailable",
            Self::ResponseTooLarge => "ResponseTooLarge",
            Self::BlockedByPolicy => "BlockedByPolicy",
            Self::InternalError => "InternalError",
            Self::SignInHandleInvalid => "SignInHandleInvalid",
            Self::SignInUserMismatch => "SignInUserMismatch",
            Self::AccountAlreadyLinked => "AccountAlreadyLinked",
            Self::SyncStateExpired => "SyncStateExpired",
        }
    }

    /// The HTTP status the code is returned with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::SignInHandleInvalid => 400,
            Self::RefreshTokenInvalid => 401,
            Self::ScopeInvalid
            | Self::Forbidden
            | Self::SignInUserMismatch
            | Self::BlockedByPolicy => 403,
            Self::AccountAlreadyLinked => 409,
            Self::SyncStateExpired => 410,
            Self::TenantNotFound | Self::ConfigurationInvalid | Self::InternalError => 500,
            Self::ResponseTooLarge => 502,
            Self::UpstreamUnavailable => 503,
        }
    }
}

/// A failed operation: either one of the bundle's own errors or Graph's error, passed through unchanged.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// One of the bundle's own errors, with a message safe to show the caller (never a secret).
    Own {
        /// The code.
        code: ErrorCode,
        /// What went wrong, for the caller.
        message: String,
        /// For `UpstreamUnavailable` after throttling: the seconds Microsoft asked to wait before
        /// trying again, when that wait did not fit in the invocation.
        retry_after_secs: Option<u64>,
    },
    /// Graph answered with an error: its status and body are returned as they are.
    Graph {
        /// Graph's HTTP status.
        status: u16,
        /// Graph's error body.
        body: Value,
        /// With a 401: the claims request (JSON) of the Continuous Access Evaluation claims
        /// challenge in Graph's `WWW-Authenticate`, which a new token must be asked for with.
        /// Never part of the answer.
        claims_challenge: Option<String>,
    },
}

impl ApiError {
    /// Builds one of the bundle's own errors.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Own {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// `UpstreamUnavailable`, carrying the seconds Microsoft asked to wait (if it said).
    pub fn unavailable(message: impl Into<String>, retry_after_secs: Option<u64>) -> Self {
        Self::Own {
            code: ErrorCode::UpstreamUnavailable,
            message: message.into(),
            retry_after_secs,
        }
    }

    /// The seconds to wait before trying again, when Microsoft said.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Own {
                retry_after_secs, ..
            } => *retry_after_secs,
            Self::Graph { .. } => None,
        }
    }

    /// Shorthand for an `InvalidRequest` error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// The bundle's own code, if this is not a Graph passthrough.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Own { code, .. } => Some(*code),
            Self::Graph { .. } => None,
        }
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Own { code, .. } => code.status(),
            Self::Graph { status, .. } => *status,
        }
    }

    /// The response body: `{"error": {"code", "message", "requestId"}}`, or Graph's own body.
    pub fn body(&self, request_id: &str) -> Value {
        match self {
            Self::Own { .. } => {
                let mut body = self.body_without_request_id();
                body["error"]["requestId"] = json!(request_id);
                body
            }
            Self::Graph { body, .. } => body.clone(),
        }
    }
}

impl ApiError {
    /// The response body without a request id (`{"error": {"code", "message"}}`, or Graph's own).
    pub fn body_without_request_id(&self) -> Value {
        match self {
            Self::Own {
                code,
                message,
                retry_after_secs,
            } => {
                let mut error = json!({ "code": code.as_str(), "message": message });
                if let Some(seconds) = retry_after_secs {
                    error["retryAfterSeconds"] = json!(seconds);
                }
                json!({ "error": error })
            }
            Self::Graph { body, .. } => body.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Own { code, message, .. } => write!(f, "{}: {message}", code.as_str()),
            Self::Graph { status, body, .. } => {
                let code = body
                    .pointer("/error/code")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown");
                write!(f, "Graph error {status} {code}")
            }
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_errors_have_one_shape() {
        let error = ApiError::invalid("userId is required");
        assert_eq!(error.status(), 400);
        assert_eq!(
            error.body("req-1"),
            json!({"error": {"code": "InvalidRequest", "message": "userId is required", "requestId": "req-1"}})
        );
    }

    #[test]
    fn graph_errors_pass_through_unchanged() {
        let body = json!({"error": {"code": "Request_ResourceNotFound", "message": "gone"}});
        let error = ApiError::Graph {
            status: 404,
            body: body.clone(),
            claims_challenge: None,
        };
        assert_eq!(error.status(), 404);
        assert_eq!(error.body("req-1"), body);
        assert_eq!(error.code(), None);
    }

    #[test]
    fn a_throttled_answer_says_how_long_to_wait() {
        let error = ApiError::unavailable("Graph is throttling", Some(120));
        assert_eq!(error.status(), 503);
        assert_eq!(error.retry_after_secs(), Some(120));
        assert_eq!(
            error.body("req-1"),
            json!({"error": {"code": "UpstreamUnavailable", "message": "Graph is throttling", "retryAfterSeconds": 120, "requestId": "req-1"}})
        );
    }
}
