//! Application registrations (confidential clients).

use std::collections::BTreeMap;

use serde::Deserialize;

/// An app registration with its client secret and admin-consented application permissions.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct App {
    /// Application (client) id.
    pub client_id: String,
    /// The one valid client secret.
    pub client_secret: String,
    /// Home tenant GUID: client credentials are issued only there.
    pub tenant_id: String,
    /// Registered redirect URIs (exact match).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// App roles admin-consented in the home tenant; the `roles` claim of app-only tokens.
    #[serde(default)]
    pub application_permissions: Vec<String>,
    /// App roles admin-consented in other tenants (tenant id → roles): the app has a service
    /// principal there, so client credentials are issued there too.
    #[serde(skip)]
    pub tenant_consents: BTreeMap<String, Vec<String>>,
    /// Delegated permissions an administrator consented to for every user of a tenant (tenant id
    /// → permissions): its users sign in without being asked for them.
    #[serde(skip)]
    pub delegated_consents: BTreeMap<String, Vec<String>>,
}

impl App {
    /// The app roles admin-consented in `tenant_id`; `None` when the app has no service principal
    /// there (neither its home tenant nor one that consented).
    pub fn roles_in(&self, tenant_id: &str) -> Option<&[String]> {
        if self.tenant_id.eq_ignore_ascii_case(tenant_id) {
            return Some(&self.application_permissions);
        }
        self.tenant_consents
            .get(&tenant_id.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    /// Removes the app from `tenant_id` (not its home tenant); false when it was not there.
    pub fn remove_consent(&mut self, tenant_id: &str) -> bool {
        self.tenant_consents
            .remove(&tenant_id.to_ascii_lowercase())
            .is_some()
    }

    /// Whether an administrator consented to delegated `permission` for every user of `tenant_id`.
    pub fn consented_for_tenant(&self, tenant_id: &str, permission: &str) -> bool {
        self.delegated_consents
            .get(&tenant_id.to_ascii_lowercase())
            .is_some_and(|granted| granted.iter().any(|p| p.eq_ignore_ascii_case(permission)))
    }

    /// Records an administrator's consent to delegated `permissions` for every user of `tenant_id`
    /// (replacing an earlier one).
    pub fn consent_for_tenant(&mut self, tenant_id: &str, permissions: Vec<String>) {
        self.delegated_consents
            .insert(tenant_id.to_ascii_lowercase(), permissions);
    }

    /// Records an administrator's consent to `roles` in `tenant_id` (replacing an earlier one).
    pub fn admin_consent(&mut self, tenant_id: &str, roles: Vec<String>) {
        if self.tenant_id.eq_ignore_ascii_case(tenant_id) {
            self.application_permissions = roles;
        } else {
            self.tenant_consents
                .insert(tenant_id.to_ascii_lowercase(), roles);
        }
    }
}

/// Every registered app, by client id.
#[derive(Default)]
pub struct Apps(Vec<App>);

impl Apps {
    /// Registers an app, replacing an earlier registration with the same client id.
    pub fn put(&mut self, app: App) {
        self.0
            .retain(|existing| existing.client_id != app.client_id);
        self.0.push(app);
    }

    /// The app with this client id (GUIDs compare case-insensitively).
    pub fn find(&self, client_id: &str) -> Option<&App> {
        self.0
            .iter()
            .find(|app| app.client_id.eq_ignore_ascii_case(client_id))
    }

    /// The app with this client id, to change.
    pub fn find_mut(&mut self, client_id: &str) -> Option<&mut App> {
        self.0
            .iter_mut()
            .find(|app| app.client_id.eq_ignore_ascii_case(client_id))
    }
}
