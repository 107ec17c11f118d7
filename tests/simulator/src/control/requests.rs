//! `GET /_control/requests` and `DELETE /_control/requests`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Json;
use serde_json::{Value, json};

use crate::state::SharedState;

/// Every identity and Graph request seen since the last clear, oldest first.
pub async fn list_requests(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "requests": state.log().entries() }))
}

/// Clears the request log.
pub async fn clear_requests(State(state): State<SharedState>) -> StatusCode {
    state.log().clear();
    StatusCode::NO_CONTENT
}
