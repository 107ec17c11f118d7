//! Closing a client connection without sending any response (for the `drop` faults).

use std::sync::Arc;

use axum::response::Response;
use tokio::sync::Notify;

/// Request extension that lets a handler close its connection before any byte of a
/// response is written. The connection task owns the socket and waits on [`Self::killed`].
#[derive(Clone, Default)]
pub struct ConnectionKiller(Arc<Notify>);

impl ConnectionKiller {
    /// Resolves once [`Self::abort`] was called for this connection.
    pub async fn killed(&self) {
        self.0.notified().await;
    }

    /// Asks the connection task to close the socket and never answers: the pending
    /// response future is dropped together with the connection.
    pub async fn abort(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}
