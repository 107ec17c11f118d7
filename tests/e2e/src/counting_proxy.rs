//! A loopback HTTP proxy in front of moto that counts AWS API calls by operation
//! (`X-Amz-Target`, e.g. `DynamoDB_20120810.GetItem`), so tests can prove how many DynamoDB and
//! Secrets Manager requests an invocation made, and which table keys its item calls touched; it can
//! also play an AWS outage (every call answered 503), or the outage of one service (the calls whose
//! `X-Amz-Target` starts with a prefix, e.g. `AWSEvents.` for EventBridge), for fault tests.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
    keys: Arc<Mutex<BTreeSet<(String, String)>>>,
    outage: Arc<AtomicBool>,
    service_outage: Arc<Mutex<Option<String>>>,
}

/// A running counting proxy; stops when dropped.
pub struct CountingProxy {
    url: String,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
    keys: Arc<Mutex<BTreeSet<(String, String)>>>,
    outage: Arc<AtomicBool>,
    service_outage: Arc<Mutex<Option<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .unwrap_or_else(|| format!("{method} {}", uri.path()));
    let service_down = shared
        .service_outage
        .lock()
        .unwrap()
        .as_deref()
        .is_some_and(|prefix| operation.starts_with(prefix));
    if let Some(key) = item_key(&body) {
        shared.keys.lock().unwrap().insert((operation.clone(), key));
    }
    *shared.counts.lock().unwrap().entry(operation).or_default() += 1;
    if shared.outage.load(Ordering::SeqCst) || service_down {
        return Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .body(Body::from(r#"{"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable","message":"outage played by the test"}"#))
            .expect("valid response");
    }
    let target = format!(
        "{}{}",
        shared.upstream,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut request = shared.client.request(method, target).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(upstream) => {
            let mut response = Response::builder().status(upstream.status());
            for (name, value) in upstream.headers() {
                if name != "content-length" && name != "transfer-encoding" {
                    response = response.header(name, value);
                }
            }
            let bytes = upstream.bytes().await.unwrap_or_default();
            response.body(Body::from(bytes)).expect("valid response")
        }
        Err(_) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::empty())
            .expect("valid response"),
    }
}

/// The partition key (`pk`) a DynamoDB item call names, in its `Key` or `Item`.
fn item_key(body: &[u8]) -> Option<String> {
    let request: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["Key", "Item"].into_iter().find_map(|field| {
        request
            .get(field)?
            .get("pk")?
            .get("S")?
            .as_str()
            .map(String::from)
    })
}

impl CountingProxy {
    /// Starts a proxy on 127.0.0.1 forwarding to `upstream` (e.g. moto's URL).
    pub async fn start(upstream: &str) -> Self {
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let keys = Arc::new(Mutex::new(BTreeSet::new()));
        let outage = Arc::new(AtomicBool::new(false));
        let service_outage = Arc::new(Mutex::new(None));
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: reqwest::Client::new(),
            counts: counts.clone(),
            keys: keys.clone(),
            outage: outage.clone(),
            service_outage: service_outage.clone(),
        };
        let app = Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            counts,
            keys,
            outage,
            service_outage,
            task,
        }
    }

    /// The proxy's URL, to use as the AWS endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls counted so far, by operation.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.counts.lock().unwrap().clone()
    }

    /// Total calls counted so far.
    pub fn total(&self) -> usize {
        self.counts.lock().unwrap().values().sum()
    }

    /// Starts (`true`) or ends an outage: while it lasts every call is answered 503 without reaching moto.
    pub fn set_outage(&self, outage: bool) {
        self.outage.store(outage, Ordering::SeqCst);
    }

    /// Starts the outage of one service (`Some("AWSEvents.")`: every EventBridge call answered 503)
    /// or ends it (`None`).
    pub fn set_service_outage(&self, target_prefix: Option<&str>) {
        *self.service_outage.lock().unwrap() = target_prefix.map(String::from);
    }

    /// The table keys item calls named so far.
    pub fn item_keys(&self) -> BTreeSet<String> {
        self.item_calls().into_iter().map(|(_, key)| key).collect()
    }

    /// The item calls made so far: each operation (e.g. `DynamoDB_20120810.GetItem`) with a table
    /// key it named.
    pub fn item_calls(&self) -> BTreeSet<(String, String)> {
        self.keys.lock().unwrap().clone()
    }

    /// Forgets the counts and the keys.
    pub fn reset(&self) {
        self.counts.lock().unwrap().clear();
        self.keys.lock().unwrap().clear();
    }
}
