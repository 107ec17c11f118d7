//! A stand-in for the OpenID Connect discovery documents of https://login.microsoftonline.com.
//! MSAL fetches `/{tenant}/v2.0/.well-known/openid-configuration` whenever a client application is
//! created; the Microsoft simulator does not serve it, so the benchmark does, and counts the requests.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The identity platform's public origin, which the documents name (MSAL only accepts https).
const MICROSOFT_LOGIN: &str = "https://login.microsoftonline.com";

/// A running discovery stand-in on 127.0.0.1; it stops when dropped.
pub struct OidcDiscovery {
    url: String,
    requests: Arc<AtomicUsize>,
    server: JoinHandle<()>,
}

impl OidcDiscovery {
    /// Binds a free loopback port and serves the documents.
    pub async fn start() -> std::io::Result<OidcDiscovery> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(AtomicUsize::new(0));
        let router = Router::new()
            .route(
                "/{tenant}/v2.0/.well-known/openid-configuration",
                get(openid_configuration),
            )
            .with_state(requests.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(OidcDiscovery {
            url,
            requests,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`, standing for `https://login.microsoftonline.com`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Documents served since the last [`OidcDiscovery::reset`].
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Forgets the count.
    pub fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
    }
}

impl Drop for OidcDiscovery {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The parts of Microsoft's v2.0 discovery document that MSAL reads.
async fn openid_configuration(
    State(requests): State<Arc<AtomicUsize>>,
    Path(tenant): Path<String>,
) -> axum::Json<Value> {
    requests.fetch_add(1, Ordering::SeqCst);
    let base = format!("{MICROSOFT_LOGIN}/{tenant}");
    axum::Json(json!({
        "issuer": format!("{base}/v2.0"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
    }))
}
