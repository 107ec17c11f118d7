//! A loopback HTTP proxy that puts one endpoint at a network distance, the way a function in AWS
//! sees DynamoDB, Secrets Manager, the identity platform or Graph:
//!
//! - every request waits half the round trip before it is forwarded and half after its answer
//!   came back, so each request costs one round trip more than on loopback;
//! - every new connection costs two round trips before its first request is read: one for TCP's
//!   handshake and one for TLS 1.3's (the endpoints are https in AWS; TLS 1.2 would cost two);
//!   a request on a connection kept alive costs no handshake.
//!
//! Not modelled: bandwidth, loss, TCP slow start, DNS (resolved once per host), HTTP/2
//! multiplexing (everything here is HTTP/1.1 on loopback). Every connection setup and request is
//! recorded on a [`Timeline`], which is how the benchmark counts the round trips made one after
//! another before the Graph call.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Sleep;

use crate::timeline::{Activity, Span, Timeline};

/// How far away the endpoints are: the round-trip time between the function and each of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Distance {
    /// Round-trip time, in milliseconds.
    pub round_trip_ms: u64,
}

impl Distance {
    fn one_way(self) -> Duration {
        Duration::from_micros(self.round_trip_ms * 500)
    }

    /// What a new connection costs before its first request: TCP's and TLS 1.3's handshakes, one
    /// round trip each.
    fn handshake(self) -> Duration {
        Duration::from_millis(self.round_trip_ms * 2)
    }
}

