//! Bearer token checks, permissions, tenant isolation and Graph's error shape.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{
    OTHER_TENANT, Sim, TENANT, TENANT_DOMAIN, assert_graph_error, status_and_json,
};

#[tokio::test]
async fn missing_malformed_forged_and_expired_tokens_are_401() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let missing = sim.http.get(sim.url("/v1.0/users")).send().await.unwrap();
    assert!(
        missing.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    assert_graph_error(
        missing,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
    )
    .await;
    let malformed = sim
        .graph(Method::GET, "/v1.0/users", "not-a-jwt")
        .send()
        .await
        .unwrap();
    assert_graph_error(
        malformed,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
    )
    .await;
    let other_simulator = Sim::start().await;
    let foreign = other_simulator.app_token().await;
    let forged = sim
        .graph(Method::GET, "/v1.0/users", &foreign)
        .send()
        .await
        .unwrap();
    assert_graph_error(
        forged,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
    )
    .await;

    sim.control(
        "/_control/settings",
        json!({ "accessTokenLifetimeSecs": 1 }),
    )
    .await;
    let short_lived = sim.user_token(&adele, &["User.Read"]).await;
    assert_eq!(
        sim.get_json("/v1.0/me", &short_lived).await.0,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = sim
        .graph(Method::GET, "/v1.0/me", &short_lived)
        .send()
        .await
        .unwrap();
    let body = assert_graph_error(
        expired,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn graph_errors_carry_request_ids_in_body_and_headers() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    let response = sim
        .graph(
            Method::GET,
            "/v1.0/users/nobody@contoso.onmicrosoft.com",
            &token,
        )
        .header("client-request-id", "caller-chosen-id")
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(response.headers()["client-request-id"], "caller-chosen-id");
    let body =
        assert_graph_error(response, StatusCode::NOT_FOUND, "Request_ResourceNotFound").await;
    assert_eq!(
        body["error"]["message"],
        "Resource 'nobody@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present."
    );
    assert_eq!(body["error"]["innerError"]["request-id"], request_id);
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "caller-chosen-id"
    );
    assert!(body["error"]["innerError"]["date"].is_string());
    let success = sim
        .graph(Method::GET, "/v1.0/users", &token)
        .send()
        .await
        .unwrap();
    assert!(
        success.headers().contains_key("request-id")
            && success.headers().contains_key("client-request-id")
    );
}

#[tokio::test]
async fn missing_permissions_are_403() {
    let sim = Sim::with_app_roles(&[]).await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let no_roles = sim.app_token().await;
    let response = sim
        .graph(Method::GET, "/v1.0/users", &no_roles)
        .send()
        .await
        .unwrap();
    let body = assert_graph_error(
        response,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );

    let reader = sim.user_token(&adele, &["User.Read.All"]).await;
    let create = sim
        .graph(Method::POST, "/v1.0/users", &reader)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_graph_error(create, StatusCode::FORBIDDEN, "Authorization_RequestDenied").await;
}

#[tokio::test]
async fn user_read_covers_the_signed_in_user_only() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let megan = sim.add_user(TENANT, "megan", "Megan Bowen").await;
    let token = sim.user_token(&adele, &["User.Read"]).await;
    assert_eq!(sim.get_json("/v1.0/me", &token).await.0, StatusCode::OK);
    assert_eq!(
        sim.get_json(&format!("/v1.0/users/{adele}"), &token)
            .await
            .0,
        StatusCode::OK
    );
    for path in [
        format!("/v1.0/users/{megan}"),
        "/v1.0/users".to_string(),
        "/v1.0/users/delta".to_string(),
    ] {
        let response = sim.graph(Method::GET, &path, &token).send().await.unwrap();
        assert_graph_error(
            response,
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
        )
        .await;
    }
}

#[tokio::test]
async fn a_token_sees_only_its_own_tenant() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let megan = sim.add_user(OTHER_TENANT, "megan", "Megan Bowen").await;
    let reader = sim.user_token(&adele, &["User.Read.All"]).await;
    let (status, list) = sim.get_json("/v1.0/users", &reader).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    assert_eq!(list["value"][0]["id"], adele);
    let response = sim
        .graph(Method::GET, &format!("/v1.0/users/{megan}"), &reader)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::NOT_FOUND, "Request_ResourceNotFound").await;
    let app = sim.app_token().await;
    let (_, app_list) = sim.get_json("/v1.0/users", &app).await;
    assert_eq!(
        app_list["value"].as_array().unwrap().len(),
        1,
        "app of {TENANT_DOMAIN} sees its tenant only"
    );
}

#[tokio::test]
async fn me_requires_a_delegated_token() {
    let sim = Sim::start().await;
    let app = sim.app_token().await;
    let response = sim
        .graph(Method::GET, "/v1.0/me", &app)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::BAD_REQUEST, "BadRequest").await;
}

#[tokio::test]
async fn unknown_segments_and_methods() {
    let sim = Sim::start().await;
    let app = sim.app_token().await;
    let (status, body) = status_and_json(
        sim.graph(Method::GET, "/v1.0/teleporters", &app)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'teleporters'."
    );
    let put = sim
        .graph(Method::PUT, "/v1.0/users", &app)
        .send()
        .await
        .unwrap();
    assert_graph_error(put, StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest").await;
}
