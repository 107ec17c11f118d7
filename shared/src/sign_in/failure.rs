//! Why a sign-in failed, as the `f=` code `auth-callback` appends to the failure URL, and how each
//! Microsoft or internal failure maps to one.

use url::Url;

use crate::error::{ApiError, ErrorCode};
use crate::tokens::aadsts;
use crate::tokens::identity_platform::{RejectionKind, TokenFailure, TokenRejection};

/// AADSTS codes of a code redemption that failed because of the code or its verifier: unknown or
/// foreign code, expired, already redeemed, PKCE mismatch.
const INVALID_GRANT_CODES: [u32; 4] = [
    aadsts::INVALID_GRANT,
    aadsts::GRANT_EXPIRED,
    aadsts::CODE_ALREADY_REDEEMED,
    aadsts::CODE_VERIFIER_MISMATCH,
];

/// The failure codes of a sign-in (the failure URL's `f` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// The user declined, or did not complete, the sign-in or consent at Microsoft.
    AccessDenied,
    /// The callback's `state` is missing, unknown, already used or expired.
    StateInvalid,
    /// No tokens could be obtained or kept: the token endpoint was unavailable or answered
    /// unexpectedly, or the token table was unavailable.
    AccessTokenFailed,
    /// Microsoft rejected the client id or secret in settings.
    InvalidClient,
    /// Microsoft rejected the authorization code or its PKCE verifier.
    InvalidGrant,
    /// The user's profile (`/me`) could not be read with the new token.
    UserProfileFailed,
    /// Another Microsoft account, or an account of another tenant, signed in than `auth-start`'s
    /// `loginHint` or `tenantId` named.
    AccountMismatch,
}

impl SignInFailure {
    /// The code as it appears in `f=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::StateInvalid => "state_invalid",
            Self::AccessTokenFailed => "access_token_failed",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UserProfileFailed => "user_profile_failed",
            Self::AccountMismatch => "account_mismatch",
        }
    }

    /// The failure for an `error` Microsoft's `/authorize` redirected back with.
    pub fn of_authorize_error(error: &str) -> Self {
        match error {
            "access_denied" | "consent_required" | "interaction_required" | "login_required" => {
                Self::AccessDenied
            }
            "invalid_client" | "unauthorized_client" => Self::InvalidClient,
            _ => Self::AccessTokenFailed,
        }
    }

    /// The failure for a failed code redemption.
    pub fn of_token_failure(failure: &TokenFailure) -> Self {
        match failure {
            TokenFailure::Unavailable(_) | TokenFailure::Throttled(_) => Self::AccessTokenFailed,
            TokenFailure::Rejected(rejection) => Self::of_rejection(rejection),
        }
    }

    fn of_rejection(rejection: &TokenRejection) -> Self {
        if rejection.kind() == RejectionKind::ClientInvalid {
            Self::InvalidClient
        } else if rejection.error == "invalid_grant"
            || INVALID_GRANT_CODES
                .iter()
                .any(|code| rejection.error_codes.contains(code))
        {
            Self::InvalidGrant
        } else {
            Self::AccessTokenFailed
        }
    }

    /// The failure for an error keeping the sign-in: no refresh token issued, reading `/me`, or
    /// writing the table.
    pub fn of_link_error(error: &ApiError) -> Self {
        match error.code() {
            // No refresh token was issued, or the table failed.
            Some(ErrorCode::ScopeInvalid | ErrorCode::InternalError) => Self::AccessTokenFailed,
            _ => Self::UserProfileFailed,
        }
    }

    /// `failure_url` with `f=<code>` appended to its query.
    pub fn location(self, failure_url: &Url) -> String {
        let mut url = failure_url.clone();
        url.query_pairs_mut().append_pair("f", self.as_str());
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(error: &str, codes: &[u32]) -> TokenFailure {
        TokenFailure::Rejected(TokenRejection {
            status: 400,
            error: error.into(),
            error_codes: codes.to_vec(),
            suberror: None,
        })
    }

    #[test]
    fn maps_token_endpoint_answers() {
        let cases = [
            (
                rejected("invalid_client", &[7000215]),
                SignInFailure::InvalidClient,
            ),
            (
                rejected("unauthorized_client", &[700016]),
                SignInFailure::InvalidClient,
            ),
            (
                rejected("invalid_grant", &[501481]),
                SignInFailure::InvalidGrant,
            ),
            (
                rejected("invalid_grant", &[54005]),
                SignInFailure::InvalidGrant,
            ),
            (
                rejected("invalid_grant", &[70000]),
                SignInFailure::InvalidGrant,
            ),
            (
                rejected("invalid_request", &[70008]),
                SignInFailure::InvalidGrant,
            ),
            (
                rejected("invalid_request", &[90002]),
                SignInFailure::AccessTokenFailed,
            ),
            (
                TokenFailure::Unavailable("HTTP 503".into()),
                SignInFailure::AccessTokenFailed,
            ),
        ];
        for (failure, expected) in cases {
            assert_eq!(
                SignInFailure::of_token_failure(&failure),
                expected,
                "{failure:?}"
            );
        }
    }

    #[test]
    fn maps_authorize_errors_and_link_errors() {
        assert_eq!(
            SignInFailure::of_authorize_error("access_denied"),
            SignInFailure::AccessDenied
        );
        assert_eq!(
            SignInFailure::of_authorize_error("unauthorized_client"),
            SignInFailure::InvalidClient
        );
        assert_eq!(
            SignInFailure::of_authorize_error("server_error"),
            SignInFailure::AccessTokenFailed
        );
        let graph = ApiError::Graph {
            status: 403,
            body: serde_json::json!({}),
            claims_challenge: None,
        };
        assert_eq!(
            SignInFailure::of_link_error(&graph),
            SignInFailure::UserProfileFailed
        );
        let table = ApiError::new(ErrorCode::InternalError, "table");
        assert_eq!(
            SignInFailure::of_link_error(&table),
            SignInFailure::AccessTokenFailed
        );
    }

    #[test]
    fn appends_the_code_to_the_failure_url() {
        let plain = Url::parse("https://app.example.com/failed").unwrap();
        assert_eq!(
            SignInFailure::StateInvalid.location(&plain),
            "https://app.example.com/failed?f=state_invalid"
        );
        let with_query = Url::parse("https://app.example.com/p?lang=en&x=a%26b#top").unwrap();
        assert_eq!(
            SignInFailure::InvalidGrant.location(&with_query),
            "https://app.example.com/p?lang=en&x=a%26b&f=invalid_grant#top"
        );
    }
}
