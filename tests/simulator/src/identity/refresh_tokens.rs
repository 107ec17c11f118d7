//! Refresh tokens and the per-user revocations that make them fail.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::errors::IdentityError;
use super::scopes::ScopeRequest;
use crate::ids::random_base64url;

const TOKEN_PREFIX: &str = "0.A";
const TOKEN_RANDOM_BYTES: usize = 96;

/// What a refresh token was issued for.
#[derive(Clone, Debug)]
pub struct RefreshGrant {
    /// The app it was issued to.
    pub client_id: String,
    /// The user it acts for.
    pub user_id: String,
    /// The scopes of the sign-in it descends from.
    pub scopes: ScopeRequest,
    issue_number: u64,
    issued_at: DateTime<Utc>,
}

/// Why every refresh token of a user stopped working (`POST /_control/users/{id}/refresh-tokens/invalidate`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// AADSTS70008.
    Expired,
    /// AADSTS700082.
    Inactive,
    /// AADSTS50173 (password change, admin revocation).
    Revoked,
    /// AADSTS50076 (MFA required).
    InteractionRequired,
    /// AADSTS65001.
    ConsentRequired,
    /// AADSTS53003 (a Conditional Access policy blocks the user).
    BlockedByConditionalAccess,
    /// AADSTS70043 (sign-in frequency of a Conditional Access policy).
    SignInFrequency,
    /// AADSTS700084 (a single-page application's refresh token reached its fixed lifetime).
    SpaLifetime,
    /// AADSTS50196 (Microsoft stopped a request loop).
    LoopDetected,
}

struct Revocation {
    reason: RevocationReason,
    /// Tokens with an issue number up to this one are revoked.
    up_to: u64,
    at: DateTime<Utc>,
}

/// Issued refresh tokens. Redeeming one never invalidates it (as with Microsoft's).
#[derive(Default)]
pub struct RefreshTokens {
    grants: HashMap<String, RefreshGrant>,
    revocations: HashMap<String, Revocation>,
    issued: u64,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl RefreshTokens {
    /// Issues a new refresh token.
    pub fn issue(&mut self, client_id: &str, user_id: &str, scopes: ScopeRequest) -> String {
        self.issued += 1;
        let token = format!("{TOKEN_PREFIX}{}", random_base64url(TOKEN_RANDOM_BYTES));
        let grant = RefreshGrant {
            client_id: client_id.to_string(),
            user_id: user_id.to_string(),
            scopes,
            issue_number: self.issued,
            issued_at: Utc::now(),
        };
        self.grants.insert(token.clone(), grant);
        token
    }

    /// From now on every refresh token already issued to `user_id` fails for `reason`.
    pub fn revoke_all(&mut self, user_id: &str, reason: RevocationReason) {
        let revocation = Revocation {
            reason,
            up_to: self.issued,
            at: Utc::now(),
        };
        self.revocations
            .insert(user_id.to_ascii_lowercase(), revocation);
    }

    /// The grant behind `token`, or the error Microsoft answers for it.
    pub fn redeem(&self, token: &str) -> Result<&RefreshGrant, IdentityError> {
        if !is_well_formed(token) {
            return Err(IdentityError::malformed_request());
        }
        let grant = self
            .grants
            .get(token)
            .ok_or_else(IdentityError::invalid_grant)?;
        match self.revocations.get(&grant.user_id.to_ascii_lowercase()) {
            Some(revocation) if grant.issue_number <= revocation.up_to => {
                Err(match revocation.reason {
                    RevocationReason::Expired => IdentityError::grant_expired(),
                    RevocationReason::Inactive => {
                        IdentityError::refresh_token_inactive(&timestamp(grant.issued_at))
                    }
                    RevocationReason::Revoked => IdentityError::refresh_token_revoked(
                        &timestamp(grant.issued_at),
                        &timestamp(revocation.at),
                    ),
                    RevocationReason::InteractionRequired => IdentityError::interaction_required(),
                    RevocationReason::ConsentRequired => {
                        IdentityError::consent_required(&grant.client_id)
                    }
                    RevocationReason::BlockedByConditionalAccess => {
                        IdentityError::blocked_by_conditional_access()
                    }
                    RevocationReason::SignInFrequency => {
                        IdentityError::sign_in_frequency(&timestamp(grant.issued_at))
                    }
                    RevocationReason::SpaLifetime => {
                        IdentityError::spa_refresh_token_expired(&timestamp(grant.issued_at))
                    }
                    RevocationReason::LoopDetected => IdentityError::loop_detected(),
                })
            }
            _ => Ok(grant),
        }
    }
}

fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == TOKEN_RANDOM_BYTES * 4 / 3
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}
