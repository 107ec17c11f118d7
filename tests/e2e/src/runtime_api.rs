//! A minimal AWS Lambda Runtime API (2018-06-01) on 127.0.0.1: hands queued events to the
//! function process polling `/runtime/invocation/next` and resolves each invocation with what
//! the function posts back.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use shared::operations::response_limits::LAMBDA_RESPONSE_LIMIT;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The error body a function posts to `/invocation/{id}/error` or `/init/error`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionError {
    /// `errorType`, e.g. the Rust error type name.
    pub error_type: String,
    /// `errorMessage`.
    pub error_message: String,
}

/// Why an invocation produced no JSON result.
#[derive(Clone, Debug, thiserror::Error)]
pub enum InvokeError {
    /// The function reported an error for this invocation.
    #[error("function error {}: {}", .0.error_type, .0.error_message)]
    Function(FunctionError),
    /// The function reported an initialisation error.
    #[error("function init error {}: {}", .0.error_type, .0.error_message)]
    Init(FunctionError),
    /// The function posted a response that is not JSON.
    #[error("function response is not JSON: {0}")]
    InvalidResponse(String),
    /// No result within the time allowed.
    #[error("no result within {0:?}")]
    Timeout(Duration),
    /// The function process ended before it answered.
    #[error("function process exited ({0}) before answering")]
    Exited(String),
}

/// How one invocation ends.
type InvocationResult = Result<Value, InvokeError>;

/// An event waiting for the function to poll it.
struct QueuedInvocation {
    request_id: String,
    event: Value,
    deadline: SystemTime,
    responder: oneshot::Sender<InvocationResult>,
}

/// State shared by the Runtime API handlers.
struct RuntimeState {
    function_arn: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<QueuedInvocation>>,
    in_flight: Mutex<HashMap<String, oneshot::Sender<InvocationResult>>>,
    first_poll: watch::Sender<Option<Instant>>,
    init_error: watch::Sender<Option<FunctionError>>,
}

impl RuntimeState {
    fn take_in_flight(&self, request_id: &str) -> Option<oneshot::Sender<InvocationResult>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(request_id)
    }
}

/// A Runtime API server for one function; it serves in a background task until dropped.
pub struct RuntimeApi {
    address: SocketAddr,
    queue: mpsc::UnboundedSender<QueuedInvocation>,
    state: Arc<RuntimeState>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Binds 127.0.0.1:0 and serves the Runtime API for the function named `function_name`.
    pub async fn start(function_name: &str) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let address = listener.local_addr()?;
        let (queue, receiver) = mpsc::unbounded_channel();
        let state = Arc::new(RuntimeState {
            function_arn: format!(
                "arn:aws:lambda:{}:123456789012:function:{function_name}",
                crate::aws::REGION
            ),
            queue: tokio::sync::Mutex::new(receiver),
            in_flight: Mutex::default(),
            first_poll: watch::Sender::new(None),
            init_error: watch::Sender::new(None),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            // Read past Lambda's limit, so an oversized response fails the way Lambda fails it.
            .layer(DefaultBodyLimit::max(2 * LAMBDA_RESPONSE_LIMIT))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(RuntimeApi {
            address,
            queue,
            state,
            server,
        })
    }

    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Queues `event` and waits for the function's result for at most `timeout`.
    pub async fn invoke(&self, event: Value, timeout: Duration) -> InvocationResult {
        if let Some(error) = self.state.init_error.borrow().clone() {
            return Err(InvokeError::Init(error));
        }
        let (responder, result) = oneshot::channel();
        let invocation = QueuedInvocation {
            request_id: uuid::Uuid::new_v4().to_string(),
            event,
            deadline: SystemTime::now() + timeout,
            responder,
        };
        self.queue
            .send(invocation)
            .expect("the Runtime API owns the queue's receiver");
        let mut init_error = self.state.init_error.subscribe();
        tokio::select! {
            biased;
            Ok(answered) = result => answered,
            Ok(reported) = init_error.wait_for(Option::is_some) => {
                Err(InvokeError::Init(reported.clone().expect("waited for an init error")))
            }
            () = tokio::time::sleep(timeout) => Err(InvokeError::Timeout(timeout)),
        }
    }

    /// When the function first polled for an invocation (it finished initialising), waiting
    /// for at most `timeout`.
    pub async fn first_poll(&self, timeout: Duration) -> Option<Instant> {
        let mut first_poll = self.state.first_poll.subscribe();
        let polled = tokio::time::timeout(timeout, first_poll.wait_for(Option::is_some)).await;
        polled.ok()?.ok().and_then(|instant| *instant)
    }

    /// The initialisation error the function reported, if any.
    pub fn init_error(&self) -> Option<FunctionError> {
        self.state.init_error.borrow().clone()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `GET /runtime/invocation/next`: waits for the next queued event that is still awaited.
async fn next_invocation(State(state): State<Arc<RuntimeState>>) -> Response {
    state.first_poll.send_if_modified(|first| {
        let is_first = first.is_none();
        first.get_or_insert_with(Instant::now);
        is_first
    });
    let mut queue = state.queue.lock().await;
    let invocation = loop {
        match queue.recv().await {
            Some(invocation) if invocation.responder.is_closed() => continue,
            Some(invocation) => break invocation,
            None => return StatusCode::GONE.into_response(),
        }
    };
    drop(queue);
    let deadline_ms = invocation
        .deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let headers = [
        (
            "lambda-runtime-aws-request-id",
            invocation.request_id.clone(),
        ),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            state.function_arn.clone(),
        ),
        ("lambda-runtime-trace-id", trace_id()),
    ];
    state
        .in_flight
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(invocation.request_id, invocation.responder);
    let mut response = axum::Json(invocation.event).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value)
                .expect("request ids, numbers, ARNs and trace ids are valid header values"),
        );
    }
    response
}

