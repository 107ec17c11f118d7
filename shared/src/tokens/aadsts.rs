//! The Microsoft Entra (AADSTS) error numbers the bundle acts on, in one table. The meanings are
//! those of Microsoft's "Microsoft Entra authentication and authorization error codes" reference
//! (learn.microsoft.com/entra/identity-platform/reference-error-codes); where each one leads is
//! decided in [`crate::tokens::identity_platform`] and [`crate::sign_in::failure`].

/// AADSTS50034: the user account does not exist in the directory (deleted, or another tenant's).
pub const USER_NOT_FOUND: u32 = 50034;
/// AADSTS50057: the user account is disabled.
pub const USER_DISABLED: u32 = 50057;
/// AADSTS50076: multifactor authentication is required (a new location or policy).
pub const MFA_REQUIRED: u32 = 50076;
/// AADSTS50078: the presented MFA claim has expired.
pub const MFA_EXPIRED: u32 = 50078;
/// AADSTS50079: the user must register for multifactor authentication.
pub const MFA_REGISTRATION_REQUIRED: u32 = 50079;
/// AADSTS50133: the session is invalid because the password expired or was changed.
pub const SESSION_INVALID_PASSWORD_CHANGED: u32 = 50133;
/// AADSTS50158: an external security challenge was not satisfied.
pub const EXTERNAL_CHALLENGE_REQUIRED: u32 = 50158;
/// AADSTS50173: the grant was revoked (the user changed their password or an admin revoked tokens).
pub const GRANT_REVOKED: u32 = 50173;
/// AADSTS53000: the device is not in a required state (Conditional Access: compliant device).
pub const DEVICE_NOT_COMPLIANT: u32 = 53000;
/// AADSTS53001: the device is not domain joined (Conditional Access).
pub const DEVICE_NOT_DOMAIN_JOINED: u32 = 53001;
/// AADSTS53002: the application is not an approved client app (Conditional Access).
pub const APPLICATION_NOT_APPROVED: u32 = 53002;
/// AADSTS53003: access was blocked by a Conditional Access policy.
pub const BLOCKED_BY_CONDITIONAL_ACCESS: u32 = 53003;
/// AADSTS530032: blocked by a security policy (Conditional Access, e.g. a location or risk rule).
pub const BLOCKED_BY_SECURITY_POLICY: u32 = 530032;
/// AADSTS50196: the server stopped a client loop (the same request repeated too often).
pub const LOOP_DETECTED: u32 = 50196;
/// AADSTS54005: the authorization code was already redeemed.
pub const CODE_ALREADY_REDEEMED: u32 = 54005;
/// AADSTS65001: the user or administrator has not consented to use the application.
pub const CONSENT_REQUIRED: u32 = 65001;
/// AADSTS70000: the grant is invalid (unknown, malformed or foreign authorization code).
pub const INVALID_GRANT: u32 = 70000;
/// AADSTS70008: the authorization code or refresh token has expired.
pub const GRANT_EXPIRED: u32 = 70008;
/// AADSTS70043: the refresh token is too old for the sign-in frequency a Conditional Access policy
/// requires: an interactive sign-in is needed.
pub const SIGN_IN_FREQUENCY: u32 = 70043;
/// AADSTS70011: the requested scope is invalid.
pub const INVALID_SCOPE: u32 = 70011;
/// AADSTS90002: the tenant was not found.
pub const TENANT_NOT_FOUND: u32 = 90002;
/// AADSTS90038: the tenant belongs to a national cloud this cloud instance does not federate with.
pub const NATIONAL_CLOUD_TENANT: u32 = 90038;
/// AADSTS500011: the resource principal (e.g. Microsoft Graph) was not found in the tenant.
pub const RESOURCE_PRINCIPAL_NOT_FOUND: u32 = 500011;
/// AADSTS501481: the PKCE code verifier does not match the code challenge.
pub const CODE_VERIFIER_MISMATCH: u32 = 501481;
/// AADSTS700016: the application was not found in the directory (tenant).
pub const APPLICATION_NOT_FOUND: u32 = 700016;
/// AADSTS700082: the refresh token expired through inactivity.
pub const REFRESH_TOKEN_INACTIVE: u32 = 700082;
/// AADSTS700084: the refresh token of a single-page application expired (its fixed lifetime).
pub const SPA_REFRESH_TOKEN_EXPIRED: u32 = 700084;
/// AADSTS7000215: an invalid client secret was provided.
pub const INVALID_CLIENT_SECRET: u32 = 7000215;
/// AADSTS7000222: the client secret has expired.
pub const CLIENT_SECRET_EXPIRED: u32 = 7000222;
/// AADSTS9002313: the request is malformed or invalid.
pub const REQUEST_MALFORMED: u32 = 9002313;
