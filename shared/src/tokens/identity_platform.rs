//! The port to the Microsoft identity platform's token endpoint, and how its answers are classified.

use crate::tokens::aadsts::{
    APPLICATION_NOT_APPROVED, APPLICATION_NOT_FOUND, BLOCKED_BY_CONDITIONAL_ACCESS,
    BLOCKED_BY_SECURITY_POLICY, CLIENT_SECRET_EXPIRED, CONSENT_REQUIRED, DEVICE_NOT_COMPLIANT,
    DEVICE_NOT_DOMAIN_JOINED, EXTERNAL_CHALLENGE_REQUIRED, GRANT_EXPIRED, GRANT_REVOKED,
    INVALID_CLIENT_SECRET, INVALID_SCOPE, LOOP_DETECTED, MFA_EXPIRED, MFA_REGISTRATION_REQUIRED,
    MFA_REQUIRED, NATIONAL_CLOUD_TENANT, REFRESH_TOKEN_INACTIVE, REQUEST_MALFORMED,
    RESOURCE_PRINCIPAL_NOT_FOUND, SESSION_INVALID_PASSWORD_CHANGED, SIGN_IN_FREQUENCY,
    SPA_REFRESH_TOKEN_EXPIRED, TENANT_NOT_FOUND,
};
use async_trait::async_trait;

use crate::error::{ApiError, ErrorCode};
use crate::settings::product_settings::Settings;
use crate::support::deadline::Deadline;
use crate::support::secret::Secret;

/// A successful token response.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The access token.
    pub access_token: Secret,
    /// A new refresh token, when one was issued.
    pub refresh_token: Option<Secret>,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    /// Granted Graph scopes (short names, e.g. `User.Read`), without OpenID scopes.
    pub scopes: Vec<String>,
    /// The OpenID Connect id token, when one was issued.
    pub id_token: Option<Secret>,
}

/// An error response from the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRejection {
    /// HTTP status.
    pub status: u16,
    /// OAuth `error`, e.g. `invalid_grant`.
    pub error: String,
    /// AADSTS numbers from `error_codes`.
    pub error_codes: Vec<u32>,
    /// Microsoft's `suberror`, e.g. `consent_required`.
    pub suberror: Option<String>,
}

/// Why a token request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFailure {
    /// Microsoft answered with an OAuth error.
    Rejected(TokenRejection),
    /// No usable answer (network, timeout, 5xx, throttling) within the time budget.
    Unavailable(String),
    /// Throttled: Microsoft asked to wait this many seconds, more than the invocation had left.
    Throttled(u64),
}

/// The reason recorded on a link that lost a scope's consent.
pub const CONSENT_REQUIRED_REASON: &str = "consent_required";
/// The reason recorded on a link whose scopes Microsoft calls invalid.
pub const INVALID_SCOPE_REASON: &str = "invalid_scope";
/// Link reasons that mean a scope, not the sign-in, is missing: answered `ScopeInvalid`.
pub const SCOPE_REASONS: [&str; 2] = [CONSENT_REQUIRED_REASON, INVALID_SCOPE_REASON];

