//! The identity platform v2 endpoints: `/{tenant}/oauth2/v2.0/authorize` and `/token`.

pub mod authorization_codes;
mod authorize;
pub mod claims;
pub mod consents;
pub mod errors;
pub mod jwt;
pub mod refresh_tokens;
pub mod scopes;
pub mod sessions;
pub mod sign_in_queue;
mod token;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SharedState;

/// Routes of the identity platform.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
}
