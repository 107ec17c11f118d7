//! The functions' settings (the JSON document stored in the settings secret) for the demo app.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::demo_directory::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID};

/// Where the functions send the browser after a successful sign-in.
pub const CALLBACK_URL: &str = "http://localhost/linked";
/// Where the functions send the browser after a failed sign-in.
pub const FAILURE_URL: &str = "http://localhost/link-failed";
/// Id of the token encryption key the settings mark active.
pub const ACTIVE_KEY_ID: &str = "k1";

/// Settings for the demo app with sign-in redirect URI `redirect_uri`, user sign-in through
/// `common`, and a fresh random AES-256 token encryption key.
pub fn demo_settings(redirect_uri: &str) -> Value {
    let key = STANDARD.encode(rand::random::<[u8; 32]>());
    json!({
        "clientId": DEMO_CLIENT_ID,
        "clientSecret": DEMO_CLIENT_SECRET,
        "tenantId": "common",
        "appTenantId": DEMO_TENANT_ID,
        "redirectUri": redirect_uri,
        "callbackUrl": CALLBACK_URL,
        "failureUrl": FAILURE_URL,
        "allowedReturnUrls": [CALLBACK_URL],
        "scopes": {
            "default": ["User.Read.All", "Calendars.ReadWrite"],
            "dev": ["User.Read"],
            "overrideDefault": false
        },
        "tokenEncryptionKeys": {"active": ACTIVE_KEY_ID, "keys": {ACTIVE_KEY_ID: key}}
    })
}
