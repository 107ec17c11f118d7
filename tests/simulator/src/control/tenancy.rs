//! `POST /_control/tenants` and `POST /_control/apps`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Json;
use serde_json::{Value, json};

use super::errors::{ControlError, ControlJson};
use super::lookup;
use crate::apps::App;
use crate::identity::scopes::{ScopeRequest, application_permission};
use crate::state::SharedState;
use crate::tenants::Tenant;

/// Registers a tenant (GUID id, one domain).
pub async fn add_tenant(
    State(state): State<SharedState>,
    ControlJson(tenant): ControlJson<Tenant>,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    if uuid::Uuid::parse_str(&tenant.id).is_err() {
        return Err(ControlError::bad_request(format!(
            "tenant id '{}' is not a GUID",
            tenant.id
        )));
    }
    if tenant.domain.trim().is_empty() {
        return Err(ControlError::bad_request("domain is empty"));
    }
    let body = json!({ "id": tenant.id, "domain": tenant.domain, "cloud": tenant.cloud });
    state
        .world()
        .tenants
        .add(tenant)
        .map_err(ControlError::conflict)?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// An administrator's consent to an app's application permissions in a tenant, as posted.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminConsentRequest {
    tenant_id: String,
    /// App roles (absent: unchanged).
    application_permissions: Option<Vec<String>>,
    /// Delegated permissions consented for every user of the tenant (absent: unchanged).
    delegated_permissions: Option<Vec<String>>,
}

fn known_permissions(names: &[String]) -> Result<Vec<String>, ControlError> {
    names
        .iter()
        .map(|name| {
            application_permission(name)
                .map(str::to_owned)
                .ok_or_else(|| {
                    ControlError::bad_request(format!("unknown application permission '{name}'"))
                })
        })
        .collect()
}

/// `POST /_control/apps/{clientId}/admin-consents`: an administrator of `tenantId` consents to the
/// app's application permissions (replacing an earlier consent; in the home tenant, its
/// `applicationPermissions`). Tokens issued before keep their `roles`.
pub async fn admin_consent(
    State(state): State<SharedState>,
    axum::extract::Path(client_id): axum::extract::Path<String>,
    ControlJson(consent): ControlJson<AdminConsentRequest>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    let tenant_id = lookup::tenant_id(&world, &consent.tenant_id)?;
    let roles = consent
        .application_permissions
        .as_deref()
        .map(known_permissions)
        .transpose()?;
    let delegated = consent
        .delegated_permissions
        .as_deref()
        .map(|names| {
            ScopeRequest::parse(&names.join(" "))
                .map(|scopes| {
                    scopes
                        .graph
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                })
                .map_err(|error| ControlError::bad_request(error.description()))
        })
        .transpose()?;
    let app = world
        .apps
        .find_mut(&client_id)
        .ok_or_else(|| ControlError::not_found(format!("app '{client_id}' does not exist")))?;
    if let Some(roles) = roles {
        app.admin_consent(&tenant_id, roles);
    }
    if let Some(permissions) = delegated {
        app.consent_for_tenant(&tenant_id, permissions);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /_control/apps/{clientId}/admin-consents/{tenantId}`: the tenant's administrator
/// removes the app (its service principal).
pub async fn remove_admin_consent(
    State(state): State<SharedState>,
    axum::extract::Path((client_id, tenant)): axum::extract::Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    let mut world = state.world();
    let tenant_id = lookup::tenant_id(&world, &tenant)?;
    let app = world
        .apps
        .find_mut(&client_id)
        .ok_or_else(|| ControlError::not_found(format!("app '{client_id}' does not exist")))?;
    if app.remove_consent(&tenant_id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ControlError::not_found(format!(
            "app '{client_id}' is not consented in tenant '{tenant_id}' (or it is its home tenant)"
        )))
    }
}

/// Registers (or replaces) an app in an existing tenant.
pub async fn add_app(
    State(state): State<SharedState>,
    ControlJson(mut app): ControlJson<App>,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let mut world = state.world();
    let tenant_id = lookup::tenant_id(&world, &app.tenant_id)?;
    app.tenant_id = tenant_id;
    app.application_permissions = known_permissions(&app.application_permissions)?;
    let body = json!({
        "clientId": app.client_id,
        "tenantId": app.tenant_id,
        "redirectUris": app.redirect_uris,
        "applicationPermissions": app.application_permissions,
    });
    world.apps.put(app);
    Ok((StatusCode::CREATED, Json(body)))
}
