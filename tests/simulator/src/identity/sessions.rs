//! Revoked sign-in sessions: access tokens issued before a revocation are refused by Graph, as
//! Continuous Access Evaluation (CAE) does after a critical event (an administrator revoking a
//! user's sessions, disabling an account, a location change): a token of a client that declared the
//! `cp1` capability gets a 401 claims challenge, which a new token satisfies.
//! (learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation,
//! learn.microsoft.com/entra/identity-platform/claims-challenge.)

use std::collections::HashMap;

use chrono::Utc;

use super::claims::AccessTokenClaims;

/// One revocation: tokens issued before it are refused.
#[derive(Clone, Copy, Debug)]
pub struct Revocation {
    /// When it happened (epoch seconds), the `nbf` a new token must satisfy.
    pub at: i64,
    /// Tokens issued up to this issue number are refused (exact even within one second).
    up_to: u64,
    /// Whether capable clients get a claims challenge (`false`: a plain 401, as for a token
    /// Graph refuses without saying how to get a better one).
    pub challenge: bool,
}

/// Revocations by principal (a user's object id, or an app in a tenant), and the issue number of
/// every access token issued (by its `uti`).
#[derive(Default)]
pub struct Sessions {
    revocations: HashMap<String, Revocation>,
    issued: HashMap<String, u64>,
    issue_count: u64,
}

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
    /// Records an access token being issued (its `uti`).
    pub fn issued(&mut self, uti: &str) {
        self.issue_count += 1;
        self.issued.insert(uti.to_string(), self.issue_count);
    }

    /// Every access token issued to the user until now is refused.
    pub fn revoke_user(&mut self, user_id: &str, challenge: bool) {
        let revocation = self.now(challenge);
        self.revocations.insert(user_key(user_id), revocation);
    }

    /// Every app-only token of `client_id` in `tenant_id` issued until now is refused.
    pub fn revoke_app(&mut self, tenant_id: &str, client_id: &str, challenge: bool) {
        let revocation = self.now(challenge);
        self.revocations
            .insert(app_key(tenant_id, client_id), revocation);
    }

    fn now(&self, challenge: bool) -> Revocation {
        Revocation {
            at: Utc::now().timestamp(),
            up_to: self.issue_count,
            challenge,
        }
    }

    /// The revocation that refuses a token with these claims, if any.
    pub fn refusing(&self, claims: &AccessTokenClaims) -> Option<Revocation> {
        let key = match (&claims.oid, claims.idtyp.as_str()) {
            (Some(oid), "user") => user_key(oid),
            _ => app_key(&claims.tid, &claims.appid),
        };
        let issue_number = self.issued.get(&claims.uti).copied().unwrap_or(0);
        self.revocations
            .get(&key)
            .copied()
            .filter(|revocation| issue_number <= revocation.up_to)
    }
}
