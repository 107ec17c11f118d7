//! The claims of issued access tokens (Graph's v1.0 format) and id tokens (v2.0).

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::scopes::GRAPH_RESOURCE;
use crate::directory::UserRecord;
use crate::ids::new_guid;

/// Claims of a Graph access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Always `https://graph.microsoft.com`.
    pub aud: String,
    /// `https://sts.windows.net/{tid}/`.
    pub iss: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// `user` or `app`.
    pub idtyp: String,
    /// Tenant the token is for.
    pub tid: String,
    /// Client id of the app.
    pub appid: String,
    /// The signed-in user (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Space-separated delegated permissions (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// Application permissions (app-only tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// The user's userPrincipalName (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// The user's display name (delegated tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Client capabilities the token request declared (`cp1`: it handles claims challenges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xms_cc: Option<Vec<String>>,
    /// Subject.
    pub sub: String,
    /// Unique token id.
    pub uti: String,
    /// Token format version.
    pub ver: String,
}

fn graph_token(
    tenant_id: &str,
    client_id: &str,
    lifetime_secs: u64,
    subject: &str,
) -> AccessTokenClaims {
    let now = Utc::now().timestamp();
    AccessTokenClaims {
        aud: GRAPH_RESOURCE.to_string(),
        iss: format!("https://sts.windows.net/{tenant_id}/"),
        iat: now,
        nbf: now,
        exp: now + i64::try_from(lifetime_secs).unwrap_or(i64::MAX / 2),
        idtyp: String::new(),
        tid: tenant_id.to_string(),
        appid: client_id.to_string(),
        oid: None,
        scp: None,
        roles: None,
        upn: None,
        name: None,
        xms_cc: None,
        sub: subject.to_string(),
        uti: new_guid(),
        ver: "1.0".to_string(),
    }
}

impl AccessTokenClaims {
    /// A delegated token: `user` acting through `client_id` with `permissions`.
    pub fn delegated<'a>(
        user: &UserRecord,
        client_id: &str,
        permissions: impl IntoIterator<Item = &'a str>,
        lifetime_secs: u64,
    ) -> Self {
        let scp = permissions.into_iter().collect::<Vec<_>>().join(" ");
        AccessTokenClaims {
            idtyp: "user".to_string(),
            oid: Some(user.id().to_string()),
            scp: (!scp.is_empty()).then_some(scp),
            upn: Some(user.user_principal_name().to_string()),
            name: Some(user.display_name().to_string()),
            ..graph_token(&user.tenant_id, client_id, lifetime_secs, user.id())
        }
    }

    /// An app-only token for `client_id` in `tenant_id` with `roles`.
    pub fn application(
        tenant_id: &str,
        client_id: &str,
        roles: Vec<String>,
        lifetime_secs: u64,
    ) -> Self {
        AccessTokenClaims {
            idtyp: "app".to_string(),
            roles: Some(roles),
            ..graph_token(tenant_id, client_id, lifetime_secs, client_id)
        }
    }
}

/// Claims of an OpenID Connect id token.
#[derive(Clone, Debug, Serialize)]
pub struct IdTokenClaims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    name: String,
    oid: String,
    preferred_username: String,
    sub: String,
    tid: String,
    ver: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

impl IdTokenClaims {
    /// The id token of `user` for `client_id`, issued by the simulator at `base_url`.
    pub fn new(
        base_url: &str,
        user: &UserRecord,
        client_id: &str,
        with_email: bool,
        nonce: Option<&str>,
        lifetime_secs: u64,
    ) -> Self {
        let now = Utc::now().timestamp();
        IdTokenClaims {
            aud: client_id.to_string(),
            iss: format!("{base_url}/{}/v2.0", user.tenant_id),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(lifetime_secs).unwrap_or(i64::MAX / 2),
            name: user.display_name().to_string(),
            oid: user.id().to_string(),
            preferred_username: user.user_principal_name().to_string(),
            sub: user.id().to_string(),
            tid: user.tenant_id.clone(),
            ver: "2.0",
            email: with_email
                .then(|| user.text("mail").map(str::to_owned))
                .flatten(),
            nonce: nonce.map(str::to_owned),
        }
    }
}
