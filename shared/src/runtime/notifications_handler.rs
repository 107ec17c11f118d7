//! `graph-notifications`: the public route Graph posts to (`POST /graph/notifications`).
//!
//! - A validation request (`?validationToken=...`, Graph's handshake when a subscription is created)
//!   is answered with the decoded token as `text/plain` and `200` before anything else: no settings,
//!   no table, no network, so a cold start answers well inside Graph's 10 seconds.
//! - Anything else is a notification body for [`NotificationReceiver`]: `202` once every change is
//!   on the bus; `400` for a body that is not Graph's shape; `5xx` when the bus or Microsoft failed,
//!   so Graph delivers it again.

use async_trait::async_trait;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use base64::Engine;
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

use crate::change_feed::notification::MAX_BODY_BYTES;
use crate::change_feed::receiver::{NotificationReceiver, ReceiptSummary};
use crate::error::{ApiError, ErrorCode};
use crate::runtime::embedded_metrics::{Metric, Unit};
use crate::runtime::event::EventStyle;
use crate::runtime::handler::Handler;
use crate::runtime::outcome::Outcome;
use crate::support::deadline::Deadline;

/// Longest validation token answered, in characters (Graph's are a few hundred; a longer one is not
/// Graph's, and the endpoint is not a mirror for arbitrary text).
pub const MAX_VALIDATION_TOKEN_CHARS: usize = 1024;

/// The notification endpoint: its receiver, or why it cannot receive (no event bus configured).
pub struct NotificationsHandler {
    receiver: Result<NotificationReceiver, ApiError>,
}

impl NotificationsHandler {
    /// The endpoint over `receiver` (an error when the change feed is not configured: validation
    /// still answers, notifications are refused with that error).
    pub fn new(receiver: Result<NotificationReceiver, ApiError>) -> Self {
        Self { receiver }
    }
}

/// What the request asks for.
enum Request {
    /// Graph's validation handshake, with the decoded token.
    Validation(String),
    /// A notification body.
    Notifications(String),
}

/// The API Gateway response `status` with `body` as `content_type`.
fn response(status: u16, content_type: &str, body: Option<String>) -> Value {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = i64::from(status);
    for (name, value) in [
        ("content-type", content_type),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
    ] {
        if let Ok(value) = value.parse() {
            response.headers.insert(name, value);
        }
    }
    response.body = body.map(Body::Text);
    serde_json::to_value(response).expect("API Gateway responses serialise")
}

fn error_response(error: &ApiError, request_id: &str) -> Value {
    response(
        error.status(),
        "application/json",
        Some(error.body(request_id).to_string()),
    )
}

/// Reads the request: only API Gateway (payload 2.0) `POST`s are accepted.
fn read(event: Value) -> Result<Request, ApiError> {
    let event: ApiGatewayV2httpRequest = serde_json::from_value(event)
        .map_err(|_| ApiError::invalid("graph-notifications takes API Gateway requests only"))?;
    if event.request_context.http.method != aws_lambda_events::http::Method::POST {
        return Err(ApiError::invalid("graph-notifications takes POST only"));
    }
    let raw_query = event.raw_query_string.unwrap_or_default();
    let mut token = None;
    for (key, value) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        if key == "validationToken" {
            if token.is_some() {
                return Err(ApiError::invalid("`validationToken` is given twice"));
            }
            token = Some(value.into_owned());
        }
    }
    if let Some(token) = token {
        if token.is_empty()
            || token.chars().count() > MAX_VALIDATION_TOKEN_CHARS
            || token.chars().any(char::is_control)
        {
            return Err(ApiError::invalid(
                "the validation token is not one Graph sends",
            ));
        }
        return Ok(Request::Validation(token));
    }
    let body = event.body.unwrap_or_default();
    if body.len() > MAX_BODY_BYTES * 4 / 3 + 4 {
        return Err(ApiError::invalid("the notification body is too large"));
    }
    let body = if event.is_base64_encoded {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| ApiError::invalid("the body is not valid base64"))?;
        String::from_utf8(bytes).map_err(|_| ApiError::invalid("the body is not UTF-8"))?
    } else {
        body
    };
    Ok(Request::Notifications(body))
}