/// Where requests go: the first rule whose text the path contains, else `default`.
#[derive(Clone, Debug)]
pub struct Upstreams {
    /// `(path fragment, upstream URL)` pairs.
    pub rules: Vec<(&'static str, String)>,
    /// The upstream of every other request.
    pub default: String,
}

impl Upstreams {
    fn for_path(&self, path: &str) -> &str {
        self.rules
            .iter()
            .find(|(fragment, _)| path.contains(fragment))
            .map_or(&self.default, |(_, upstream)| upstream)
            .trim_end_matches('/')
    }
}

#[derive(Clone)]
struct Shared {
    endpoint: &'static str,
    distance: Distance,
    upstreams: Upstreams,
    client: reqwest::Client,
    timeline: Timeline,
}

/// A running distance proxy on 127.0.0.1; stops when dropped.
pub struct DistanceProxy {
    url: String,
    task: JoinHandle<()>,
}

impl Drop for DistanceProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DistanceProxy {
    /// Puts `upstreams` (named `endpoint` on the timeline) at `distance`.
    pub async fn start(
        endpoint: &'static str,
        distance: Distance,
        upstreams: Upstreams,
        timeline: Timeline,
    ) -> io::Result<DistanceProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Shared {
            endpoint,
            distance,
            upstreams,
            client: reqwest::Client::new(),
            timeline: timeline.clone(),
        };
        let listener = DistantListener {
            inner: listener,
            endpoint,
            handshake: distance.handshake(),
            timeline,
        };
        let app = Router::new().fallback(forward).with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(DistanceProxy { url, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Accepts connections, recording each one's setup and holding back its first read until the
/// modelled handshakes are over.
struct DistantListener {
    inner: TcpListener,
    endpoint: &'static str,
    handshake: Duration,
    timeline: Timeline,
}

impl Listener for DistantListener {
    type Io = DistantStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (DistantStream, SocketAddr) {
        let (stream, address) = Listener::accept(&mut self.inner).await;
        let _ = stream.set_nodelay(true);
        let start = Instant::now();
        self.timeline.record(Span {
            endpoint: self.endpoint,
            activity: Activity::ConnectionSetup,
            start,
            end: start + self.handshake,
        });
        let stream = DistantStream {
            inner: stream,
            handshake: (!self.handshake.is_zero())
                .then(|| Box::pin(tokio::time::sleep(self.handshake))),
        };
        (stream, address)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A connection whose first read waits for the handshakes.
struct DistantStream {
    inner: TcpStream,
    handshake: Option<Pin<Box<Sleep>>>,
}

impl AsyncRead for DistantStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(handshake) = this.handshake.as_mut() {
            ready!(handshake.as_mut().poll(cx));
            this.handshake = None;
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DistantStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Response headers about the connection to the upstream, not the client's (RFC 9110, 7.6.1), plus
/// the length headers the proxy sets itself. moto answers `Connection: close`; passed on, it would
/// make every AWS request a new connection, which DynamoDB and Secrets Manager do not.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "transfer-encoding",
];

/// Waits `duration`; not at all when it is zero (a zero sleep still waits for the timer's next
/// tick, a millisecond).
async fn wait(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}

/// `GetItem` for an AWS call (its `X-Amz-Target`), else `GET /v1.0/users/…` without the query.
fn describe(method: &Method, uri: &Uri, headers: &HeaderMap) -> String {
    match headers
        .get("x-amz-target")
        .and_then(|target| target.to_str().ok())
    {
        Some(target) => target.rsplit('.').next().unwrap_or(target).to_string(),
        None => format!("{method} {}", uri.path()),
    }
}

async fn forward(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let start = Instant::now();
    let activity = Activity::Request(describe(&method, &uri, &headers));
    wait(shared.distance.one_way()).await;
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let target = format!("{}{path_and_query}", shared.upstreams.for_path(uri.path()));
    let mut request = shared.client.request(method, target).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let response = match request.send().await {
        Ok(upstream) => {
            let mut response = Response::builder().status(upstream.status());
            for (name, value) in upstream.headers() {
                if !HOP_BY_HOP.contains(&name.as_str()) {
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
    };
    wait(shared.distance.one_way()).await;
    shared.timeline.record(Span {
        endpoint: shared.endpoint,
        activity,
        start,
        end: Instant::now(),
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_connection_costs_two_round_trips_and_a_request_one() {
        let distance = Distance { round_trip_ms: 20 };
        assert_eq!(distance.handshake(), Duration::from_millis(40));
        assert_eq!(distance.one_way() * 2, Duration::from_millis(20));
    }

    #[test]
    fn requests_go_to_the_first_matching_upstream() {
        let upstreams = Upstreams {
            rules: vec![("/.well-known/", "http://discovery/".to_string())],
            default: "http://simulator".to_string(),
        };
        assert_eq!(
            upstreams.for_path("/t/v2.0/.well-known/openid-configuration"),
            "http://discovery"
        );
        assert_eq!(
            upstreams.for_path("/t/oauth2/v2.0/token"),
            "http://simulator"
        );
    }

    #[tokio::test]
    async fn requests_and_new_connections_are_delayed_and_recorded() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_url = format!("http://{}", upstream.local_addr().unwrap());
        // As moto does: every answer closes the upstream connection, which the client's must outlive.
        let upstream_app =
            Router::new().fallback(|| async { ([("connection", "close")], "answer") });
        let upstream_task = tokio::spawn(async move {
            let _ = axum::serve(upstream, upstream_app).await;
        });
        let timeline = Timeline::default();
        let proxy = DistanceProxy::start(
            "Graph",
            Distance { round_trip_ms: 30 },
            Upstreams {
                rules: vec![],
                default: upstream_url,
            },
            timeline.clone(),
        )
        .await
        .unwrap();
        let client = reqwest::Client::new();
        let timed = |path: &'static str| {
            let client = client.clone();
            let url = format!("{}{path}", proxy.url());
            async move {
                let started = Instant::now();
                let body = client.get(url).send().await.unwrap().text().await.unwrap();
                assert_eq!(body, "answer");
                started.elapsed()
            }
        };
        let first = timed("/v1.0/first").await;
        let second = timed("/v1.0/second").await;
        assert!(first >= Duration::from_millis(90), "{first:?}");
        assert!(second >= Duration::from_millis(30), "{second:?}");
        assert!(second < Duration::from_millis(60), "kept alive: {second:?}");
        let spans = timeline.spans();
        let activities: Vec<&Activity> = spans.iter().map(|span| &span.activity).collect();
        assert_eq!(
            activities,
            [
                &Activity::ConnectionSetup,
                &Activity::Request("GET /v1.0/first".to_string()),
                &Activity::Request("GET /v1.0/second".to_string()),
            ]
        );
        upstream_task.abort();
    }
}
