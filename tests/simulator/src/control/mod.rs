//! The control API (`/_control/...`): how tests and the demo arrange the simulated cloud,
//! inject faults and read the request log. JSON in, JSON out; errors are `{"error": "..."}`.

mod change_feed;
mod directory;
mod errors;
mod faults;
mod identity;
mod lookup;
mod requests;
mod tenancy;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Json;
use axum::routing::{delete, get, post};

use crate::settings::{Settings, SettingsUpdate};
use crate::state::SharedState;
use errors::{ControlError, ControlJson};

const PREFIX: &str = "/_control";

/// Whether a request path belongs to the control API (never logged, never faulted).
pub fn is_control_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Routes of the control API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/_control/reset", post(reset))
        .route("/_control/settings", post(update_settings))
        .route("/_control/tenants", post(tenancy::add_tenant))
        .route("/_control/apps", post(tenancy::add_app))
        .route(
            "/_control/apps/{client_id}/admin-consents",
            post(tenancy::admin_consent),
        )
        .route(
            "/_control/apps/{client_id}/admin-consents/{tenant}",
            delete(tenancy::remove_admin_consent),
        )
        .route("/_control/users", post(directory::add_user))
        .route("/_control/groups", post(directory::add_group))
        .route("/_control/consents", post(identity::set_consent))
        .route(
            "/_control/refresh-tokens",
            post(identity::issue_refresh_token),
        )
        .route(
            "/_control/users/{user_id}/refresh-tokens/invalidate",
            post(identity::invalidate_refresh_tokens),
        )
        .route("/_control/sign-in", post(identity::queue_sign_in))
        .route("/_control/sessions/revoke", post(identity::revoke_sessions))
        .route(
            "/_control/faults",
            post(faults::add_fault).delete(faults::clear_faults),
        )
        .route("/_control/requests", get(requests::list_requests))
        .route("/_control/requests", delete(requests::clear_requests))
        .merge(change_feed::routes())
        // Tests seed large photos (past Graph's answer caps) through `/_control/users`.
        .layer(DefaultBodyLimit::max(CONTROL_BODY_LIMIT))
}

/// The largest control request body: room for a photo several times the bundle's 4 MiB cap.
const CONTROL_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// `POST /_control/reset`: forget everything.
async fn reset(State(state): State<SharedState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

/// `POST /_control/settings`: change some settings; answers with all of them.
async fn update_settings(
    State(state): State<SharedState>,
    ControlJson(update): ControlJson<SettingsUpdate>,
) -> Result<Json<Settings>, ControlError> {
    let mut world = state.world();
    world
        .settings
        .apply(update)
        .map_err(ControlError::bad_request)?;
    Ok(Json(world.settings))
}
