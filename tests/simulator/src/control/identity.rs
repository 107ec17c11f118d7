//! Identity arrangements: consents, refresh tokens, their invalidation, and queued sign-ins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{ControlError, ControlJson};
use super::lookup;
use crate::identity::refresh_tokens::RevocationReason;
use crate::identity::scopes::{OidcScope, ScopeRequest};
use crate::identity::sign_in_queue::QueuedSignIn;
use crate::state::{SharedState, World};

/// A user's grant to an app, as posted to `/consents` and `/refresh-tokens`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantRequest {
    user_id: String,
    client_id: String,
    scopes: Vec<String>,
}

/// An invalidation reason as posted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidationRequest {
    reason: RevocationReason,
}

/// The canonical user id and client id of a grant, and its parsed scopes.
fn resolve_grant(
    world: &World,
    request: &GrantRequest,
) -> Result<(String, String, ScopeRequest), ControlError> {
    let user_id = lookup::user_id(world, &request.user_id)?;
    let app = world.apps.find(&request.client_id).ok_or_else(|| {
        ControlError::not_found(format!("app '{}' does not exist", request.client_id))
    })?;
    let scopes = ScopeRequest::parse(&request.scopes.join(" "))
        .map_err(|error| ControlError::bad_request(error.description()))?;
    Ok((user_id, app.client_id.clone(), scopes))
}

/// `POST /_control/consents`: replaces what the user consented to for the app.
pub async fn set_consent(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<GrantRequest>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    let (user_id, client_id, scopes) = resolve_grant(&world, &request)?;
    world.consents.replace(&user_id, &client_id, scopes.graph);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_control/refresh-tokens`: a refresh token as if the user had signed in with these
/// scopes (their consent is recorded too).
pub async fn issue_refresh_token(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<GrantRequest>,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let mut world = state.world();
    let (user_id, client_id, mut scopes) = resolve_grant(&world, &request)?;
    world.consents.grant(&user_id, &client_id, &scopes.graph);
    scopes.oidc.insert(OidcScope::OfflineAccess);
    let refresh_token = world.refresh_tokens.issue(&client_id, &user_id, scopes);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "refresh_token": refresh_token })),
    ))
}

/// `POST /_control/users/{userId}/refresh-tokens/invalidate`: every refresh token issued to
/// the user so far fails for the given reason.
pub async fn invalidate_refresh_tokens(
    State(state): State<SharedState>,
    Path(user_id): Path<String>,
    ControlJson(request): ControlJson<InvalidationRequest>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    let user_id = lookup::user_id(&world, &user_id)?;
    world.refresh_tokens.revoke_all(&user_id, request.reason);
    Ok(StatusCode::NO_CONTENT)
}

/// A session revocation as posted to `/_control/sessions/revoke`: a user's, or an app's in a tenant.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRevocationRequest {
    /// The user whose access tokens are revoked (id or userPrincipalName).
    user_id: Option<String>,
    /// The app whose app-only tokens in `tenant_id` are revoked.
    client_id: Option<String>,
    /// The tenant of `client_id`'s tokens (id or domain).
    tenant_id: Option<String>,
    /// Whether CAE-capable clients get a claims challenge (default) or a plain 401.
    #[serde(default = "yes")]
    challenge: bool,
    /// Also revoke the user's refresh tokens (AADSTS50173), as an administrator's
    /// `revokeSignInSessions` does.
    #[serde(default)]
    refresh_tokens: bool,
}

fn yes() -> bool {
    true
}

/// `POST /_control/sessions/revoke`: Graph refuses access tokens issued until now to the user
/// (or to the app in the tenant), with a claims challenge for clients that declared `cp1`.
pub async fn revoke_sessions(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<SessionRevocationRequest>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    match (&request.user_id, &request.client_id, &request.tenant_id) {
        (Some(user), None, None) => {
            let user_id = lookup::user_id(&world, user)?;
            world.sessions.revoke_user(&user_id, request.challenge);
            if request.refresh_tokens {
                world
                    .refresh_tokens
                    .revoke_all(&user_id, RevocationReason::Revoked);
            }
        }
        (None, Some(client_id), Some(tenant)) if !request.refresh_tokens => {
            let tenant_id = lookup::tenant_id(&world, tenant)?;
            world
                .sessions
                .revoke_app(&tenant_id, client_id, request.challenge);
        }
        _ => {
            return Err(ControlError::bad_request(
                "name either userId, or clientId and tenantId (refreshTokens only with userId)",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_control/sign-in`: queues who signs in at the next `/authorize`.
pub async fn queue_sign_in(
    State(state): State<SharedState>,
    ControlJson(sign_in): ControlJson<QueuedSignIn>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    let user_id = lookup::user_id(&world, &sign_in.user_id)?;
    world.sign_ins.push(QueuedSignIn { user_id, ..sign_in });
    Ok(StatusCode::NO_CONTENT)
}