/// The receipt's counts as summary fields and metrics.
fn report(outcome: &mut Outcome, summary: &ReceiptSummary) {
    for (key, value) in [
        ("changes", summary.changes),
        ("lifecycle", summary.lifecycle),
        ("dropped", summary.dropped),
        ("recreated", summary.recreated),
        ("published", summary.published),
    ] {
        outcome.details.insert(key.into(), json!(value));
    }
    if summary.dropped > 0 {
        tracing::warn!(
            dropped = summary.dropped,
            "notifications dropped: malformed, unknown subscription or wrong clientState"
        );
    }
    let count = |name, value: usize| Metric {
        name,
        unit: Unit::Count,
        value: value as f64,
    };
    outcome.metrics = vec![
        count("NotificationsPublished", summary.published),
        count("NotificationsDropped", summary.dropped),
        count("SubscriptionsRecreated", summary.recreated),
    ];
}

#[async_trait]
impl Handler for NotificationsHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let request_id = event.context.request_id.clone();
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        let answer = |status, body: Value, error: Option<&ApiError>| {
            Outcome::answered(EventStyle::ApiGateway, body, status, error)
        };
        let body = match read(event.payload) {
            Ok(Request::Validation(token)) => {
                return answer(
                    200,
                    response(200, "text/plain; charset=utf-8", Some(token)),
                    None,
                );
            }
            Ok(Request::Notifications(body)) => body,
            Err(error) => {
                return answer(
                    error.status(),
                    error_response(&error, &request_id),
                    Some(&error),
                );
            }
        };
        let receiver = match &self.receiver {
            Ok(receiver) => receiver,
            Err(error) => {
                return answer(
                    error.status(),
                    error_response(error, &request_id),
                    Some(error),
                );
            }
        };
        match receiver.receive(&body, deadline).await {
            Ok(summary) => {
                let mut outcome = answer(202, response(202, "text/plain", None), None);
                report(&mut outcome, &summary);
                outcome
            }
            Err(error) => {
                // Graph delivers again after a 5xx; a malformed body is answered 400 and dropped.
                if error.code() != Some(ErrorCode::InvalidRequest) {
                    tracing::warn!(error = %error, "notifications not acknowledged; Graph will deliver them again");
                }
                answer(
                    error.status(),
                    error_response(&error, &request_id),
                    Some(&error),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(method: &str, query: &str, body: Option<&str>) -> Value {
        json!({
            "version": "2.0", "routeKey": "POST /graph/notifications", "rawPath": "/graph/notifications",
            "rawQueryString": query, "headers": {},
            "requestContext": {
                "http": {"method": method, "path": "/graph/notifications", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
                "requestId": "r", "routeKey": "POST /graph/notifications", "stage": "$default", "timeEpoch": 0
            },
            "body": body, "isBase64Encoded": false
        })
    }

    #[test]
    fn the_validation_token_is_read_decoded_and_bounded() {
        let Ok(Request::Validation(token)) = read(event(
            "POST",
            "validationToken=Validation%3A+Testing+client+validation",
            None,
        )) else {
            panic!("a validation request");
        };
        assert_eq!(token, "Validation: Testing client validation");
        let long = format!(
            "validationToken={}",
            "a".repeat(MAX_VALIDATION_TOKEN_CHARS + 1)
        );
        for bad in [
            event("POST", &long, None),
            event("POST", "validationToken=", None),
            event("POST", "validationToken=a%0Ab", None),
            event("POST", "validationToken=a&validationToken=b", None),
            event("GET", "validationToken=a", None),
            json!({"userId": "me"}),
        ] {
            assert!(read(bad).is_err());
        }
        assert!(matches!(
            read(event("POST", "", Some("{\"value\":[]}"))),
            Ok(Request::Notifications(_))
        ));
    }

    #[test]
    fn answers_carry_nosniff() {
        let answer = response(200, "text/plain; charset=utf-8", Some("t".into()));
        assert_eq!(answer["statusCode"], 200);
        assert_eq!(answer["body"], "t");
        assert_eq!(answer["headers"]["x-content-type-options"], "nosniff");
    }
}
