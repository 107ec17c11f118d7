//! The whole simulator as one service: routes plus the request log, request ids, fault
//! injection and the `/me` alias around them.

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::util::BoxCloneService;

use crate::graph::errors::GraphError;
use crate::graph::is_graph_path;
use crate::server::App;
use crate::state::SharedState;
use crate::{change_feed, control, faults, graph, identity, request_context, request_log};

/// Builds the service. Outermost first: the request log sees every request as sent, ids and
/// error bodies apply to injected faults too, and `/me` is rewritten just before routing.
pub fn build(state: SharedState) -> App {
    let router = Router::new()
        .merge(identity::routes())
        .merge(graph::routes())
        .merge(control::routes())
        .fallback(unmatched)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    let service = ServiceBuilder::new()
        .layer(from_fn_with_state(state.clone(), request_log::record))
        .layer(from_fn(request_context::attach))
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state, change_feed::observe))
        .map_request(graph::alias_me)
        .service(router);
    BoxCloneService::new(service)
}

async fn unmatched(uri: Uri) -> Response {
    if is_graph_path(uri.path()) {
        let segment = uri
            .path()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        GraphError::segment_not_found(segment).into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    if is_graph_path(uri.path()) {
        GraphError::method_not_allowed().into_response()
    } else {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}