/// `POST /runtime/invocation/{id}/response`.
async fn invocation_response(
    State(state): State<Arc<RuntimeState>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let Some(responder) = state.take_in_flight(&request_id) else {
        return StatusCode::NOT_FOUND;
    };
    if body.len() > LAMBDA_RESPONSE_LIMIT {
        // What Lambda does with a synchronous response over its limit.
        let _ = responder.send(Err(InvokeError::Function(FunctionError {
            error_type: "Function.ResponseSizeTooLarge".into(),
            error_message: format!(
                "Response payload size ({} bytes) exceeded maximum allowed payload size ({LAMBDA_RESPONSE_LIMIT} bytes).",
                body.len()
            ),
        })));
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    let result = serde_json::from_slice(&body)
        .map_err(|_| InvokeError::InvalidResponse(String::from_utf8_lossy(&body).into_owned()));
    let _ = responder.send(result);
    StatusCode::ACCEPTED
}

/// `POST /runtime/invocation/{id}/error`.
async fn invocation_error(
    State(state): State<Arc<RuntimeState>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(responder) = state.take_in_flight(&request_id) else {
        return StatusCode::NOT_FOUND;
    };
    let _ = responder.send(Err(InvokeError::Function(function_error(&headers, &body))));
    StatusCode::ACCEPTED
}

/// `POST /runtime/init/error`.
async fn init_error(
    State(state): State<Arc<RuntimeState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state
        .init_error
        .send_replace(Some(function_error(&headers, &body)));
    StatusCode::ACCEPTED
}

/// The posted error body, or (when it is not the documented JSON) the error type header and the raw body.
fn function_error(headers: &HeaderMap, body: &[u8]) -> FunctionError {
    serde_json::from_slice(body).unwrap_or_else(|_| FunctionError {
        error_type: headers
            .get("lambda-runtime-function-error-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("Unknown")
            .to_string(),
        error_message: String::from_utf8_lossy(body).into_owned(),
    })
}

/// An X-Ray trace header value with a fresh trace id.
fn trace_id() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{seconds:08x}-{};Parent={};Sampled=0",
        &random[..24],
        &random[16..32]
    )
}
