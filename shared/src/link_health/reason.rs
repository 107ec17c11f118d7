//! Why a link event happened: one closed set of reasons, each saying whether a new sign-in of the
//! user fixes it. The reasons of `Link Invalidated` come from Microsoft's answer to the refresh
//! (AADSTS codes in [`crate::tokens::aadsts`], meanings from Microsoft's error reference,
//! <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>; sourced
//! notes in `docs/reference/microsoft-identity-and-graph-facts.md`).

use crate::tokens::aadsts::{SESSION_INVALID_PASSWORD_CHANGED, USER_DISABLED, USER_NOT_FOUND};
use crate::tokens::delegated_tokens::APP_NOT_IN_TENANT_REASON;
use crate::tokens::identity_platform::{CONSENT_REQUIRED_REASON, INVALID_SCOPE_REASON};

/// The reason a link event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkReason {
    /// `Link Linked` / `Link Relinked`: the user signed in.
    SignedIn,
    /// `Link Revoked`: the application revoked the link (`auth-revoke`).
    RevokedByApplication,
    /// The refresh token expired (AADSTS70008).
    Expired,
    /// The refresh token expired through inactivity (AADSTS700082, 90 days unused).
    Inactive,
    /// The grant was revoked at Microsoft: by the user, an administrator, or a password reset,
    /// which Microsoft reports the same way (AADSTS50173, 700084).
    Revoked,
    /// The password changed or expired, or multifactor authentication or another interactive
    /// step is required (AADSTS50133, 50076, 50078, 50079, 50158, `interaction_required`).
    PasswordOrMfa,
    /// The user's or administrator's consent to a scope the link uses was withdrawn
    /// (AADSTS65001 `consent_required`, `invalid_scope`).
    ConsentWithdrawn,
    /// A Conditional Access policy blocks the user here (AADSTS53000–53003, 530032). The link is
    /// kept: it works again once the policy is met.
    BlockedByPolicy,
    /// The user was deleted or disabled in their directory (AADSTS50034, 50057).
    UserDeletedOrDisabled,
    /// The application is missing from the user's tenant (AADSTS700016 under a multi-tenant app).
    TenantOrAppConfiguration,
    /// Microsoft refused the refresh token without a more specific reason (`invalid_grant`).
    Other,
    /// `Link Recovered`: refreshing works again after failures.
    RefreshWorksAgain,
    /// `Link At Risk`: the refresh has kept failing for the configured number of days.
    RefreshFailing,
    /// `Link At Risk`: the last successful refresh nears Microsoft's 90-day inactivity limit.
    InactivityLimitNear,
}

/// Every reason, for parsing and tests.
pub const ALL_REASONS: [LinkReason; 14] = [
    LinkReason::SignedIn,
    LinkReason::RevokedByApplication,
    LinkReason::Expired,
    LinkReason::Inactive,
    LinkReason::Revoked,
    LinkReason::PasswordOrMfa,
    LinkReason::ConsentWithdrawn,
    LinkReason::BlockedByPolicy,
    LinkReason::UserDeletedOrDisabled,
    LinkReason::TenantOrAppConfiguration,
    LinkReason::Other,
    LinkReason::RefreshWorksAgain,
    LinkReason::RefreshFailing,
    LinkReason::InactivityLimitNear,
];

impl LinkReason {
    /// The reason as events and `auth-status` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::RevokedByApplication => "revoked_by_application",
            Self::Expired => "expired",
            Self::Inactive => "inactive",
            Self::Revoked => "revoked",
            Self::PasswordOrMfa => "password_or_mfa",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::BlockedByPolicy => "blocked_by_policy",
            Self::UserDeletedOrDisabled => "user_deleted_or_disabled",
            Self::TenantOrAppConfiguration => "tenant_or_app_configuration",
            Self::Other => "other",
            Self::RefreshWorksAgain => "refresh_works_again",
            Self::RefreshFailing => "refresh_failing",
            Self::InactivityLimitNear => "inactivity_limit_near",
        }
    }

    /// The reason spelled `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        ALL_REASONS
            .into_iter()
            .find(|reason| reason.as_str() == text)
    }

    /// Whether a new sign-in of the user fixes what the event reports. Not for a policy block, a
    /// deleted or disabled user or the app's configuration (the user's organisation must act), a
    /// transient failure (wait), or an event that reports nothing broken.
    pub fn sign_in_fixes(self) -> bool {
        matches!(
            self,
            Self::RevokedByApplication
                | Self::Expired
                | Self::Inactive
                | Self::Revoked
                | Self::PasswordOrMfa
                | Self::ConsentWithdrawn
                | Self::Other
                | Self::InactivityLimitNear
        )
    }

    /// The reason of an invalidation recorded on a link as `stored_reason` (the token engine's
    /// reason, see [`crate::tokens::identity_platform::RejectionKind`]) after Microsoft answered
    /// with `error_codes`.
    pub fn of_invalidation(stored_reason: &str, error_codes: &[u32]) -> Self {
        let has = |code: u32| error_codes.contains(&code);
        if has(USER_NOT_FOUND) || has(USER_DISABLED) {
            return Self::UserDeletedOrDisabled;
        }
        if has(SESSION_INVALID_PASSWORD_CHANGED) {
            return Self::PasswordOrMfa;
        }
        match stored_reason {
            "expired" => Self::Expired,
            "inactive" => Self::Inactive,
            "revoked" => Self::Revoked,
            "interaction_required" => Self::PasswordOrMfa,
            CONSENT_REQUIRED_REASON | INVALID_SCOPE_REASON => Self::ConsentWithdrawn,
            APP_NOT_IN_TENANT_REASON => Self::TenantOrAppConfiguration,
            _ => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_and_the_spellings_are_distinct() {
        for reason in ALL_REASONS {
            assert_eq!(LinkReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(LinkReason::parse("bogus"), None);
    }

    #[test]
    fn invalidations_map_from_microsofts_codes() {
        let cases: [(&str, &[u32], LinkReason); 10] = [
            ("expired", &[70008], LinkReason::Expired),
            ("inactive", &[700082], LinkReason::Inactive),
            ("revoked", &[50173], LinkReason::Revoked),
            ("revoked", &[50133], LinkReason::PasswordOrMfa),
            ("interaction_required", &[50076], LinkReason::PasswordOrMfa),
            ("consent_required", &[65001], LinkReason::ConsentWithdrawn),
            ("invalid_scope", &[70011], LinkReason::ConsentWithdrawn),
            ("invalid_grant", &[50034], LinkReason::UserDeletedOrDisabled),
            ("invalid_grant", &[50057], LinkReason::UserDeletedOrDisabled),
            (
                "app_not_in_tenant",
                &[700016],
                LinkReason::TenantOrAppConfiguration,
            ),
        ];
        for (stored, codes, expected) in cases {
            assert_eq!(
                LinkReason::of_invalidation(stored, codes),
                expected,
                "{codes:?}"
            );
        }
        assert_eq!(
            LinkReason::of_invalidation("invalid_grant", &[70000]),
            LinkReason::Other
        );
    }

    #[test]
    fn a_sign_in_fixes_what_the_user_can_fix() {
        assert!(LinkReason::Revoked.sign_in_fixes());
        assert!(LinkReason::ConsentWithdrawn.sign_in_fixes());
        assert!(!LinkReason::BlockedByPolicy.sign_in_fixes());
        assert!(!LinkReason::UserDeletedOrDisabled.sign_in_fixes());
        assert!(!LinkReason::RefreshFailing.sign_in_fixes());
        assert!(!LinkReason::SignedIn.sign_in_fixes());
    }
}
