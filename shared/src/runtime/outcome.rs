//! What one invocation produced: the answer the runtime returns, and the facts its summary log line
//! and metrics report (status, error code, permission mode, extra details and metrics).

use lambda_runtime::Diagnostic;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::runtime::embedded_metrics::Metric;
use crate::runtime::event::EventStyle;

/// The permission mode an operation ran with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As a signed-in application user (`authUserId`).
    Delegated,
    /// As the application itself.
    Application,
}

impl Mode {
    /// The mode as logged.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delegated => "delegated",
            Self::Application => "application",
        }
    }
}

/// The outcome of one invocation.
#[derive(Debug)]
pub struct Outcome {
    /// What the runtime returns: an answer, or a function error with its `errorType`.
    pub answer: Result<Value, Diagnostic>,
    /// The answer's HTTP status, if it has one.
    pub status: Option<u16>,
    /// The error code (the bundle's own, or Graph's) when the invocation failed.
    pub error_code: Option<String>,
    /// The permission mode, for Graph operations whose request was valid.
    pub mode: Option<Mode>,
    /// The `client-request-id` sent to Microsoft, if any.
    pub client_request_id: Option<String>,
    /// Who called, as the API's authorizer knows them (IAM principal ARN or `jwt:<subject>`).
    pub caller: Option<String>,
    /// The application user a delegated call acted for.
    pub app_user_id: Option<String>,
    /// Extra fields of the summary line (the keeper's counts).
    pub details: Map<String, Value>,
    /// Extra metrics (the keeper's counts).
    pub metrics: Vec<Metric>,
    /// The error of a failed direct invocation, which [`Outcome::with_function_error`] can turn
    /// into a function error.
    pub direct_error: Option<ApiError>,
}

/// The code of an error: the bundle's own, or the one in Graph's error body.
pub fn error_code_of(error: &ApiError) -> String {
    match error {
        ApiError::Own { code, .. } => code.as_str().to_string(),
        ApiError::Graph { status, body, .. } => body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| format!("Graph{status}")),
    }
}

impl Outcome {
    /// An outcome of `answer` with nothing else known yet.
    fn of(answer: Result<Value, Diagnostic>) -> Self {
        Self {
            answer,
            status: None,
            error_code: None,
            mode: None,
            client_request_id: None,
            caller: None,
            app_user_id: None,
            details: Map::new(),
            metrics: Vec::new(),
            direct_error: None,
        }
    }

    /// An answer with `status` to an event of `style`, failed with `error` if there is one.
    pub fn answered(
        style: EventStyle,
        answer: Value,
        status: u16,
        error: Option<&ApiError>,
    ) -> Self {
        Self {
            status: Some(status),
            error_code: error.map(error_code_of),
            direct_error: error.filter(|_| style == EventStyle::Direct).cloned(),
            ..Self::of(Ok(answer))
        }
    }

    /// The outcome with a failed direct invocation's error answer replaced by a function error
    /// (`errorType` = the code, `errorMessage` = the error body), so Step Functions' `Retry` and
    /// `Catch` see it. API Gateway invocations keep their HTTP answers.
    pub fn with_function_error(mut self) -> Self {
        if let Some(error) = self.direct_error.take() {
            self.answer = Err(Diagnostic {
                error_type: error_code_of(&error),
                error_message: error.body_without_request_id().to_string(),
            });
        }
        self
    }

    /// A function error: the runtime reports `error` with its code as the `errorType`.
    pub fn function_error(error: &ApiError) -> Self {
        let code = error_code_of(error);
        Self {
            error_code: Some(code.clone()),
            ..Self::of(Err(Diagnostic {
                error_type: code,
                error_message: error.to_string(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn graph_errors_are_known_by_graphs_code() {
        let error = ApiError::Graph {
            status: 404,
            body: json!({"error": {"code": "Request_ResourceNotFound"}}),
            claims_challenge: None,
        };
        assert_eq!(error_code_of(&error), "Request_ResourceNotFound");
        let bare = ApiError::Graph {
            status: 502,
            body: json!("gateway"),
            claims_challenge: None,
        };
        assert_eq!(error_code_of(&bare), "Graph502");
    }

    #[test]
    fn a_function_error_carries_the_code_as_its_type() {
        let outcome =
            Outcome::function_error(&ApiError::new(ErrorCode::ConfigurationInvalid, "no table"));
        let diagnostic = outcome.answer.unwrap_err();
        assert_eq!(diagnostic.error_type, "ConfigurationInvalid");
        assert_eq!(diagnostic.error_message, "ConfigurationInvalid: no table");
        assert_eq!(outcome.error_code.as_deref(), Some("ConfigurationInvalid"));
    }

    #[test]
    fn only_direct_errors_become_function_errors() {
        let error = ApiError::new(ErrorCode::UpstreamUnavailable, "Graph kept failing");
        let direct = Outcome::answered(EventStyle::Direct, json!({}), 503, Some(&error))
            .with_function_error();
        let diagnostic = direct.answer.unwrap_err();
        assert_eq!(diagnostic.error_type, "UpstreamUnavailable");
        let cause: Value = serde_json::from_str(&diagnostic.error_message).unwrap();
        assert_eq!(cause["error"]["code"], "UpstreamUnavailable");
        let gateway = Outcome::answered(EventStyle::ApiGateway, json!({}), 503, Some(&error))
            .with_function_error();
        assert!(gateway.answer.is_ok());
        let success =
            Outcome::answered(EventStyle::Direct, json!({}), 200, None).with_function_error();
        assert!(success.answer.is_ok());
    }
}
