//! A local, stateful stand-in for the Microsoft identity platform v2 and Microsoft Graph v1.0.
//!
//! One HTTP server serves the identity platform (`/{tenant}/oauth2/v2.0/...`), Graph
//! (`/v1.0/...`) and a control API (`/_control/...`) that tests use to arrange state and
//! inject faults. See the crate's README for the module layout and the control API reference.

mod app;
mod apps;
mod calendar;
mod change_feed;
mod connection;
mod control;
mod directory;
mod faults;
mod graph;
mod identity;
mod ids;
mod request_context;
mod request_log;
mod server;
mod settings;
mod state;
mod tenants;

use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running simulator; it serves in a background task until dropped.
pub struct Simulator {
    base_url: String,
    server: JoinHandle<()>,
}

impl Simulator {
    /// Binds 127.0.0.1:0 and serves in a background tokio task until dropped.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start() -> Simulator {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("binding a loopback port for the Microsoft simulator")
    }

    /// Binds the given address.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let service = app::build(state::AppState::new(base_url.clone()));
        let server = tokio::spawn(server::serve(listener, service));
        Ok(Simulator { base_url, server })
    }

    /// "http://127.0.0.1:PORT"
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}