/// What a rejection means for a stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionKind {
    /// The refresh token will never work again (reason to record on the link).
    TokenDead(&'static str),
    /// The user has not consented to a requested scope, or a scope is invalid.
    ScopeMissing(&'static str),
    /// The tenant is unknown.
    TenantUnknown,
    /// The client id or secret is wrong.
    ClientInvalid,
    /// A Conditional Access policy blocks the user from here: signing in again does not help,
    /// the link stays.
    BlockedByPolicy,
    /// Anything else: not the token's fault.
    Other,
}

impl TokenRejection {
    /// Classifies the rejection by its AADSTS codes, OAuth error and sub-error.
    pub fn kind(&self) -> RejectionKind {
        let has = |code: u32| self.error_codes.contains(&code);
        // Not about the refresh token at all: a malformed request or a loop Microsoft stopped is
        // our side's or a passing fault, and must never cost the user their link.
        if has(REQUEST_MALFORMED) || has(LOOP_DETECTED) {
            return RejectionKind::Other;
        }
        if [
            DEVICE_NOT_COMPLIANT,
            DEVICE_NOT_DOMAIN_JOINED,
            APPLICATION_NOT_APPROVED,
            BLOCKED_BY_CONDITIONAL_ACCESS,
            BLOCKED_BY_SECURITY_POLICY,
        ]
        .into_iter()
        .any(has)
        {
            return RejectionKind::BlockedByPolicy;
        }
        if has(TENANT_NOT_FOUND) || has(NATIONAL_CLOUD_TENANT) {
            return RejectionKind::TenantUnknown;
        }
        if has(RESOURCE_PRINCIPAL_NOT_FOUND) {
            return RejectionKind::ClientInvalid;
        }
        if has(INVALID_CLIENT_SECRET)
            || has(APPLICATION_NOT_FOUND)
            || has(CLIENT_SECRET_EXPIRED)
            || self.error == "invalid_client"
            || self.error == "unauthorized_client"
        {
            return RejectionKind::ClientInvalid;
        }
        if has(CONSENT_REQUIRED) || self.suberror.as_deref() == Some("consent_required") {
            return RejectionKind::ScopeMissing(CONSENT_REQUIRED_REASON);
        }
        if has(INVALID_SCOPE) || self.error == "invalid_scope" {
            return RejectionKind::ScopeMissing(INVALID_SCOPE_REASON);
        }
        if has(GRANT_EXPIRED) {
            return RejectionKind::TokenDead("expired");
        }
        if has(REFRESH_TOKEN_INACTIVE) {
            return RejectionKind::TokenDead("inactive");
        }
        if has(GRANT_REVOKED)
            || has(SESSION_INVALID_PASSWORD_CHANGED)
            || has(SPA_REFRESH_TOKEN_EXPIRED)
        {
            return RejectionKind::TokenDead("revoked");
        }
        if has(MFA_REQUIRED)
            || has(MFA_REGISTRATION_REQUIRED)
            || has(MFA_EXPIRED)
            || has(EXTERNAL_CHALLENGE_REQUIRED)
            || has(SIGN_IN_FREQUENCY)
            || self.error == "interaction_required"
        {
            return RejectionKind::TokenDead("interaction_required");
        }
        if self.error == "invalid_grant" {
            return RejectionKind::TokenDead("invalid_grant");
        }
        RejectionKind::Other
    }

    /// The error to give the caller for this rejection.
    pub fn to_api_error(&self) -> ApiError {
        match self.kind() {
            RejectionKind::TokenDead(reason) => ApiError::new(
                ErrorCode::RefreshTokenInvalid,
                format!(
                    "the user's Microsoft sign-in is no longer valid ({reason}): sign in again"
                ),
            ),
            RejectionKind::ScopeMissing(reason) => ApiError::new(
                ErrorCode::ScopeInvalid,
                format!(
                    "Microsoft refused the requested scopes ({reason}): sign in again with the needed scope"
                ),
            ),
            RejectionKind::BlockedByPolicy => ApiError::new(
                ErrorCode::BlockedByPolicy,
                "a Conditional Access policy of the user's organisation blocks this access; \
                 signing in again does not help (the link is kept)",
            ),
            RejectionKind::TenantUnknown => ApiError::new(
                ErrorCode::TenantNotFound,
                format!(
                    "the tenant is not known to this Microsoft cloud, or belongs to a national cloud \
                     it does not serve (AADSTS{:?})",
                    self.error_codes
                ),
            ),
            RejectionKind::ClientInvalid => ApiError::new(
                ErrorCode::ConfigurationInvalid,
                format!(
                    "Microsoft refused the app registration in settings: client id or secret, or \
                     the app or Microsoft Graph missing from the tenant (AADSTS{:?})",
                    self.error_codes
                ),
            ),
            RejectionKind::Other => ApiError::new(
                ErrorCode::UpstreamUnavailable,
                format!(
                    "the Microsoft token endpoint refused the request ({})",
                    self.error
                ),
            ),
        }
    }
}

impl TokenFailure {
    /// The error to give the caller.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            Self::Rejected(rejection) => rejection.to_api_error(),
            Self::Unavailable(why) => ApiError::new(
                ErrorCode::UpstreamUnavailable,
                format!("the Microsoft token endpoint is unavailable: {why}"),
            ),
            Self::Throttled(seconds) => ApiError::unavailable(
                format!(
                    "the Microsoft token endpoint is throttling; it asked to wait {seconds} s, \
                     more than the invocation has left"
                ),
                Some(*seconds),
            ),
        }
    }
}

