//! `grant_type=client_credentials`: app-only tokens in the app's home tenant, or in any tenant
//! whose administrator consented to the app (it has a service principal there).

use axum::response::Response;
use serde_json::json;

use super::{TokenRequest, token_response};
use crate::identity::claims::AccessTokenClaims;
use crate::identity::errors::IdentityError;
use crate::identity::scopes::is_graph_default;
use crate::state::World;
use crate::tenants::Authority;

/// Issues an app-only Graph token whose `roles` are the app's application permissions.
pub fn issue(request: &TokenRequest<'_>, world: &mut World) -> Result<Response, IdentityError> {
    let app = &request.app;
    let Authority::Tenant(tenant) = &request.authority else {
        return Err(IdentityError::tenant_required());
    };
    let Some(roles) = app.roles_in(&tenant.id) else {
        return Err(IdentityError::unknown_client(
            &app.client_id,
            &request.tenant_segment,
        ));
    };
    let scope = request.form.required("scope")?;
    if !is_graph_default(scope.trim()) {
        return Err(IdentityError::invalid_scope(scope));
    }
    let lifetime = world.settings.access_token_lifetime_secs;
    let mut claims =
        AccessTokenClaims::application(&tenant.id, &app.client_id, roles.to_vec(), lifetime);
    claims.xms_cc = request.form.client_capabilities()?;
    claims.aud = world.settings.cloud.graph_resource().to_string();
    world.sessions.issued(&claims.uti);
    Ok(token_response(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": request.state.signer.sign(&claims),
    })))
}
