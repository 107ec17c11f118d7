//! A notification endpoint for the change feed tests: a small HTTP server that answers Graph's
//! validation requests and records the notifications POSTed to it, with scripted failures.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How the endpoint answers validation requests.
#[derive(Clone, Copy, Debug)]
pub enum Validation {
    /// `200`, `text/plain`, the decoded token: what Graph requires.
    Echo,
    /// `200` with the token still URL-encoded.
    EchoEncoded,
    /// This status, empty body.
    Status(u16),
    /// Echoes, after this many milliseconds.
    Slow(u64),
}

/// One request the endpoint received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Its path.
    pub path: String,
    /// Its query string.
    pub query: Option<String>,
    /// `Content-Type`.
    pub content_type: String,
    /// Its body.
    pub body: Bytes,
    /// The status the endpoint answered.
    pub status: u16,
}

struct Script {
    validation: Validation,
    /// Statuses to answer notifications with, in order; afterwards `202`.
    answers: Vec<u16>,
    /// How long to wait before answering the next notifications, in order; afterwards at once.
    delays: Vec<u64>,
    received: Vec<Received>,
}

type Shared = Arc<Mutex<Script>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Script> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running endpoint; stops when dropped.
pub struct Receiver {
    base: String,
    script: Shared,
    server: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn validation_token(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "validationToken")
        .map(|(_, value)| value.into_owned())
}

async fn answer(
    State(script): State<Shared>,
    uri: axum::http::Uri,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let token = validation_token(query.as_deref());
    let (validation, status, delay) = {
        let mut script = lock(&script);
        let status = match token {
            Some(_) => 200,
            None if script.answers.is_empty() => 202,
            None => script.answers.remove(0),
        };
        let delay = match token {
            None if !script.delays.is_empty() => script.delays.remove(0),
            _ => 0,
        };
        script.received.push(Received {
            path: uri.path().to_string(),
            query: query.clone(),
            content_type,
            body,
            status,
        });
        (script.validation, status, delay)
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let Some(token) = token else {
        return StatusCode::from_u16(status)
            .expect("scripted status")
            .into_response();
    };
    let plain = |text: String| ([(header::CONTENT_TYPE, "text/plain")], text).into_response();
    match validation {
        Validation::Echo => plain(token),
        Validation::EchoEncoded => plain(
            query
                .unwrap_or_default()
                .trim_start_matches("validationToken=")
                .to_string(),
        ),
        Validation::Status(status) => StatusCode::from_u16(status)
            .expect("scripted status")
            .into_response(),
        Validation::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            plain(token)
        }
    }
}

impl Receiver {
    /// Starts an endpoint on a free loopback port that validates as Graph requires and accepts
    /// every notification with `202`.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let script = Arc::new(Mutex::new(Script {
            validation: Validation::Echo,
            answers: Vec::new(),
            delays: Vec::new(),
            received: Vec::new(),
        }));
        let app = Router::new().fallback(answer).with_state(script.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Receiver {
            base,
            script,
            server,
        }
    }

    /// The URL of `path` on this endpoint.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How validation requests are answered from now on.
    pub fn validate_with(&self, validation: Validation) {
        lock(&self.script).validation = validation;
    }

    /// The next notifications are answered with these statuses, in order.
    pub fn answer_with(&self, statuses: &[u16]) {
        lock(&self.script).answers = statuses.to_vec();
    }

    /// The next notifications are answered after these delays (milliseconds), in order.
    pub fn answer_after(&self, delays_ms: &[u64]) {
        lock(&self.script).delays = delays_ms.to_vec();
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.script).received.clone()
    }

    /// The validation requests received so far.
    pub fn validations(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|request| validation_token(request.query.as_deref()).is_some())
            .collect()
    }

    /// The notification items (`value[]`) of the batches accepted (2xx) on `path`, in order.
    pub fn accepted(&self, path: &str) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|request| {
                request.path == path
                    && validation_token(request.query.as_deref()).is_none()
                    && (200..300).contains(&request.status)
            })
            .filter_map(|request| serde_json::from_slice::<Value>(&request.body).ok())
            .flat_map(|batch| batch["value"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// Waits (up to 10 s) until `count` notification items were accepted on `path`; returns
    /// them all.
    pub async fn wait_for(&self, path: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let accepted = self.accepted(path);
            if accepted.len() >= count {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} notifications on {path}, got {:?}",
            self.accepted(path)
        );
    }
}
