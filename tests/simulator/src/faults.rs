//! Fault injection: the next N matching requests are throttled, failed, delayed or dropped.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::connection::ConnectionKiller;
use crate::control::is_control_path;
use crate::graph::errors::GraphError;
use crate::graph::is_graph_path;
use crate::identity::errors::IdentityError;
use crate::request_log::LogEntryId;
use crate::state::SharedState;

/// What happens to a request a rule matches.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Fault {
    /// Answer with this status (429, 503 or 504) and a Graph- or identity-shaped error body.
    Status {
        /// The HTTP status.
        status: u16,
        /// Seconds for the `Retry-After` header.
        #[serde(rename = "retryAfter")]
        retry_after: Option<u64>,
    },
    /// Wait, then handle the request normally.
    Delay {
        /// Milliseconds to wait.
        ms: u64,
    },
    /// Close the connection without handling the request or answering.
    Drop,
    /// Handle the request (state changes happen), then close the connection without answering.
    DropAfterHandling,
}

/// A rule as posted to `POST /_control/faults`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Only requests with this method (any when absent).
    method: Option<String>,
    /// Requests whose path starts with this.
    path: String,
    /// How many requests the rule applies to.
    #[serde(default = "one")]
    count: u32,
    fault: Fault,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// Refuses statuses other than 429, 503 and 504 and methods that are not HTTP methods.
    pub fn validate(&self) -> Result<(), String> {
        if let Fault::Status { status, .. } = self.fault
            && ![429, 503, 504].contains(&status)
        {
            return Err(format!(
                "fault status must be 429, 503 or 504, not {status}"
            ));
        }
        if let Some(method) = &self.method {
            Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("bad method '{method}'"))?;
        }
        Ok(())
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.count > 0
            && path.starts_with(&self.path)
            && self
                .method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
    }
}

/// Pending fault rules, applied in the order they were added.
#[derive(Default)]
pub struct FaultRules(Vec<FaultRule>);

impl FaultRules {
    /// Adds a validated rule.
    pub fn add(&mut self, rule: FaultRule) {
        self.0.push(rule);
    }

    /// Forgets every pending rule.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for this request, if a rule matches; uses up one of the rule's count.
    fn take(&mut self, method: &Method, path: &str) -> Option<Fault> {
        let rule = self.0.iter_mut().find(|rule| rule.matches(method, path))?;
        rule.count -= 1;
        let fault = rule.fault.clone();
        self.0.retain(|rule| rule.count > 0);
        Some(fault)
    }
}

/// Middleware: applies the first matching fault rule, if any.
pub async fn inject(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let Some(fault) = state.faults().take(request.method(), &path) else {
        return next.run(request).await;
    };
    let log_entry = request.extensions().get::<LogEntryId>().copied();
    let killer = request
        .extensions()
        .get::<ConnectionKiller>()
        .cloned()
        .expect("the server gives every request a ConnectionKiller");
    let mark_dropped = |status: Option<u16>| {
        if let Some(entry) = log_entry {
            state.log().mark_dropped(entry, status);
        }
    };
    match fault {
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).expect("validated fault status");
            let mut response = if is_graph_path(&path) {
                GraphError::unavailable(status).into_response()
            } else {
                IdentityError::unavailable(status).into_response()
            };
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Fault::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Fault::Drop => {
            mark_dropped(None);
            killer.abort().await
        }
        Fault::DropAfterHandling => {
            let response = next.run(request).await;
            mark_dropped(Some(response.status().as_u16()));
            killer.abort().await
        }
    }
}
