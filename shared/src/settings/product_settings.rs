//! The product settings kept in one Secrets Manager secret (JSON), parsed and validated.
//! Every problem is a `ConfigurationInvalid` naming the bad field.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::settings::cloud::Cloud;
use crate::support::secret::Secret;

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Azure app registration's client id.
    pub client_id: String,
    /// The Azure app registration's client secret.
    pub client_secret: Secret,
    /// Tenant users sign in through: `common`, `organizations`, `consumers` or a tenant GUID.
    pub tenant_id: String,
    /// The app's own tenant (GUID), for application permissions; `None` disables them.
    pub app_tenant_id: Option<String>,
    /// The OAuth redirect URI (the `auth-callback` route).
    pub redirect_uri: Option<String>,
    /// Where a successful sign-in lands.
    pub callback_url: Option<String>,
    /// Where a failed sign-in lands, with `f=<code>`.
    pub failure_url: Option<String>,
    /// Return URLs `auth-start` may be asked to redirect to.
    pub allowed_return_urls: Vec<String>,
    /// Scopes asked for at sign-in.
    pub scopes: ScopeSettings,
    /// Keys the refresh tokens are encrypted with.
    pub encryption_keys: EncryptionKeys,
    /// At most one application user may link each Microsoft account (`auth-complete` refuses a
    /// second with `AccountAlreadyLinked`; revoking the link frees the account).
    pub one_link_per_microsoft_account: bool,
    /// The Microsoft cloud the app is registered in (`global` by default): its login and Graph
    /// hosts and `.default` scope.
    pub cloud: Cloud,
}

/// Scopes asked for at sign-in, besides `openid profile offline_access User.Read`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeSettings {
    /// Scopes asked for by default.
    #[serde(default)]
    pub default: Vec<String>,
    /// Scopes asked for by flows started with `mode=dev` when `override_default` is on.
    #[serde(default)]
    pub dev: Vec<String>,
    /// Whether `mode=dev` flows use the dev scopes.
    #[serde(default)]
    pub override_default: bool,
}

/// AES-256 keys by key id; `active` encrypts, every key decrypts.
#[derive(Clone)]
pub struct EncryptionKeys {
    /// Key id new ciphertexts are written with.
    pub active: String,
    /// Every known key by id.
    pub keys: BTreeMap<String, [u8; 32]>,
}

impl std::fmt::Debug for EncryptionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionKeys")
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSettings {
    client_id: Option<String>,
    client_secret: Option<Secret>,
    tenant_id: Option<String>,
    app_tenant_id: Option<String>,
    redirect_uri: Option<String>,
    callback_url: Option<String>,
    failure_url: Option<String>,
    #[serde(default)]
    allowed_return_urls: Vec<String>,
    #[serde(default)]
    scopes: ScopeSettings,
    token_encryption_keys: Option<RawKeys>,
    #[serde(default)]
    one_link_per_microsoft_account: bool,
    cloud: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeys {
    active: String,
    keys: BTreeMap<String, Secret>,
}

fn invalid(field: &str, problem: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ConfigurationInvalid,
        format!("settings field `{field}` {problem}"),
    )
}

/// Describes a JSON problem without echoing any value from the secret: serde's messages for unknown
/// or missing fields name only the field; every other message may quote a value, so only its position is kept.
fn describe_parse_error(error: serde_json::Error) -> ApiError {
    let text = error.to_string();
    let message = if text.starts_with("unknown field") || text.starts_with("missing field") {
        format!("settings are not valid: {text}")
    } else {
        format!(
            "settings are not valid JSON of the expected shape (line {}, column {})",
            error.line(),
            error.column()
        )
    };
    ApiError::new(ErrorCode::ConfigurationInvalid, message)
}

/// True for a canonical GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits).
pub fn is_guid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn required(value: Option<String>, field: &str) -> Result<String, ApiError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(invalid(field, "is missing")),
    }
}

fn absolute_url(value: Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => match url::Url::parse(&v) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(Some(v)),
            _ => Err(invalid(field, "is not an absolute http(s) URL")),
        },
    }
}

fn parse_keys(raw: Option<RawKeys>) -> Result<EncryptionKeys, ApiError> {
    let field = "tokenEncryptionKeys";
    let raw = raw.ok_or_else(|| invalid(field, "is missing"))?;
    let mut keys = BTreeMap::new();
    for (kid, encoded) in raw.keys {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.expose())
            .map_err(|_| invalid(&format!("{field}.keys.{kid}"), "is not base64"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| invalid(&format!("{field}.keys.{kid}"), "is not 32 bytes (AES-256)"))?;
        keys.insert(kid, key);
    }
    if !keys.contains_key(&raw.active) {
        return Err(invalid(
            &format!("{field}.active"),
            "names no key in `keys`",
        ));
    }
    Ok(EncryptionKeys {
        active: raw.active,
        keys,
    })
}

