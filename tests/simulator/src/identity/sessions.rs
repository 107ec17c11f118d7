//! Revoked sign-in sessions: access tokens issued before a revocation are refused by Graph, as
//! Continuous Access Evaluation (CAE) does after a critical event (an administrator revoking a
//! user's sessions, disabling an account, a location change): a token of a client that declared the
//! `cp1` capability gets a 401 claims challenge, which a new token satisfies.
//! (learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation,
//! learn.microsoft.com/entra/identity-platform/claims-challenge.)

use std::collections::HashMap;

use chrono::Utc;

use super::claims::AccessTokenClaims;

/// One revocation: tokens issued before `at` (epoch seconds) are refused.
#[derive(Clone, Copy, Debug)]
pub struct Revocation {
    /// Tokens with `iat` before this are refused.
    pub at: i64,
    /// Whether capable clients get a claims challenge (`false`: a plain 401, as for a token
    /// Graph refuses without saying how to get a better one).
    pub challenge: bool,
}

/// Revocations by principal: a user's object id, or an app in a tenant.
#[derive(Default)]
pub struct Sessions(HashMap<String, Revocation>);

fn user_key(user_id: &str) -> String {
    format!("user:{}", user_id.to_ascii_lowercase())
}

fn app_key(tenant_id: &str, client_id: &str) -> String {
    format!(
        "app:{}:{}",
        tenant_id.to_ascii_lowercase(),
        client_id.to_ascii_lowercase()
    )
}

impl Sessions {
    /// Every access token issued to the user before now is refused.
    pub fn revoke_user(&mut self, user_id: &str, challenge: bool) {
        self.0.insert(user_key(user_id), Self::now(challenge));
    }

    /// Every app-only token of `client_id` in `tenant_id` issued before now is refused.
    pub fn revoke_app(&mut self, tenant_id: &str, client_id: &str, challenge: bool) {
        self.0
            .insert(app_key(tenant_id, client_id), Self::now(challenge));
    }

    fn now(challenge: bool) -> Revocation {
        Revocation {
            at: Utc::now().timestamp(),
            challenge,
        }
    }

    /// The revocation that refuses a token with these claims, if any.
    pub fn refusing(&self, claims: &AccessTokenClaims) -> Option<Revocation> {
        let key = match (&claims.oid, claims.idtyp.as_str()) {
            (Some(oid), "user") => user_key(oid),
            _ => app_key(&claims.tid, &claims.appid),
        };
        self.0
            .get(&key)
            .copied()
            .filter(|revocation| claims.iat < revocation.at)
    }
}
