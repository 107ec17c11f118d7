//! `grant_type=refresh_token`: every redemption returns a new refresh token; the old one
//! keeps working. A disabled user's refresh tokens fail (AADSTS50057) while the account is
//! disabled.

use axum::response::Response;
use serde_json::Value;

use super::{TokenRequest, delegated};
use crate::identity::errors::IdentityError;
use crate::identity::scopes::OidcScope;
use crate::state::World;

/// Redeems a refresh token issued to this client, for its scopes or those asked for now.
pub fn redeem(request: &TokenRequest<'_>, world: &mut World) -> Result<Response, IdentityError> {
    let token = request.form.required("refresh_token")?;
    let requested = request.form.scopes()?;
    let grant = world.refresh_tokens.redeem(token)?.clone();
    if !grant.client_id.eq_ignore_ascii_case(&request.app.client_id) {
        return Err(IdentityError::invalid_grant());
    }
    let disabled = world
        .directory
        .user_by_id(&grant.user_id)
        .is_some_and(|user| user.properties.get("accountEnabled") == Some(&Value::Bool(false)));
    if disabled {
        return Err(IdentityError::user_disabled());
    }
    let mut scopes = requested.unwrap_or(grant.scopes);
    scopes.oidc.insert(OidcScope::OfflineAccess);
    delegated::issue(request, world, &grant.user_id, scopes, None)
}
