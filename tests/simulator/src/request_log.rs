//! The log of every identity and Graph request, read by tests through `GET /_control/requests`.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::control::is_control_path;
use crate::request_context::CLIENT_REQUEST_ID;
use crate::state::SharedState;

/// Largest token request body the log reads to find `grant_type`.
const MAX_FORM_BYTES: usize = 1 << 20;

/// One logged request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    #[serde(skip)]
    id: u64,
    method: String,
    path: String,
    query: Option<String>,
    /// Response status; `null` while in flight or when the connection was dropped unanswered.
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant_type: Option<String>,
    /// The `claims` parameter of a token request (a claims request, never a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_request_id: Option<String>,
    /// True when a fault closed the connection instead of answering.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dropped: bool,
}

/// Request extension naming the request's log entry.
#[derive(Clone, Copy, Debug)]
pub struct LogEntryId(u64);

/// Every non-control request, in arrival order.
#[derive(Default)]
pub struct RequestLog {
    entries: Vec<LoggedRequest>,
    next_id: u64,
}

impl RequestLog {
    fn push(&mut self, mut entry: LoggedRequest) -> LogEntryId {
        self.next_id += 1;
        entry.id = self.next_id;
        self.entries.push(entry);
        LogEntryId(self.next_id)
    }

    fn entry_mut(&mut self, id: LogEntryId) -> Option<&mut LoggedRequest> {
        self.entries.iter_mut().rev().find(|entry| entry.id == id.0)
    }

    /// Records the status a request was answered with.
    pub fn complete(&mut self, id: LogEntryId, status: u16) {
        if let Some(entry) = self.entry_mut(id) {
            entry.status = Some(status);
        }
    }

    /// Records that a fault closed the connection, after the handler produced `status` if it ran.
    pub fn mark_dropped(&mut self, id: LogEntryId, status: Option<u16>) {
        if let Some(entry) = self.entry_mut(id) {
            entry.dropped = true;
            entry.status = status;
        }
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[LoggedRequest] {
        &self.entries
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Middleware: logs the request before handling it and its status after.
pub async fn record(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if is_control_path(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let (body, grant_type, claims) =
        if parts.method == Method::POST && parts.uri.path().ends_with("/oauth2/v2.0/token") {
            match to_bytes(body, MAX_FORM_BYTES).await {
                Ok(bytes) => {
                    let field = |wanted: &str| {
                        url::form_urlencoded::parse(&bytes)
                            .find(|(name, _)| name == wanted)
                            .map(|(_, value)| value.into_owned())
                    };
                    let (grant_type, claims) = (field("grant_type"), field("claims"));
                    (Body::from(bytes), grant_type, claims)
                }
                Err(error) => {
                    return (axum::http::StatusCode::PAYLOAD_TOO_LARGE, error.to_string())
                        .into_response();
                }
            }
        } else {
            (body, None, None)
        };
    let entry = LoggedRequest {
        id: 0,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        status: None,
        grant_type,
        claims,
        client_request_id: parts
            .headers
            .get(CLIENT_REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        dropped: false,
    };
    tracing::debug!(method = %entry.method, path = %entry.path, "request");
    let id = state.log().push(entry);
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(id);
    let response = next.run(request).await;
    state.log().complete(id, response.status().as_u16());
    response
}
