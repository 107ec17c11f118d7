//! Issuing tokens that act for a user (authorization code and refresh token grants).

use serde_json::json;

use super::{TokenRequest, token_response};
use crate::identity::claims::{AccessTokenClaims, IdTokenClaims};
use crate::identity::errors::IdentityError;
use crate::identity::scopes::{OidcScope, ScopeRequest, granted_scope_string};
use crate::state::World;
use axum::response::Response;

/// Issues an access token for `user_id` carrying every Graph permission the user consented
/// to for the app (as Microsoft does), a refresh token with `offline_access` and an id token
/// with `openid`. Fails with AADSTS65001 when `scopes` asks for anything not consented.
pub fn issue(
    request: &TokenRequest<'_>,
    world: &mut World,
    user_id: &str,
    scopes: ScopeRequest,
    nonce: Option<&str>,
) -> Result<Response, IdentityError> {
    let client_id = request.app.client_id.as_str();
    let user = world
        .directory
        .user_by_id(user_id)
        .ok_or_else(|| IdentityError::user_not_found(user_id))?
        .clone();
    if !request.authority.admits(&user.tenant_id) {
        return Err(IdentityError::invalid_grant());
    }
    let consented = world.consents.granted(user.id(), client_id);
    let asked = scopes.graph_permissions(&consented);
    if !asked.is_subset(&consented) || (scopes.graph_default && consented.is_empty()) {
        return Err(IdentityError::consent_required(client_id));
    }
    let lifetime = world.settings.access_token_lifetime_secs;
    let signer = &request.state.signer;
    let mut claims =
        AccessTokenClaims::delegated(&user, client_id, consented.iter().copied(), lifetime);
    claims.xms_cc = request.form.client_capabilities()?;
    claims.aud = world.settings.cloud.graph_resource().to_string();
    world.sessions.issued(&claims.uti);
    let access_token = signer.sign(&claims);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted_scope_string(&consented, &scopes.oidc, world.settings.cloud),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    });
    if scopes.oidc.contains(&OidcScope::OpenId) {
        let with_email = scopes.oidc.contains(&OidcScope::Email);
        let claims = IdTokenClaims::new(
            &request.state.base_url,
            &user,
            client_id,
            with_email,
            nonce,
            lifetime,
        );
        body["id_token"] = json!(signer.sign(&claims));
    }
    if scopes.oidc.contains(&OidcScope::OfflineAccess) {
        body["refresh_token"] = json!(world.refresh_tokens.issue(client_id, user.id(), scopes));
    }
    Ok(token_response(body))
}
