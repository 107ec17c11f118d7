//! Microsoft Graph v1.0 (`/v1.0/...`).

pub mod auth;
mod calendar;
mod directory_query;
pub mod errors;
pub mod odata;
pub mod prefer;
mod subscriptions;
pub mod user_target;
mod users;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;

use crate::state::SharedState;

const VERSION_PREFIX: &str = "/v1.0";
const ME_PREFIX: &str = "/v1.0/me";

/// Whether a request path belongs to Graph.
pub fn is_graph_path(path: &str) -> bool {
    path.strip_prefix(VERSION_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Routes of Graph.
pub fn routes() -> Router<SharedState> {
    users::routes()
        .merge(calendar::routes())
        .merge(subscriptions::routes())
}

/// Rewrites `/v1.0/me[/...]` to `/v1.0/users/me[/...]` before routing, so that every
/// user-scoped route serves `me` too (see [`user_target`]).
pub fn alias_me(mut request: Request) -> Request {
    let path = request.uri().path();
    let Some(rest) = path
        .strip_prefix(ME_PREFIX)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    else {
        return request;
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{VERSION_PREFIX}/users/me{rest}?{query}"),
        None => format!("{VERSION_PREFIX}/users/me{rest}"),
    };
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = path_and_query.parse().ok();
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
    request
}
