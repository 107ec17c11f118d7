//! The Microsoft identity platform v2 token endpoint over HTTP (`/{tenant}/oauth2/v2.0/token`).

use async_trait::async_trait;
use serde_json::Value;

use crate::adapters::retry_policy::parse_retry_after;
use crate::adapters::retrying_sender::{RetryRules, RetryingSender, SendFailure};
use crate::operations::graph_path::encode_segment;
use crate::settings::product_settings::Settings;
use crate::support::deadline::Deadline;
use crate::support::secret::Secret;
use crate::tokens::claims_challenge::claims_parameter;
use crate::tokens::identity_platform::{
    IdentityPlatform, TokenFailure, TokenGrant, TokenRejection,
};
use crate::tokens::scopes::parse_granted;

/// Token requests are retried on throttling, server errors and lost connections: a repeated token
/// request has no effect beyond issuing another token.
const TOKEN_RETRY: RetryRules = RetryRules {
    retry_status: |status| status == 429 || status >= 500,
    retry_connection_errors: true,
};

/// [`IdentityPlatform`] over HTTP.
pub struct MsIdentityPlatform {
    sender: RetryingSender,
    login_base: String,
}

impl MsIdentityPlatform {
    /// `login_base` is `LOGIN_BASE_URL`: the global default stands for the settings' cloud's own
    /// login host, anything else (the local simulator) overrides it.
    pub fn new(sender: RetryingSender, login_base: impl Into<String>) -> Self {
        Self {
            sender,
            login_base: login_base.into().trim_end_matches('/').to_string(),
        }
    }

    async fn request(
        &self,
        settings: &Settings,
        tenant: &str,
        form: Vec<(&'static str, String)>,
        requested_scopes: &[String],
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        // Like MSAL: a client-request-id to find the request in Microsoft's logs, and the
        // capabilities this client has (it honours 429 with Retry-After).
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            settings.cloud.login_origin_or(&self.login_base),
            encode_segment(tenant)
        );
        let build = || {
            self.sender
                .client()
                .post(&url)
                .header("Accept", "application/json")
                .header("client-request-id", &client_request_id)
                .header("return-client-request-id", "true")
                .header("x-ms-lib-capability", LIB_CAPABILITY)
                .form(&form)
        };
        let response = self
            .sender
            .send("token", &build, TOKEN_RETRY, deadline)
            .await
            .map_err(|SendFailure::NoResponse(why)| TokenFailure::Unavailable(why))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        let body: Value = response.json().await.map_err(|_| {
            TokenFailure::Unavailable(format!("unreadable token endpoint answer (HTTP {status})"))
        })?;
        if status == 200 {
            return parse_grant(&body, requested_scopes)
                .ok_or_else(|| TokenFailure::Unavailable("malformed token response".into()));
        }
        if let (429 | 503, Some(wait)) = (status, retry_after) {
            return Err(TokenFailure::Throttled(wait.as_secs().max(1)));
        }
        if status == 429 || status >= 500 {
            return Err(TokenFailure::Unavailable(format!(
                "token endpoint kept answering HTTP {status}"
            )));
        }
        let rejection = parse_rejection(status, &body);
        // Microsoft's ids for the failed request (never its description, which may quote input).
        let id = |field: &str| body.get(field).and_then(Value::as_str).unwrap_or_default();
        tracing::warn!(
            target: "outbound",
            status,
            error = %rejection.error,
            error_codes = ?rejection.error_codes,
            trace_id = id("trace_id"),
            correlation_id = id("correlation_id"),
            client_request_id,
            "the token endpoint refused the request"
        );
        Err(TokenFailure::Rejected(rejection))
    }
}

/// A grant from a token response. Without `scope`, the grant is for the scopes that were requested
/// (OAuth 2.0, RFC 6749 §5.1: `scope` is required only when it differs from the request).
/// What this client tells the token endpoint it can do, as MSAL does: honour `Retry-After`, and
/// handle HTTP 429 (so Microsoft throttles with 429 + `Retry-After` rather than failing otherwise).
const LIB_CAPABILITY: &str = "retry-after, h429";

