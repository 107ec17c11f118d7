//! The validation handshake Graph makes before it creates a subscription
//! (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation>):
//! `POST {notificationUrl}?validationToken={token}` with `Content-Type: text/plain; charset=utf-8`;
//! the endpoint must answer within 10 seconds with `200 OK`, a `text/plain` content type and the
//! URL-decoded token as the body. Failing that, creating the subscription answers 400.

use std::time::Duration;

use axum::http::{StatusCode, header};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::delivery::{DeliveryKind, DeliveryRecord, Outcome, failure_reason};
use crate::graph::errors::GraphError;
use crate::ids::new_guid;
use crate::state::SharedState;

/// A fresh validation token. Graph's are opaque text; this one has spaces and colons, so an
/// endpoint that echoes it without URL-decoding fails, as it would at Microsoft.
fn new_token() -> String {
    format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        new_guid()
    )
}

/// `url` with `validationToken={token}` added to its query (percent-encoded).
fn with_token(url: &str, token: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}validationToken={}",
        utf8_percent_encode(token, NON_ALPHANUMERIC)
    )
}

/// 400 `ValidationError` for an endpoint that did not answer as required.
/// Wording as Graph answers (e.g. microsoftgraph/nodejs-webhooks-sample#158, splunk/azure-functions-splunk#26).
fn not_ok() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "ValidationError",
        "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation \
         request.",
    )
}

/// 400 `ValidationError` for a body other than the token (microsoftgraph/java-spring-webhooks-sample#82).
fn wrong_token() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "ValidationError",
        "Subscription validation request failed. Response must exactly match validationToken query parameter.",
    )
}

/// 400 `InvalidRequest` for an endpoint too slow to answer (microsoftgraph/nodejs-webhooks-sample#350).
fn timed_out() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "Subscription validation request timed out.",
    )
}

/// Makes the validation request to `url`; `Ok` when the endpoint answered as required.
pub async fn validate(state: &SharedState, url: &str) -> Result<(), GraphError> {
    let timeout = Duration::from_millis(state.world().change_feed.settings.validation_timeout_ms);
    let token = new_token();
    let request = state
        .http
        .post(with_token(url, &token))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .timeout(timeout);
    let outcome = async {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let plain_text = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim().to_ascii_lowercase().starts_with("text/plain"));
        let body = response.text().await?;
        Ok::<_, reqwest::Error>((status, plain_text, body))
    }
    .await;
    let (status, error, result) = match outcome {
        Ok((200, true, body)) if body == token => (Some(200), None, Ok(())),
        Ok((200, true, _)) => (Some(200), None, Err(wrong_token())),
        Ok((status, _, _)) => (Some(status), None, Err(not_ok())),
        Err(error) if error.is_timeout() => (None, Some("timeout"), Err(timed_out())),
        Err(error) => (None, Some(failure_reason(&error)), Err(not_ok())),
    };
    state.world().change_feed.log.push(DeliveryRecord {
        kind: DeliveryKind::Validation,
        subscription_id: None,
        url: url.to_string(),
        attempt: 1,
        status,
        error,
        outcome: if result.is_ok() {
            Outcome::Delivered
        } else {
            Outcome::Abandoned
        },
        body: Value::Null,
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_added_to_the_query_percent_encoded() {
        assert_eq!(
            with_token("https://h/n?a=1", "x y:z"),
            "https://h/n?a=1&validationToken=x%20y%3Az"
        );
        assert_eq!(
            with_token("https://h/n", "t"),
            "https://h/n?validationToken=t"
        );
    }
}
