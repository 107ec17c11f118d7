//! A started simulator with two tenants and one app, and helpers to drive it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ms_simulator::Simulator;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// The tenant the app is registered in.
pub const TENANT: &str = "11111111-1111-4111-8111-111111111111";
/// Its domain.
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
/// A second tenant.
pub const OTHER_TENANT: &str = "22222222-2222-4222-8222-222222222222";
/// Its domain.
pub const OTHER_DOMAIN: &str = "fabrikam.onmicrosoft.com";
/// The app's client id.
pub const CLIENT_ID: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
/// The app's client secret.
pub const CLIENT_SECRET: &str = "simulated~secret";
/// The app's registered redirect URI.
pub const REDIRECT_URI: &str = "http://localhost:3000/auth/callback";
/// The client credentials scope.
pub const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

/// A running simulator and an HTTP client that does not follow redirects.
pub struct Sim {
    simulator: Simulator,
    /// The client.
    pub http: Client,
}

impl Sim {
    /// Two tenants, and the app in [`TENANT`] with application permission `User.ReadWrite.All`.
    pub async fn start() -> Sim {
        Self::with_app_roles(&["User.ReadWrite.All"]).await
    }

    /// Like [`Sim::start`], with the given application permissions.
    pub async fn with_app_roles(roles: &[&str]) -> Sim {
        let sim = Sim {
            simulator: Simulator::start().await,
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        };
        sim.control(
            "/_control/tenants",
            json!({ "id": TENANT, "domain": TENANT_DOMAIN }),
        )
        .await;
        sim.control(
            "/_control/tenants",
            json!({ "id": OTHER_TENANT, "domain": OTHER_DOMAIN }),
        )
        .await;
        sim.control(
            "/_control/apps",
            json!({
                "clientId": CLIENT_ID,
                "clientSecret": CLIENT_SECRET,
                "tenantId": TENANT,
                "redirectUris": [REDIRECT_URI],
                "applicationPermissions": roles,
            }),
        )
        .await;
        sim
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        self.simulator.base_url()
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// POSTs `body` to a control endpoint.
    pub async fn control_response(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("control request")
    }

    /// POSTs `body` to a control endpoint that must succeed; its JSON answer (or null).
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let response = self.control_response(path, body).await;
        let status = response.status();
        let text = response.text().await.expect("control body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Creates a user `{local}@{domain}` of `tenant`; its object id.
    pub async fn add_user(&self, tenant: &str, local: &str, display_name: &str) -> String {
        let domain = if tenant == TENANT {
            TENANT_DOMAIN
        } else {
            OTHER_DOMAIN
        };
        let user = self
            .control(
                "/_control/users",
                json!({
                    "tenantId": tenant,
                    "userPrincipalName": format!("{local}@{domain}"),
                    "displayName": display_name,
                    "mail": format!("{local}@{domain}"),
                }),
            )
            .await;
        user["id"].as_str().expect("user id").to_string()
    }

    /// A token request to `/{tenant}/oauth2/v2.0/token`.
    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form)
            .send()
            .await
            .expect("token request")
    }

    /// An app-only access token of the app.
    pub async fn app_token(&self) -> String {
        access_token(self.token(TENANT, &client_credentials(GRAPH_DEFAULT)).await).await
    }

    /// A refresh token of `user_id` for the app, as if the user signed in with `scopes`.
    pub async fn refresh_token(&self, user_id: &str, scopes: &[&str]) -> String {
        let body = self
            .control(
                "/_control/refresh-tokens",
                json!({ "clientId": CLIENT_ID, "userId": user_id, "scopes": scopes }),
            )
            .await;
        body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_string()
    }

    /// Redeems a refresh token of the app.
    pub async fn redeem_refresh_token(&self, refresh_token: &str) -> Response {
        self.token(
            "organizations",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    /// A delegated access token of `user_id` with `scopes` consented.
    pub async fn user_token(&self, user_id: &str, scopes: &[&str]) -> String {
        let refresh_token = self.refresh_token(user_id, scopes).await;
        access_token(self.redeem_refresh_token(&refresh_token).await).await
    }

    /// A Graph request with a bearer token.
    pub fn graph(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    /// GETs a Graph path; status and JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> (StatusCode, Value) {
        status_and_json(
            self.graph(Method::GET, path, token)
                .send()
                .await
                .expect("graph request"),
        )
        .await
    }

    /// Sends `body` as JSON to a Graph path with `method`; status and JSON body (null when empty).
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let response = self
            .graph(method, path, token)
            .json(&body)
            .send()
            .await
            .expect("graph request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, json)
    }

    /// The request log.
    pub async fn requests(&self) -> Vec<Value> {
        let response = self
            .http
            .get(self.url("/_control/requests"))
            .send()
            .await
            .expect("log request");
        let body: Value = response.json().await.expect("log body");
        body["requests"].as_array().expect("requests").clone()
    }
}

/// The form of a client credentials request of the app for `scope`.
pub fn client_credentials(scope: &str) -> [(&'static str, &str); 4] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("scope", scope),
    ]
}

/// Status and JSON body of a response.
pub async fn status_and_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let json =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, json)
}

/// The `access_token` of a successful token response.
pub async fn access_token(response: Response) -> String {
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The payload of a JWT, unverified.
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
        .expect("JSON claims")
}

/// Asserts an identity platform error: status, `error`, the AADSTS code in `error_codes` and
/// at the start of `error_description`.
pub async fn assert_aadsts(
    response: Response,
    status: StatusCode,
    error: &str,
    code: u64,
) -> Value {
    let (actual_status, body) = status_and_json(response).await;
    assert_eq!(actual_status, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    body
}

/// Asserts a Graph error: status and `error.code`.
pub async fn assert_graph_error(response: Response, status: StatusCode, code: &str) -> Value {
    let (actual_status, body) = status_and_json(response).await;
    assert_eq!(actual_status, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body
}
