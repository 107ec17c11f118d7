//! The token endpoint: client authentication, client credentials, refresh tokens and every
//! AADSTS error the simulator produces there.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{
    CLIENT_ID, CLIENT_SECRET, GRAPH_DEFAULT, OTHER_TENANT, REDIRECT_URI, Sim, TENANT,
    TENANT_DOMAIN, assert_aadsts, client_credentials, jwt_claims, status_and_json,
};

#[tokio::test]
async fn errors_have_microsofts_shape_with_trace_and_correlation_ids() {
    let sim = Sim::start().await;
    let response = sim
        .http
        .post(sim.url("/nowhere.onmicrosoft.com/oauth2/v2.0/token"))
        .header("client-request-id", "5fd2a8a1-0000-4000-8000-000000000001")
        .form(&client_credentials(GRAPH_DEFAULT))
        .send()
        .await
        .unwrap();
    let trace_header = response.headers()["x-ms-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body = assert_aadsts(response, StatusCode::BAD_REQUEST, "invalid_request", 90002).await;
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.contains("Tenant 'nowhere.onmicrosoft.com' not found."),
        "{description}"
    );
    assert!(
        description.contains(&format!("\r\nTrace ID: {trace_header}\r\n")),
        "{description}"
    );
    assert!(
        description.contains("\r\nCorrelation ID: 5fd2a8a1-0000-4000-8000-000000000001\r\n"),
        "{description}"
    );
    assert!(
        description.contains(&format!(
            "\r\nTimestamp: {}",
            body["timestamp"].as_str().unwrap()
        )),
        "{description}"
    );
    assert_eq!(body["trace_id"], trace_header);
    assert_eq!(
        body["correlation_id"],
        "5fd2a8a1-0000-4000-8000-000000000001"
    );
}

