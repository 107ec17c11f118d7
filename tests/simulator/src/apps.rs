//! Application registrations (confidential clients).

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
}
