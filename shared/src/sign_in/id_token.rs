//! Reads claims from an OpenID Connect id token received straight from the token endpoint over TLS.
//! OpenID Connect Core §3.1.3.7 allows using TLS server validation instead of checking the signature
//! in that case; the token is never accepted from anywhere else.

use base64::Engine;
use serde::Deserialize;

use crate::support::secret::Secret;

/// The id token claims this bundle uses.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// The user's object id.
    pub oid: Option<String>,
    /// The tenant the user signed in to.
    pub tid: Option<String>,
    /// The user's sign-in name (usually the userPrincipalName).
    pub preferred_username: Option<String>,
}

/// The claims of `token`, or `None` if it is not a readable JWT.
pub fn read_claims(token: &Secret) -> Option<IdTokenClaims> {
    let payload = token.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            br#"{"oid":"o-1","tid":"t-1","preferred_username":"adele@contoso.com","aud":"x"}"#,
        );
        let claims =
            read_claims(&Secret::new(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.sig"))).unwrap();
        assert_eq!(claims.oid.as_deref(), Some("o-1"));
        assert_eq!(claims.tid.as_deref(), Some("t-1"));
        assert!(read_claims(&Secret::new("not-a-jwt")).is_none());
    }
}
