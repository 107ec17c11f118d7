//! `POST /_control/faults` and `DELETE /_control/faults`.

use axum::extract::State;
use axum::http::StatusCode;

use super::errors::{ControlError, ControlJson};
use crate::faults::FaultRule;
use crate::state::SharedState;

/// Adds a fault rule.
pub async fn add_fault(
    State(state): State<SharedState>,
    ControlJson(rule): ControlJson<FaultRule>,
) -> Result<StatusCode, ControlError> {
    rule.validate().map_err(ControlError::bad_request)?;
    state.faults().add(rule);
    Ok(StatusCode::CREATED)
}

/// Forgets every pending fault rule.
pub async fn clear_faults(State(state): State<SharedState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}
