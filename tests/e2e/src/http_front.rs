//! API Gateway and the Lambda service in front of one function, for the routes Microsoft calls over
//! HTTP (the change feed's `POST /graph/notifications`): a loopback HTTP server turning each request
//! into an HTTP API payload 2.0 event and the function's answer back into the HTTP response, as API
//! Gateway does, and running as many instances of the function as there are requests in flight, as
//! Lambda scales out (one invocation per instance at a time; a new instance starts cold). While the
//! function is down ([`HttpFront::crash`]) or an invocation fails, the answer is `502`, as API
//! Gateway answers a failed integration.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::function_process::{FunctionProcess, spawn_function};

/// How long one invocation may take (API Gateway's integration timeout).
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);

/// The function's instances: idle ones wait here; busy ones are out serving a request.
struct Pool {
    name: String,
    env: BTreeMap<String, String>,
    idle: Vec<FunctionProcess>,
    up: bool,
    logs: String,
}

/// A running HTTP front; stops when dropped.
pub struct HttpFront {
    url: String,
    pool: Arc<Mutex<Pool>>,
    route_key: &'static str,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HttpFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shared {
    pool: Arc<Mutex<Pool>>,
    route_key: &'static str,
}
/// The payload 2.0 event API Gateway would send for this request.
fn event(route_key: &str, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Value {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let (body, encoded) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(body), true),
    };
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": uri.path(),
        "rawQueryString": uri.query().unwrap_or(""),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "http": {"method": method.as_str(), "path": uri.path(), "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": headers.get("user-agent").cloned().unwrap_or_default()},
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": "30/Nov/2026:00:00:00 +0000",
            "timeEpoch": 0
        },
        "body": body,
        "isBase64Encoded": encoded,
    })
}

/// The event API Gateway would send for a `POST` of the UTF-8 `body` to `path_and_query` on route
/// `route_key` (for invoking the function directly, as the front would).
pub fn post_event(route_key: &str, path_and_query: &str, body: &str) -> Value {
    let uri: Uri = path_and_query.parse().expect("a path and query");
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        "application/json".parse().expect("a header"),
    );
    event(route_key, &Method::POST, &uri, &headers, body.as_bytes())
}

fn bad_gateway() -> Response {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"message":"Internal Server Error"}"#))
        .expect("valid response")
}

async fn forward(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (instance, name, env) = {
        let mut pool = shared.pool.lock().await;
        if !pool.up {
            return bad_gateway();
        }
        (pool.idle.pop(), pool.name.clone(), pool.env.clone())
    };
    let instance = match instance {
        Some(instance) => instance,
        None => spawn_function(&name, &env).await,
    };
    let event = event(shared.route_key, &method, &uri, &headers, &body);
    let result = instance.invoke_within(event, INTEGRATION_TIMEOUT).await;
    {
        let mut pool = shared.pool.lock().await;
        if pool.up {
            pool.idle.push(instance);
        } else {
            let logs = instance.logs();
            pool.logs.push_str(&logs);
        }
    }
    let Ok(answer) = result else {
        return bad_gateway();
    };
    let status = answer["statusCode"].as_u64().unwrap_or(502) as u16;
    let mut response = Response::builder().status(status);
    if let Some(headers) = answer["headers"].as_object() {
        for (name, value) in headers {
            if let Some(value) = value.as_str() {
                response = response.header(name, value);
            }
        }
    }
    let body = match answer["body"].as_str() {
        Some(text) if answer["isBase64Encoded"] == true => {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap_or_default()
        }
        Some(text) => text.as_bytes().to_vec(),
        None => Vec::new(),
    };
    response.body(Body::from(body)).expect("valid response")
}

impl HttpFront {
    /// Starts a front on 127.0.0.1 for the route `route_key` (e.g. `POST /graph/notifications`) of
    /// function binary `name`, whose instances run with `env`; none runs until a request comes.
    pub async fn start(route_key: &'static str, name: &str, env: BTreeMap<String, String>) -> Self {
        let pool = Arc::new(Mutex::new(Pool {
            name: name.to_string(),
            env,
            idle: Vec::new(),
            up: true,
            logs: String::new(),
        }));
        let app = Router::new().fallback(forward).with_state(Shared {
            pool: pool.clone(),
            route_key,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            pool,
            route_key,
            task,
        }
    }

    /// The URL of the route (`http://127.0.0.1:PORT/graph/notifications`).
    pub fn route_url(&self) -> String {
        let path = self.route_key.split_once(' ').map_or("/", |(_, path)| path);
        format!("{}{path}", self.url)
    }

    /// Replaces the environment of instances started from now on.
    pub async fn set_env(&self, env: BTreeMap<String, String>) {
        self.pool.lock().await.env = env;
    }

    /// Kills every idle instance and answers `502` until [`Self::restart`], as a crashed function
    /// behind API Gateway; an instance busy now is killed once its invocation ends.
    pub async fn crash(&self) {
        let mut pool = self.pool.lock().await;
        pool.up = false;
        let killed: Vec<FunctionProcess> = pool.idle.drain(..).collect();
        for instance in killed {
            let logs = instance.logs();
            pool.logs.push_str(&logs);
        }
    }

    /// Serves again, with new (cold) instances.
    pub async fn restart(&self) {
        self.pool.lock().await.up = true;
    }

    /// The logs of every instance so far (idle ones and those stopped).
    pub async fn logs(&self) -> String {
        let pool = self.pool.lock().await;
        let mut logs = pool.logs.clone();
        for instance in &pool.idle {
            logs.push_str(&instance.logs());
        }
        logs
    }
}
