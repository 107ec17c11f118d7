//! Sends one HTTP request to Microsoft with bounded retries: every attempt's timeout fits in the
//! invocation's remaining time, `Retry-After` is honoured when it fits too, and otherwise the last
//! answer is handed back for the caller to map.

use std::time::Instant;

use reqwest::{Client, RequestBuilder, Response};

use crate::adapters::retry_policy::{MAX_ATTEMPTS, backoff, parse_retry_after};
use crate::support::deadline::Deadline;
use crate::support::upstream_record::record_attempt;

/// Which failures are worth another attempt.
#[derive(Debug, Clone, Copy)]
pub struct RetryRules {
    /// Statuses to retry.
    pub retry_status: fn(u16) -> bool,
    /// Whether connection errors and timeouts are retried (not for non-idempotent requests).
    pub retry_connection_errors: bool,
}

/// What the last attempt produced.
#[derive(Debug)]
pub enum SendFailure {
    /// No response within the time budget or after the allowed attempts.
    NoResponse(String),
}

/// Sends requests with [`RetryRules`] inside a [`Deadline`].
#[derive(Clone)]
pub struct RetryingSender {
    client: Client,
}

impl RetryingSender {
    /// A sender over one shared `reqwest` client (connection pool reused across invocations).
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The underlying client, to build requests with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends the request `build` makes, retrying per `rules`. `label` names the request in logs.
    pub async fn send(
        &self,
        label: &str,
        build: &(dyn Fn() -> RequestBuilder + Send + Sync),
        rules: RetryRules,
        deadline: Deadline,
    ) -> Result<Response, SendFailure> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = deadline.remaining();
            if remaining.is_zero() {
                return Err(SendFailure::NoResponse(
                    "the invocation's time budget ran out".into(),
                ));
            }
            let started = Instant::now();
            let result = build().timeout(remaining).send().await;
            record_attempt(started.elapsed());
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let wait = match &result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    tracing::info!(target: "outbound", request = label, status, attempt, elapsed_ms, "Microsoft answered");
                    if !(rules.retry_status)(status) || attempt >= MAX_ATTEMPTS {
                        return Ok(result.expect("matched Ok"));
                    }
                    response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after)
                        .unwrap_or_else(|| backoff(attempt))
                }
                Err(error) => {
                    let kind = if error.is_timeout() {
                        "timeout"
                    } else if error.is_connect() {
                        "connect"
                    } else {
                        "transport"
                    };
                    tracing::warn!(target: "outbound", request = label, kind, attempt, elapsed_ms, "no answer from Microsoft");
                    if !rules.retry_connection_errors || attempt >= MAX_ATTEMPTS {
                        return Err(SendFailure::NoResponse(format!(
                            "{kind} error talking to Microsoft"
                        )));
                    }
                    backoff(attempt)
                }
            };
            if wait >= deadline.remaining() {
                return match result {
                    Ok(response) => Ok(response),
                    Err(_) => Err(SendFailure::NoResponse(
                        "no answer from Microsoft within the time budget".into(),
                    )),
                };
            }
            tokio::time::sleep(wait).await;
        }
    }
}