fn parse_grant(body: &Value, requested_scopes: &[String]) -> Option<TokenGrant> {
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(Secret::new);
    let expires_in = match body.get("expires_in")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    Some(TokenGrant {
        access_token: text("access_token")?,
        refresh_token: text("refresh_token"),
        expires_in,
        scopes: match body.get("scope").and_then(Value::as_str) {
            Some(granted) => parse_granted(granted),
            None => parse_granted(&requested_scopes.join(" ")),
        },
        id_token: text("id_token"),
    })
}

fn parse_rejection(status: u16, body: &Value) -> TokenRejection {
    TokenRejection {
        status,
        error: body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown_error")
            .to_string(),
        error_codes: body
            .get("error_codes")
            .and_then(Value::as_array)
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|c| c.as_u64())
                    .map(|c| c as u32)
                    .collect()
            })
            .unwrap_or_default(),
        suberror: body
            .get("suberror")
            .and_then(Value::as_str)
            .map(String::from),
    }
}

#[async_trait]
impl IdentityPlatform for MsIdentityPlatform {
    async fn client_credentials(
        &self,
        settings: &Settings,
        tenant: &str,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let form = vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", settings.client_id.clone()),
            ("client_secret", settings.client_secret.expose().to_string()),
            ("scope", settings.cloud.graph_default_scope()),
            ("claims", claims_parameter(claims_challenge)),
        ];
        self.request(settings, tenant, form, &[], deadline).await
    }

    async fn refresh(
        &self,
        settings: &Settings,
        tenant: &str,
        refresh_token: &Secret,
        scopes: &[String],
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let mut scope = String::from("offline_access");
        for s in scopes {
            scope.push(' ');
            scope.push_str(s);
        }
        let form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", settings.client_id.clone()),
            ("client_secret", settings.client_secret.expose().to_string()),
            ("refresh_token", refresh_token.expose().to_string()),
            ("scope", scope),
            ("claims", claims_parameter(claims_challenge)),
        ];
        self.request(settings, tenant, form, scopes, deadline).await
    }

    async fn redeem_code(
        &self,
        settings: &Settings,
        code: &Secret,
        verifier: &Secret,
        redirect_uri: &str,
        scopes: &[String],
        deadline: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", settings.client_id.clone()),
            ("client_secret", settings.client_secret.expose().to_string()),
            ("code", code.expose().to_string()),
            ("redirect_uri", redirect_uri.to_string()),
            ("code_verifier", verifier.expose().to_string()),
            ("scope", scopes.join(" ")),
            ("claims", claims_parameter(None)),
        ];
        self.request(settings, &settings.tenant_id, form, scopes, deadline)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_microsoft_answers() {
        let grant = parse_grant(&json!({
            "token_type": "Bearer", "expires_in": "3599", "access_token": "a", "refresh_token": "r",
            "scope": "https://graph.microsoft.com/User.Read offline_access"
        }), &[])
        .unwrap();
        assert_eq!(grant.expires_in, 3599);
        assert_eq!(grant.scopes, vec!["User.Read"]);
        assert!(parse_grant(&json!({"expires_in": 1}), &[]).is_none());

        let rejection = parse_rejection(
            400,
            &json!({
                "error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required",
                "error_description": "AADSTS65001: The user or administrator has not consented"
            }),
        );
        assert_eq!(rejection.error_codes, vec![65001]);
        assert_eq!(rejection.suberror.as_deref(), Some("consent_required"));
    }

    #[test]
    fn a_grant_without_scope_is_for_the_requested_scopes() {
        let requested = ["Calendars.Read".to_string(), "User.Read".to_string()];
        let grant = parse_grant(
            &json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "a"}),
            &requested,
        )
        .unwrap();
        assert_eq!(grant.scopes, vec!["Calendars.Read", "User.Read"]);
    }
}
