//! Accept loop: every connection is served by hyper directly so that a fault can close it
//! without writing a response (see [`ConnectionKiller`]).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower::util::BoxCloneService;

use crate::connection::ConnectionKiller;

/// The whole simulator as one HTTP service.
pub type App = BoxCloneService<Request, Response, Infallible>;

/// Serves `listener` until the task is aborted; aborting also closes every open connection.
pub async fn serve(listener: TcpListener, app: App) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, app.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, app: App) {
    let killer = ConnectionKiller::default();
    let request_killer = killer.clone();
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(request_killer.clone());
        app.clone().oneshot(request.map(Body::new))
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        () = killer.killed() => tracing::debug!("connection dropped by a fault"),
    }
}