impl Settings {
    /// Parses and validates the secret's JSON text.
    pub fn parse(json: &str) -> Result<Self, ApiError> {
        let raw: RawSettings = serde_json::from_str(json).map_err(describe_parse_error)?;
        let tenant_id = required(raw.tenant_id, "tenantId")?;
        if !(matches!(tenant_id.as_str(), "common" | "organizations" | "consumers")
            || is_guid(&tenant_id))
        {
            return Err(invalid(
                "tenantId",
                "must be common, organizations, consumers or a tenant GUID",
            ));
        }
        if let Some(app_tenant) = &raw.app_tenant_id
            && !is_guid(app_tenant)
        {
            return Err(invalid("appTenantId", "must be a tenant GUID"));
        }
        let client_secret = raw
            .client_secret
            .ok_or_else(|| invalid("clientSecret", "is missing"))?;
        if client_secret.expose().is_empty() {
            return Err(invalid("clientSecret", "is missing"));
        }
        for url in &raw.allowed_return_urls {
            absolute_url(Some(url.clone()), "allowedReturnUrls")?;
        }
        Ok(Self {
            client_id: required(raw.client_id, "clientId")?,
            client_secret,
            tenant_id,
            app_tenant_id: raw.app_tenant_id,
            redirect_uri: absolute_url(raw.redirect_uri, "redirectUri")?,
            callback_url: absolute_url(raw.callback_url, "callbackUrl")?,
            failure_url: absolute_url(raw.failure_url, "failureUrl")?,
            allowed_return_urls: raw.allowed_return_urls,
            scopes: raw.scopes,
            encryption_keys: parse_keys(raw.token_encryption_keys)?,
            one_link_per_microsoft_account: raw.one_link_per_microsoft_account,
            cloud: match raw.cloud.as_deref() {
                None => Cloud::Global,
                Some(name) => Cloud::from_setting(name).ok_or_else(|| {
                    invalid("cloud", "must be one of global, usGovL4, usGovL5, china")
                })?,
            },
        })
    }

    /// The app tenant, or `ConfigurationInvalid` when application permissions are not configured.
    pub fn require_app_tenant(&self) -> Result<&str, ApiError> {
        self.app_tenant_id
            .as_deref()
            .ok_or_else(|| invalid("appTenantId", "is missing: application permissions need it"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> serde_json::Value {
        json!({
            "clientId": "11111111-1111-1111-1111-111111111111",
            "clientSecret": "s3cr3t",
            "tenantId": "common",
            "appTenantId": "22222222-2222-2222-2222-222222222222",
            "redirectUri": "https://api.example.com/auth/callback",
            "scopes": {"default": ["Calendars.ReadWrite"], "dev": [], "overrideDefault": false},
            "tokenEncryptionKeys": {"active": "k1", "keys": {"k1": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}
        })
    }

    fn message(result: Result<Settings, ApiError>) -> String {
        match result.unwrap_err() {
            ApiError::Own {
                code: ErrorCode::ConfigurationInvalid,
                message,
                ..
            } => message,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parses_valid_settings() {
        let settings = Settings::parse(&valid().to_string()).unwrap();
        assert_eq!(settings.tenant_id, "common");
        assert_eq!(
            settings.require_app_tenant().unwrap(),
            "22222222-2222-2222-2222-222222222222"
        );
        assert_eq!(settings.encryption_keys.keys["k1"], [0u8; 32]);
        assert!(!settings.one_link_per_microsoft_account);
        let mut s = valid();
        s["oneLinkPerMicrosoftAccount"] = json!(true);
        assert!(
            Settings::parse(&s.to_string())
                .unwrap()
                .one_link_per_microsoft_account
        );
    }

    #[test]
    fn names_the_bad_field() {
        let mut s = valid();
        s["tenantId"] = json!("contoso");
        assert!(message(Settings::parse(&s.to_string())).contains("`tenantId`"));

        let mut s = valid();
        s["appTenantId"] = json!("nope");
        assert!(message(Settings::parse(&s.to_string())).contains("`appTenantId`"));

        let mut s = valid();
        s["tokenEncryptionKeys"]["active"] = json!("k9");
        assert!(message(Settings::parse(&s.to_string())).contains("tokenEncryptionKeys.active"));

        let mut s = valid();
        s["tokenEncryptionKeys"]["keys"]["k1"] = json!("c2hvcnQ=");
        assert!(message(Settings::parse(&s.to_string())).contains("32 bytes"));

        let mut s = valid();
        s.as_object_mut().unwrap().remove("clientId");
        assert!(message(Settings::parse(&s.to_string())).contains("`clientId`"));
    }

    #[test]
    fn errors_never_echo_the_secret() {
        let mut s = valid();
        s["clientSecret"] = json!(42);
        let text = message(Settings::parse(&s.to_string()));
        assert!(!text.contains("s3cr3t"));
        assert!(
            format!("{:?}", Settings::parse(&valid().to_string()).unwrap()).contains("[redacted]")
        );
    }

    #[test]
    fn application_permissions_need_an_app_tenant() {
        let mut s = valid();
        s.as_object_mut().unwrap().remove("appTenantId");
        let settings = Settings::parse(&s.to_string()).unwrap();
        assert_eq!(
            settings.require_app_tenant().unwrap_err().code(),
            Some(ErrorCode::ConfigurationInvalid)
        );
    }
}
