//! Errors of the identity platform in Microsoft's shape: `error`, an `AADSTSnnnnn:` description,
//! `error_codes`, trace and correlation ids.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::request_context::{RequestIds, replace_with_json};

/// One AADSTS error; as a response it becomes Microsoft's JSON error body once
/// [`crate::request_context`] knows the request's trace and correlation ids.
#[derive(Clone, Debug)]
pub struct IdentityError {
    /// HTTP status.
    pub status: StatusCode,
    /// OAuth 2.0 `error` (`invalid_grant`, ...).
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    /// Description after `AADSTSnnnnn: `.
    pub message: String,
    /// `suberror` (`consent_required`, `basic_action`, ...).
    pub suberror: Option<&'static str>,
}

impl IdentityError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: impl Into<String>) -> Self {
        IdentityError {
            status,
            error,
            code,
            message: message.into(),
            suberror: None,
        }
    }

    fn bad_request(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, code, message)
    }

    fn with_suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// AADSTS90002: the tenant segment names no tenant.
    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into \
                 the correct cloud. Check with your subscription administrator, this may happen if there are no \
                 active subscriptions for the tenant."
            ),
        )
    }

    /// AADSTS90038: the tenant lives in another cloud than this one, which does not federate
    /// with it.
    pub fn national_cloud_tenant(tenant: &str, its_cloud: &str, this_cloud: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            90038,
            format!(
                "Tenant '{tenant}' belongs to the National Cloud '{its_cloud}'. Current cloud instance \
                 '{this_cloud}' does not federate with '{its_cloud}'."
            ),
        )
    }

    /// AADSTS500011: the requested resource has no service principal in this cloud's tenant.
    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::bad_request(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant}. This can \
                 happen if the application has not been installed by the administrator of the tenant or \
                 consented to by any user in the tenant. You might have sent your authentication request to \
                 the wrong tenant."
            ),
        )
    }

    /// AADSTS900144: a required parameter is missing.
    pub fn missing_parameter(name: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    /// AADSTS90023: a parameter value the simulator does not support.
    pub fn unsupported_parameter_value(name: &str, value: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            90023,
            format!("Invalid request. The value '{value}' of parameter '{name}' is not supported."),
        )
    }

    /// AADSTS700016: no app with this client id.
    pub fn unknown_client(client_id: &str, tenant: &str) -> Self {
        Self::bad_request(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can \
                 happen if the application has not been installed by the administrator of the tenant or consented \
                 to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }

    /// AADSTS7000218: a confidential client sent no secret.
    pub fn missing_client_secret() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    /// AADSTS7000215: wrong client secret.
    pub fn invalid_client_secret(client_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret \
                 value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        )
    }

    /// AADSTS70003: unknown `grant_type`.
    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::bad_request(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    /// AADSTS70011: a scope that is not valid (unknown, or not `.default` for client credentials).
    pub fn invalid_scope(scope: &str) -> Self {
        Self::bad_request(
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input \
                 parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        )
    }

    /// AADSTS50059: client credentials against `common`/`organizations`/`consumers`.
    pub fn tenant_required() -> Self {
        Self::bad_request(
            "invalid_request",
            50059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.",
        )
    }

    /// AADSTS70000: an unknown code or one issued to another client or redirect URI.
    pub fn invalid_grant() -> Self {
        Self::bad_request(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        )
    }

    /// AADSTS54005: the authorization code was already redeemed.
    pub fn code_already_redeemed() -> Self {
        Self::bad_request(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing \
             refresh token.",
        )
    }

    /// AADSTS70008: the authorization code or refresh token expired.
    pub fn grant_expired() -> Self {
        Self::bad_request(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new \
             interactive authorization request for this user and resource.",
        )
    }

    /// AADSTS501481: the PKCE code verifier does not match the challenge.
    pub fn pkce_mismatch() -> Self {
        Self::bad_request(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    /// AADSTS9002313: a refresh token that is not one.
    pub fn malformed_request() -> Self {
        Self::bad_request(
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    /// AADSTS700082: the refresh token expired due to inactivity.
    pub fn refresh_token_inactive(issued_at: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {issued_at} and was \
                 inactive for 90.00:00:00."
            ),
        )
    }

    /// AADSTS50173: the grant was revoked (password change, admin revocation).
    pub fn refresh_token_revoked(issued_at: &str, valid_from: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user \
                 might have changed or reset their password. The grant was issued on '{issued_at}' and the \
                 TokensValidFrom date (before which tokens are not valid) for this user is '{valid_from}'."
            ),
        )
    }

    /// AADSTS50076: multi-factor authentication (an interactive sign-in) is required.
    pub fn interaction_required() -> Self {
        Self::bad_request(
            "invalid_grant",
            50076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you \
             must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
        )
        .with_suberror("basic_action")
    }

    /// AADSTS53003: a Conditional Access policy blocks token issuance.
    pub fn blocked_by_conditional_access() -> Self {
        Self::bad_request(
            "invalid_grant",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token \
             issuance.",
        )
    }

    /// AADSTS70043: the refresh token is too old for the sign-in frequency a Conditional Access
    /// policy requires.
    pub fn sign_in_frequency(issued_at: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            70043,
            format!(
                "The refresh token has expired or is invalid due to sign-in frequency checks by conditional \
                 access. The token was issued on {issued_at} and the maximum allowed lifetime for this request \
                 is 3600."
            ),
        )
    }

    /// AADSTS700084: the refresh token of a single-page application reached its fixed lifetime.
    pub fn spa_refresh_token_expired(issued_at: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            700084,
            format!(
                "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited \
                 lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request \
                 must be sent by the SPA to the sign in page. The token was issued on {issued_at}."
            ),
        )
    }

    /// AADSTS50196: the server stopped a client request loop.
    pub fn loop_detected() -> Self {
        Self::bad_request(
            "invalid_request",
            50196,
            "The server terminated an operation because it encountered a client request loop. Please contact \
             your app vendor.",
        )
    }

    /// AADSTS90094: the user may not consent to permissions that only an administrator can grant
    /// ("Need admin approval"). Microsoft Entra, "Unexpected error when performing consent to an
    /// application" (learn.microsoft.com/entra/identity/enterprise-apps/application-sign-in-unexpected-user-consent-error).
    pub fn admin_consent_required(client_id: &str) -> Self {
        Self::bad_request(
            "access_denied",
            90094,
            format!(
                "{client_id} needs permission to access resources in your organization that only an admin can \
                 grant. Please ask an admin to grant permission to this app before you can use it."
            ),
        )
    }

    /// AADSTS65001: the user has not consented to a requested scope.
    pub fn consent_required(client_id: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{client_id}'. Send an \
                 interactive authorization request for this user and resource."
            ),
        )
        .with_suberror("consent_required")
    }

    /// AADSTS50057: the user of the grant is disabled (`accountEnabled: false`).
    pub fn user_disabled() -> Self {
        Self::bad_request(
            "invalid_grant",
            50057,
            "The user account is disabled.".to_string(),
        )
    }

    /// AADSTS50034: the user of the grant no longer exists.
    pub fn user_not_found(user: &str) -> Self {
        Self::bad_request(
            "invalid_grant",
            50034,
            format!("The user account {user} does not exist in the directory."),
        )
    }

    /// AADSTS50011: the redirect URI is not registered (shown as a page, never redirected to).
    pub fn redirect_uri_mismatch(redirect_uri: &str, client_id: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs \
                 configured for the application '{client_id}'. Make sure the redirect URI sent in the request \
                 matches one added to your application in the Azure portal."
            ),
        )
    }

    /// AADSTS50058: nobody to sign in (no queued sign-in, no matching `login_hint`).
    pub fn no_user_to_sign_in() -> Self {
        Self::bad_request(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in. (Simulator: queue one with \
             POST /_control/sign-in or pass a login_hint naming a user.)",
        )
    }

    /// AADSTS50020: the signed-in user's tenant is not admitted by the URL's tenant segment.
    pub fn user_not_in_tenant(upn: &str, tenant: &str) -> Self {
        Self::bad_request(
            "invalid_request",
            50020,
            format!(
                "User account '{upn}' from identity provider does not exist in tenant '{tenant}' and cannot access \
                 the application in that tenant."
            ),
        )
    }

    /// AADSTS65004: the user declined consent (authorize redirect `error=access_denied`).
    pub fn user_declined() -> Self {
        Self::bad_request(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
    }

    /// AADSTS700054: a `response_type` other than `code`.
    pub fn unsupported_response_type(response_type: &str) -> Self {
        Self::bad_request(
            "unsupported_response_type",
            700054,
            format!("response_type '{response_type}' is not enabled for the application."),
        )
    }

    /// An injected throttling (AADSTS90055, 429) or transient failure (AADSTS90033, 5xx).
    pub fn unavailable(status: StatusCode) -> Self {
        if status == StatusCode::TOO_MANY_REQUESTS {
            Self::new(
                status,
                "temporarily_unavailable",
                90055,
                "There are too many incoming requests. Please try again later.",
            )
        } else {
            Self::new(
                status,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            )
        }
    }

    /// `AADSTSnnnnn: message`.
    pub fn description(&self) -> String {
        format!("AADSTS{}: {}", self.code, self.message)
    }

    /// Replaces `response`'s body with Microsoft's JSON error body for this error.
    pub fn render_into(&self, ids: &RequestIds, response: &mut Response) {
        let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {timestamp}",
                self.description(), ids.request_id, ids.client_request_id
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": ids.request_id,
            "correlation_id": ids.client_request_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(suberror) = self.suberror {
            body["suberror"] = json!(suberror);
        }
        replace_with_json(response, &body, "application/json; charset=utf-8");
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
    }

    /// The sign-in page Microsoft shows when it cannot redirect back to the app.
    pub fn into_page(self) -> Response {
        let page = format!(
            "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
             <h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">{}</p></body></html>",
            html_escape(&self.description())
        );
        (self.status, Html(page)).into_response()
    }
}

impl IntoResponse for IdentityError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
