//! A user object of the directory.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A profile photo: its media type and bytes.
#[derive(Clone, Debug)]
pub struct Photo {
    /// MIME type served by `/photo/$value`, e.g. `image/jpeg`.
    pub content_type: String,
    /// The image bytes.
    pub bytes: Vec<u8>,
}

impl Photo {
    /// A quoted entity tag derived from the bytes (`@odata.mediaEtag`).
    pub fn etag(&self) -> String {
        let digest = Sha256::digest(&self.bytes);
        let hex: String = digest
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02X}"))
            .collect();
        format!("\"{hex}\"")
    }
}

/// A user: its Graph properties (always including `id`) plus what Graph exposes through
/// navigation properties.
#[derive(Clone, Debug)]
pub struct UserRecord {
    id: String,
    /// The tenant the user belongs to.
    pub tenant_id: String,
    /// Graph properties as stored (`id`, `userPrincipalName`, `displayName`, ...).
    pub properties: Map<String, Value>,
    /// Object id of the manager, in the same tenant.
    pub manager_id: Option<String>,
    /// Profile photo, if any.
    pub photo: Option<Photo>,
    /// Directory change number of the last create or update (for delta queries).
    pub changed_at: u64,
}

impl UserRecord {
    /// A user with the given properties; `id`, `createdDateTime`, `userType` and
    /// `businessPhones` are filled in as the directory does.
    pub fn new(tenant_id: String, id: String, mut properties: Map<String, Value>) -> UserRecord {
        properties.insert("id".into(), Value::String(id.clone()));
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        properties
            .entry("createdDateTime")
            .or_insert(Value::String(now));
        properties
            .entry("userType")
            .or_insert(Value::String("Member".into()));
        properties
            .entry("businessPhones")
            .or_insert(Value::Array(Vec::new()));
        UserRecord {
            id,
            tenant_id,
            properties,
            manager_id: None,
            photo: None,
            changed_at: 0,
        }
    }

    /// Object id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A string property, if set.
    pub fn text(&self, property: &str) -> Option<&str> {
        self.properties.get(property).and_then(Value::as_str)
    }

    /// `userPrincipalName` (always set).
    pub fn user_principal_name(&self) -> &str {
        self.text("userPrincipalName").unwrap_or_default()
    }

    /// `displayName`, or empty.
    pub fn display_name(&self) -> &str {
        self.text("displayName").unwrap_or_default()
    }

    /// Whether `key` names this user: its id or its userPrincipalName, case-insensitively.
    pub fn is_named_by(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key) || self.user_principal_name().eq_ignore_ascii_case(key)
    }
}
