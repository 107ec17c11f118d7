//! The control API: arranging state, validation, settings, reset and the request log.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{
    GRAPH_DEFAULT, Sim, TENANT, TENANT_DOMAIN, assert_aadsts, client_credentials, jwt_claims,
    status_and_json,
};

#[tokio::test]
async fn reset_forgets_tenants_apps_and_users() {
    let sim = Sim::start().await;
    sim.add_user(TENANT, "adele", "Adele Vance").await;
    sim.control("/_control/reset", json!({})).await;
    let response = sim.token(TENANT, &client_credentials(GRAPH_DEFAULT)).await;
    assert_aadsts(response, StatusCode::BAD_REQUEST, "invalid_request", 90002).await;
}

#[tokio::test]
async fn refuses_malformed_and_conflicting_arrangements() {
    let sim = Sim::start().await;
    let cases = [
        (
            "/_control/tenants",
            json!({ "id": "not-a-guid", "domain": "x.onmicrosoft.com" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/tenants",
            json!({ "id": TENANT, "domain": "again.onmicrosoft.com" }),
            StatusCode::CONFLICT,
        ),
        (
            "/_control/apps",
            json!({ "clientId": "c", "clientSecret": "s", "tenantId": "33333333-3333-4333-8333-333333333333" }),
            StatusCode::NOT_FOUND,
        ),
        (
            "/_control/apps",
            json!({ "clientId": "c", "clientSecret": "s", "tenantId": TENANT, "applicationPermissions": ["Mail.Nope"] }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/users",
            json!({ "tenantId": TENANT, "userPrincipalName": "x@contoso.onmicrosoft.com", "displayName": "X", "managerId": "nobody@contoso.onmicrosoft.com" }),
            StatusCode::NOT_FOUND,
        ),
        (
            "/_control/users",
            json!({ "tenantId": TENANT, "userPrincipalName": "no-at-sign", "displayName": "X" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/users",
            json!({ "tenantId": TENANT, "displayName": "missing upn" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/sign-in",
            json!({ "userId": "44444444-4444-4444-8444-444444444444", "outcome": "approve" }),
            StatusCode::NOT_FOUND,
        ),
        (
            "/_control/faults",
            json!({ "path": "/v1.0", "count": 1, "fault": { "kind": "status", "status": 500 } }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/settings",
            json!({ "defaultPageSize": 0 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/_control/settings",
            json!({ "calendarPageSize": 1000 }),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, body, expected) in cases {
        let (status, answer) =
            status_and_json(sim.control_response(path, body.clone()).await).await;
        assert_eq!(status, expected, "{path} {body}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
}

#[tokio::test]
async fn duplicate_user_principal_names_conflict() {
    let sim = Sim::start().await;
    sim.add_user(TENANT, "adele", "Adele Vance").await;
    let response = sim
        .control_response(
            "/_control/users",
            json!({ "tenantId": TENANT, "userPrincipalName": format!("ADELE@{TENANT_DOMAIN}"), "displayName": "Again" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn settings_merge_and_apply_to_tokens() {
    let sim = Sim::start().await;
    let settings = sim
        .control(
            "/_control/settings",
            json!({ "accessTokenLifetimeSecs": 120 }),
        )
        .await;
    assert_eq!(
        settings,
        json!({ "accessTokenLifetimeSecs": 120, "defaultPageSize": 100, "calendarPageSize": 10, "authorizationCodeLifetimeSecs": 600, "cloud": "global" })
    );
    let response = sim.token(TENANT, &client_credentials(GRAPH_DEFAULT)).await;
    let (_, body) = status_and_json(response).await;
    assert_eq!(body["expires_in"], 120);
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
}

#[tokio::test]
async fn a_national_cloud_serves_its_own_graph_and_refuses_other_clouds() {
    let sim = Sim::start().await;
    sim.control("/_control/settings", json!({ "cloud": "usGovL4" }))
        .await;
    // The app's home tenant is a global one: AADSTS90038.
    let response = sim
        .token(
            TENANT,
            &client_credentials("https://graph.microsoft.us/.default"),
        )
        .await;
    assert_aadsts(response, StatusCode::BAD_REQUEST, "invalid_request", 90038).await;

    let us_tenant = "33333333-3333-4333-8333-333333333333";
    sim.control(
        "/_control/tenants",
        json!({ "id": us_tenant, "domain": "contoso.onmicrosoft.us", "cloud": "usGovL4" }),
    )
    .await;
    sim.control(
        &format!(
            "/_control/apps/{}/admin-consents",
            crate::harness::CLIENT_ID
        ),
        json!({ "tenantId": us_tenant, "applicationPermissions": ["User.Read.All"] }),
    )
    .await;
    // Another cloud's Graph is a resource this cloud does not have: AADSTS500011.
    let response = sim
        .token(us_tenant, &client_credentials(GRAPH_DEFAULT))
        .await;
    assert_aadsts(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_resource",
        500011,
    )
    .await;
    let response = sim
        .token(
            us_tenant,
            &client_credentials("https://graph.microsoft.us/.default"),
        )
        .await;
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://graph.microsoft.us");
    assert_eq!(claims["roles"], json!(["User.Read.All"]));
}

#[tokio::test]
async fn request_log_records_identity_and_graph_requests_only() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    sim.http
        .get(sim.url("/v1.0/users?$top=1"))
        .bearer_auth(&token)
        .header("client-request-id", "my-correlation")
        .send()
        .await
        .unwrap();
    let log = sim.requests().await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        log[0],
        json!({ "method": "POST", "path": format!("/{TENANT}/oauth2/v2.0/token"), "query": null, "status": 200, "grantType": "client_credentials" })
    );
    assert_eq!(
        log[1],
        json!({ "method": "GET", "path": "/v1.0/users", "query": "$top=1", "status": 200, "clientRequestId": "my-correlation" })
    );
    let cleared = sim
        .http
        .delete(sim.url("/_control/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert!(sim.requests().await.is_empty());
}