#[tokio::test]
async fn client_authentication_errors() {
    let sim = Sim::start().await;
    let unknown = sim
        .token(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", "x"),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await;
    assert_aadsts(
        unknown,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
    )
    .await;
    let wrong_secret = sim
        .token(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", "guess"),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await;
    assert_aadsts(
        wrong_secret,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000215,
    )
    .await;
    let no_secret = sim
        .token(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await;
    assert_aadsts(
        no_secret,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        7000218,
    )
    .await;
    let no_grant_type = sim
        .token(
            TENANT,
            &[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)],
        )
        .await;
    assert_aadsts(
        no_grant_type,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
    )
    .await;
    let password = sim
        .token(
            TENANT,
            &[
                ("grant_type", "password"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ],
        )
        .await;
    assert_aadsts(
        password,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
        70003,
    )
    .await;
}

#[tokio::test]
async fn http_basic_client_authentication_is_accepted() {
    let sim = Sim::start().await;
    let credentials = STANDARD.encode(format!("{CLIENT_ID}:{}", CLIENT_SECRET.replace('~', "%7E")));
    let response = sim
        .http
        .post(sim.url(&format!("/{TENANT}/oauth2/v2.0/token")))
        .header("authorization", format!("Basic {credentials}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", GRAPH_DEFAULT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn client_credentials_issue_app_only_tokens_in_the_home_tenant() {
    let sim = Sim::with_app_roles(&["User.Read.All", "calendars.readwrite"]).await;
    for tenant in [TENANT, TENANT_DOMAIN] {
        let (status, body) =
            status_and_json(sim.token(tenant, &client_credentials(GRAPH_DEFAULT)).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert!(
            body.get("refresh_token").is_none() && body.get("id_token").is_none(),
            "{body}"
        );
        let claims = jwt_claims(body["access_token"].as_str().unwrap());
        assert_eq!(
            claims["roles"],
            json!(["User.Read.All", "Calendars.ReadWrite"])
        );
        assert_eq!(claims["tid"], TENANT);
        assert_eq!(claims["aud"], "https://graph.microsoft.com");
        assert!(
            claims.get("scp").is_none() && claims.get("oid").is_none(),
            "{claims}"
        );
    }
}

#[tokio::test]
async fn client_credentials_refuse_other_scopes_and_tenants() {
    let sim = Sim::start().await;
    let scope = sim
        .token(
            TENANT,
            &client_credentials("https://graph.microsoft.com/User.Read.All"),
        )
        .await;
    assert_aadsts(scope, StatusCode::BAD_REQUEST, "invalid_scope", 70011).await;
    let common = sim
        .token("common", &client_credentials(GRAPH_DEFAULT))
        .await;
    assert_aadsts(common, StatusCode::BAD_REQUEST, "invalid_request", 50059).await;
    let elsewhere = sim
        .token(OTHER_TENANT, &client_credentials(GRAPH_DEFAULT))
        .await;
    assert_aadsts(
        elsewhere,
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
    )
    .await;
}

#[tokio::test]
async fn refresh_returns_a_new_refresh_token_and_the_old_one_keeps_working() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let first = sim
        .refresh_token(&adele, &["openid", "User.Read", "Calendars.Read"])
        .await;
    let (status, body) = status_and_json(sim.redeem_refresh_token(&first).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(
        body["scope"],
        "https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/User.Read openid offline_access"
    );
    assert_eq!(jwt_claims(body["id_token"].as_str().unwrap())["oid"], adele);
    assert_eq!(
        sim.redeem_refresh_token(&first).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.redeem_refresh_token(&second).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn invalidated_refresh_tokens_fail_with_the_reasons_code_until_a_new_one_is_issued() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let cases = [
        ("expired", 70008, None),
        ("inactive", 700082, None),
        ("revoked", 50173, None),
        ("interaction_required", 50076, Some("basic_action")),
        ("consent_required", 65001, Some("consent_required")),
    ];
    for (reason, code, suberror) in cases {
        let token = sim.refresh_token(&adele, &["User.Read"]).await;
        sim.control(
            &format!("/_control/users/{adele}/refresh-tokens/invalidate"),
            json!({ "reason": reason }),
        )
        .await;
        let body = assert_aadsts(
            sim.redeem_refresh_token(&token).await,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            code,
        )
        .await;
        assert_eq!(
            body.get("suberror").and_then(|s| s.as_str()),
            suberror,
            "{reason}"
        );
        let fresh = sim.refresh_token(&adele, &["User.Read"]).await;
        assert_eq!(
            sim.redeem_refresh_token(&fresh).await.status(),
            StatusCode::OK,
            "{reason}"
        );
    }
}

#[tokio::test]
async fn refresh_for_scopes_beyond_consent_requires_consent() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim
        .refresh_token(&adele, &["User.Read", "Calendars.Read"])
        .await;
    let asking_more = sim
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("refresh_token", &token),
                (
                    "scope",
                    "https://graph.microsoft.com/Calendars.ReadWrite offline_access",
                ),
            ],
        )
        .await;
    assert_aadsts(asking_more, StatusCode::BAD_REQUEST, "invalid_grant", 65001).await;
    sim.control(
        "/_control/consents",
        json!({ "userId": adele, "clientId": CLIENT_ID, "scopes": ["User.Read"] }),
    )
    .await;
    let narrowed = sim.redeem_refresh_token(&token).await;
    assert_aadsts(narrowed, StatusCode::BAD_REQUEST, "invalid_grant", 65001).await;
}

#[tokio::test]
async fn access_tokens_carry_every_consented_permission() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    sim.control(
        "/_control/consents",
        json!({ "userId": adele, "clientId": CLIENT_ID, "scopes": ["Calendars.ReadWrite"] }),
    )
    .await;
    let token = sim
        .user_token(&adele, &["https://graph.microsoft.com/User.Read"])
        .await;
    assert_eq!(jwt_claims(&token)["scp"], "Calendars.ReadWrite User.Read");
}

#[tokio::test]
async fn malformed_unknown_and_foreign_refresh_tokens() {
    let sim = Sim::start().await;
    let malformed = sim.redeem_refresh_token("not a refresh token").await;
    assert_aadsts(
        malformed,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        9002313,
    )
    .await;
    let unknown = sim
        .redeem_refresh_token(&format!("0.A{}", "A".repeat(128)))
        .await;
    assert_aadsts(unknown, StatusCode::BAD_REQUEST, "invalid_grant", 70000).await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.refresh_token(&adele, &["User.Read"]).await;
    sim.control(
        "/_control/apps",
        json!({ "clientId": "other-app", "clientSecret": "other-secret", "tenantId": TENANT, "redirectUris": [REDIRECT_URI] }),
    )
    .await;
    let foreign = sim
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "other-app"),
                ("client_secret", "other-secret"),
                ("refresh_token", &token),
            ],
        )
        .await;
    assert_aadsts(foreign, StatusCode::BAD_REQUEST, "invalid_grant", 70000).await;
}

#[tokio::test]
async fn unknown_scopes_are_invalid() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.refresh_token(&adele, &["User.Read"]).await;
    let response = sim
        .token(
            TENANT,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("refresh_token", &token),
                ("scope", "https://graph.microsoft.com/Mail.Teleport"),
            ],
        )
        .await;
    assert_aadsts(response, StatusCode::BAD_REQUEST, "invalid_scope", 70011).await;
}

#[tokio::test]
async fn a_deleted_user_cannot_refresh() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.refresh_token(&adele, &["User.Read"]).await;
    let admin = sim.app_token().await;
    let deleted = sim
        .graph(
            reqwest::Method::DELETE,
            &format!("/v1.0/users/{adele}"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_aadsts(
        sim.redeem_refresh_token(&token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        50034,
    )
    .await;
}
