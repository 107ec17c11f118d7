//! A client for the Microsoft simulator's control API (`/_control/...`), which arranges
//! tenants, apps, users and grants, queues sign-ins, injects faults and reads the request log.

use serde::Deserialize;
use serde_json::{Value, json};

/// One identity or Graph request the simulator saw, as its request log records it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, e.g. `/v1.0/users`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Status answered; `None` while in flight or when the connection was dropped.
    pub status: Option<u16>,
    /// `grant_type` of a token request.
    pub grant_type: Option<String>,
    /// The `claims` parameter of a token request.
    pub claims: Option<String>,
}

#[derive(Deserialize)]
struct RequestLog {
    requests: Vec<RecordedRequest>,
}

#[derive(Deserialize)]
struct IssuedRefreshToken {
    refresh_token: String,
}

/// The control API of the simulator at one base URL.
#[derive(Clone)]
pub struct SimulatorControl {
    base_url: String,
    http: reqwest::Client,
}

impl SimulatorControl {
    /// The control API of the simulator serving at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: &str) -> SimulatorControl {
        SimulatorControl {
            base_url: base_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// Registers a tenant (GUID and verified domain).
    pub async fn add_tenant(&self, id: &str, domain: &str) -> Result<(), String> {
        self.post("tenants", &json!({"id": id, "domain": domain}))
            .await
            .map(drop)
    }

    /// Registers a tenant of a national cloud (`usGovL4`, `usGovL5`, `china`) or `global`.
    pub async fn add_tenant_in_cloud(
        &self,
        id: &str,
        domain: &str,
        cloud: &str,
    ) -> Result<(), String> {
        self.post(
            "tenants",
            &json!({"id": id, "domain": domain, "cloud": cloud}),
        )
        .await
        .map(drop)
    }

    /// Changes simulator settings (`{"cloud"?, "accessTokenLifetimeSecs"?, ...}`, see the
    /// simulator's README); answers with all of them.
    pub async fn update_settings(&self, update: &Value) -> Result<Value, String> {
        self.post("settings", update).await
    }

    /// Registers an app: `{"clientId", "clientSecret", "tenantId", "redirectUris", "applicationPermissions"}`.
    pub async fn add_app(&self, app: &Value) -> Result<(), String> {
        self.post("apps", app).await.map(drop)
    }

    /// An administrator of `tenant_id` consents to `permissions` (application permissions) of the
    /// app `client_id`; tokens issued before keep their roles.
    pub async fn admin_consent(
        &self,
        client_id: &str,
        tenant_id: &str,
        permissions: &[&str],
    ) -> Result<(), String> {
        self.post(
            &format!("apps/{client_id}/admin-consents"),
            &json!({"tenantId": tenant_id, "applicationPermissions": permissions}),
        )
        .await
        .map(drop)
    }

    /// An administrator of `tenant_id` consents to the app's delegated `permissions` for every user
    /// of the tenant (without it, permissions that need admin consent stop an ordinary user's
    /// sign-in with AADSTS90094).
    pub async fn consent_for_tenant(
        &self,
        client_id: &str,
        tenant_id: &str,
        permissions: &[&str],
    ) -> Result<(), String> {
        self.post(
            &format!("apps/{client_id}/admin-consents"),
            &json!({"tenantId": tenant_id, "delegatedPermissions": permissions}),
        )
        .await
        .map(drop)
    }

    /// The administrator of `tenant_id` removes the app `client_id` (its service principal) from it.
    pub async fn remove_admin_consent(
        &self,
        client_id: &str,
        tenant_id: &str,
    ) -> Result<(), String> {
        self.send(
            self.http
                .delete(self.url(&format!("apps/{client_id}/admin-consents/{tenant_id}"))),
        )
        .await
        .map(drop)
    }

    /// Creates a user: `{"tenantId", "id"?, "userPrincipalName", "displayName", "managerId"?, ...}`;
    /// returns the user's Graph properties.
    pub async fn add_user(&self, user: &Value) -> Result<Value, String> {
        self.post("users", user).await
    }

    /// Creates a group: `{"tenantId", "id"?, "displayName", "memberIds": [..]}`.
    pub async fn add_group(&self, group: &Value) -> Result<Value, String> {
        self.post("groups", group).await
    }

    /// Issues a refresh token of app `client_id` for `user_id` with `scopes`, as a sign-in
    /// would (the consent is recorded too).
    pub async fn issue_refresh_token(
        &self,
        client_id: &str,
        user_id: &str,
        scopes: &[&str],
    ) -> Result<String, String> {
        let issued = self
            .post(
                "refresh-tokens",
                &json!({"clientId": client_id, "userId": user_id, "scopes": scopes}),
            )
            .await?;
        serde_json::from_value::<IssuedRefreshToken>(issued.clone())
            .map(|issued| issued.refresh_token)
            .map_err(|error| format!("unexpected refresh token answer {issued}: {error}"))
    }

    /// Makes every refresh token issued to `user_id` so far fail, for `reason` (e.g. `revoked`;
    /// see the simulator's README).
    pub async fn invalidate_refresh_tokens(
        &self,
        user_id: &str,
        reason: &str,
    ) -> Result<(), String> {
        self.post(
            &format!("users/{user_id}/refresh-tokens/invalidate"),
            &json!({"reason": reason}),
        )
        .await
        .map(drop)
    }

    /// Revokes sign-in sessions: `{"userId", "refreshTokens"?, "challenge"?}` or
    /// `{"clientId", "tenantId", "challenge"?}`; Graph then refuses the access tokens issued so far,
    /// with a claims challenge to clients that declared `cp1` (see the simulator's README).
    pub async fn revoke_sessions(&self, revocation: &Value) -> Result<(), String> {
        self.post("sessions/revoke", revocation).await.map(drop)
    }

    /// Queues who signs in at the next `/authorize`: `user_id`, approving or denying consent.
    pub async fn queue_sign_in(&self, user_id: &str, approve: bool) -> Result<(), String> {
        let outcome = if approve { "approve" } else { "deny" };
        self.post("sign-in", &json!({"userId": user_id, "outcome": outcome}))
            .await
            .map(drop)
    }

    /// Adds a fault rule: `{"method"?, "path", "count"?, "fault": {"kind": ...}}` (see the simulator's README).
    pub async fn add_fault(&self, rule: &Value) -> Result<(), String> {
        self.post("faults", rule).await.map(drop)
    }

    /// Drops the fault rules not used up yet.
    pub async fn clear_faults(&self) -> Result<(), String> {
        self.send(self.http.delete(self.url("faults")))
            .await
            .map(drop)
    }

    /// Every identity and Graph request seen since the log was last cleared, oldest first.
    pub async fn requests(&self) -> Result<Vec<RecordedRequest>, String> {
        let response = self.send(self.http.get(self.url("requests"))).await?;
        serde_json::from_value::<RequestLog>(response.clone())
            .map(|log| log.requests)
            .map_err(|error| format!("unexpected request log {response}: {error}"))
    }

    /// Clears the request log.
    pub async fn clear_requests(&self) -> Result<(), String> {
        self.send(self.http.delete(self.url("requests")))
            .await
            .map(drop)
    }

    fn url(&self, resource: &str) -> String {
        format!("{}/_control/{resource}", self.base_url)
    }

    async fn post(&self, resource: &str, body: &Value) -> Result<Value, String> {
        self.send(self.http.post(self.url(resource)).json(body))
            .await
    }

    /// Sends a control request; a success answers JSON or nothing (`null`).
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, String> {
        let response = request
            .send()
            .await
            .map_err(|error| format!("simulator control request failed: {error:?}"))?;
        let status = response.status();
        let url = response.url().to_string();
        let body = response
            .text()
            .await
            .map_err(|error| format!("reading {url}: {error}"))?;
        if !status.is_success() {
            return Err(format!("{url} answered {status}: {body}"));
        }
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&body)
            .map_err(|error| format!("{url} answered non-JSON {body:?}: {error}"))
    }
}
