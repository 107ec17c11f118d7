//! Graph's subscriptions API (`/v1.0/subscriptions`), as documented in "Create subscription"
//! (<https://learn.microsoft.com/graph/api/subscription-post-subscriptions?view=graph-rest-1.0>),
//! "Update subscription", "Delete subscription", "subscription: reauthorize" and the
//! "subscription resource type". Notifications are sent by [`crate::change_feed`].

mod create;
mod item;
mod resource;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::graph::errors::GraphError;
use crate::state::SharedState;

/// `/v1.0/subscriptions/{id}`.
#[derive(Debug, Deserialize)]
pub struct SubscriptionPath {
    /// The subscription id.
    pub id: String,
}

/// Routes of the subscriptions API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1.0/subscriptions", get(item::list).post(create::create))
        .route(
            "/v1.0/subscriptions/{id}",
            get(item::get).patch(item::update).delete(item::delete),
        )
        .route(
            "/v1.0/subscriptions/{id}/reauthorize",
            post(item::reauthorize),
        )
        .route(
            "/v1.0/subscriptions/{id}/microsoft.graph.reauthorize",
            post(item::reauthorize),
        )
}

/// The operations Graph names in `ExtensionError` messages.
#[derive(Clone, Copy, Debug)]
pub enum Operation {
    /// Creating.
    Create,
    /// Renewing or changing.
    Update,
    /// Reauthorizing.
    Reauthorize,
}

/// 403 `ExtensionError`: the caller may not read the resource (wording as Graph answers, e.g.
/// microsoftgraph/msgraph-sdk-java#1209: "Operation: Create; Exception: [Status Code:
/// Forbidden; Reason: Access denied]").
pub fn access_denied(operation: Operation) -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ExtensionError",
        format!(
            "Operation: {operation:?}; Exception: [Status Code: Forbidden; Reason: Access denied]"
        ),
    )
}

/// 404 `ExtensionError`: the resource's user or calendar does not exist.
pub fn resource_missing(operation: Operation) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ExtensionError",
        format!("Operation: {operation:?}; Exception: [Status Code: NotFound; Reason: Not Found]"),
    )
}

/// 400 `InvalidRequest` for a bad request body.
pub fn invalid_request(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
}

/// 404 `ResourceNotFound`: no such live subscription (deleted, removed, expired, or another app's).
pub fn subscription_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The object was not found.",
    )
}