/// Token requests to the Microsoft identity platform.
#[async_trait]
pub trait IdentityPlatform: Send + Sync {
    /// Client credentials grant for Graph (`.default`) in `tenant`. Every token request declares
    /// the `cp1` client capability; `claims_challenge` is the claims request of a challenge the
    /// rejected token met (see [`crate::tokens::claims_challenge`]).
    async fn client_credentials(
        &self,
        settings: &Settings,
        tenant: &str,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure>;
    /// Refresh token grant against `tenant` (the link's own tenant, see
    /// [`crate::tokens::delegated_tokens`]) asking for `scopes` (short Graph names), with the
    /// claims of a challenge when there is one.
    async fn refresh(
        &self,
        settings: &Settings,
        tenant: &str,
        refresh_token: &Secret,
        scopes: &[String],
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure>;
    /// Authorization code grant with PKCE: redeems the `code` `/authorize` delivered to
    /// `redirect_uri`, proving with `verifier` that this flow asked for it, for `scopes` (as asked
    /// for at `/authorize`).
    async fn redeem_code(
        &self,
        settings: &Settings,
        code: &Secret,
        verifier: &Secret,
        redirect_uri: &str,
        scopes: &[String],
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(error: &str, codes: &[u32], suberror: Option<&str>) -> TokenRejection {
        TokenRejection {
            status: 400,
            error: error.into(),
            error_codes: codes.to_vec(),
            suberror: suberror.map(String::from),
        }
    }

    #[test]
    fn classifies_microsoft_answers() {
        let cases = [
            (
                rejection("invalid_request", &[90038], None),
                ErrorCode::TenantNotFound,
            ),
            (
                rejection("invalid_resource", &[500011], None),
                ErrorCode::ConfigurationInvalid,
            ),
            (
                rejection("invalid_grant", &[70008], None),
                ErrorCode::RefreshTokenInvalid,
            ),
            (
                rejection("invalid_grant", &[700082], None),
                ErrorCode::RefreshTokenInvalid,
            ),
            (
                rejection("invalid_grant", &[50173], None),
                ErrorCode::RefreshTokenInvalid,
            ),
            (
                rejection("invalid_grant", &[50076], Some("basic_action")),
                ErrorCode::RefreshTokenInvalid,
            ),
            (
                rejection("invalid_grant", &[65001], Some("consent_required")),
                ErrorCode::ScopeInvalid,
            ),
            (
                rejection("invalid_scope", &[70011], None),
                ErrorCode::ScopeInvalid,
            ),
            (
                rejection("invalid_grant", &[70043], None),
                ErrorCode::RefreshTokenInvalid,
            ),
            (
                rejection("invalid_request", &[90002], None),
                ErrorCode::TenantNotFound,
            ),
            (
                rejection("invalid_client", &[7000215], None),
                ErrorCode::ConfigurationInvalid,
            ),
            (
                rejection("temporarily_unavailable", &[], None),
                ErrorCode::UpstreamUnavailable,
            ),
        ];
        for (rejection, expected) in cases {
            assert_eq!(
                rejection.to_api_error().code(),
                Some(expected),
                "{rejection:?}"
            );
        }
        assert_eq!(
            rejection("invalid_grant", &[70008], None).kind(),
            RejectionKind::TokenDead("expired")
        );
    }
}
