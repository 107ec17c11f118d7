//! Injected faults: throttling and outages in Graph's or the identity platform's shape,
//! delays, and connections closed before or after handling.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{
    GRAPH_DEFAULT, Sim, TENANT, TENANT_DOMAIN, assert_aadsts, assert_graph_error,
    client_credentials,
};

async fn inject(sim: &Sim, rule: Value) {
    let response = sim.control_response("/_control/faults", rule).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

fn new_user(local: &str) -> Value {
    json!({
        "accountEnabled": true,
        "displayName": local,
        "mailNickname": local,
        "userPrincipalName": format!("{local}@{TENANT_DOMAIN}"),
        "passwordProfile": { "password": "xWwvJ]6NMw+bWH-d" },
    })
}

#[tokio::test]
async fn graph_throttling_with_retry_after_for_the_next_n_requests() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(&sim, json!({ "path": "/v1.0/users", "count": 2, "fault": { "kind": "status", "status": 429, "retryAfter": 7 } })).await;
    for _ in 0..2 {
        let response = sim
            .graph(Method::GET, "/v1.0/users", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["retry-after"], "7");
        assert!(response.headers().contains_key("request-id"));
        assert_graph_error(response, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests").await;
    }
    assert_eq!(
        sim.graph(Method::GET, "/v1.0/users", &token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn faults_match_the_method_when_given() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(&sim, json!({ "method": "post", "path": "/v1.0/users", "count": 1, "fault": { "kind": "status", "status": 503 } })).await;
    assert_eq!(
        sim.graph(Method::GET, "/v1.0/users", &token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let response = sim
        .graph(Method::POST, "/v1.0/users", &token)
        .json(&new_user("x"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("retry-after").is_none());
    assert_graph_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "serviceNotAvailable",
    )
    .await;
    inject(
        &sim,
        json!({ "path": "/v1.0/", "count": 1, "fault": { "kind": "status", "status": 504 } }),
    )
    .await;
    let response = sim
        .graph(Method::GET, "/v1.0/me", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::GATEWAY_TIMEOUT, "timeout").await;
}

#[tokio::test]
async fn identity_faults_have_the_identity_platforms_shape() {
    let sim = Sim::start().await;
    let token_path = format!("/{TENANT}/oauth2/v2.0/token");
    inject(
        &sim,
        json!({ "path": token_path, "count": 1, "fault": { "kind": "status", "status": 503 } }),
    )
    .await;
    inject(&sim, json!({ "path": token_path, "count": 1, "fault": { "kind": "status", "status": 429, "retryAfter": 3 } })).await;
    let form = client_credentials(GRAPH_DEFAULT);
    let unavailable = sim.token(TENANT, &form).await;
    assert_aadsts(
        unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        90033,
    )
    .await;
    let throttled = sim.token(TENANT, &form).await;
    assert_eq!(throttled.headers()["retry-after"], "3");
    assert_aadsts(
        throttled,
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
        90055,
    )
    .await;
    assert_eq!(sim.token(TENANT, &form).await.status(), StatusCode::OK);
    let log = sim.requests().await;
    let statuses: Vec<&Value> = log.iter().map(|entry| &entry["status"]).collect();
    assert_eq!(statuses, [&json!(503), &json!(429), &json!(200)]);
}

#[tokio::test]
async fn delay_then_normal_handling() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(
        &sim,
        json!({ "path": "/v1.0/users", "count": 1, "fault": { "kind": "delay", "ms": 300 } }),
    )
    .await;
    let started = Instant::now();
    let response = sim
        .graph(Method::GET, "/v1.0/users", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn drop_closes_the_connection_without_handling_the_request() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(
        &sim,
        json!({ "method": "POST", "path": "/v1.0/users", "count": 1, "fault": { "kind": "drop" } }),
    )
    .await;
    let error = sim
        .graph(Method::POST, "/v1.0/users", &token)
        .json(&new_user("dropped"))
        .send()
        .await
        .unwrap_err();
    assert!(error.status().is_none() && error.is_request(), "{error:?}");
    let lookup = sim
        .graph(
            Method::GET,
            &format!("/v1.0/users/dropped@{TENANT_DOMAIN}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(lookup, StatusCode::NOT_FOUND, "Request_ResourceNotFound").await;
    let log = sim.requests().await;
    assert_eq!(
        log[1],
        json!({ "method": "POST", "path": "/v1.0/users", "query": null, "status": null, "dropped": true })
    );
}

#[tokio::test]
async fn drop_after_handling_keeps_the_state_change_but_sends_no_response() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(
        &sim,
        json!({ "path": "/v1.0/users", "count": 1, "fault": { "kind": "dropAfterHandling" } }),
    )
    .await;
    let error = sim
        .graph(Method::POST, "/v1.0/users", &token)
        .json(&new_user("kept"))
        .send()
        .await
        .unwrap_err();
    assert!(error.status().is_none() && error.is_request(), "{error:?}");
    let lookup = sim
        .graph(
            Method::GET,
            &format!("/v1.0/users/kept@{TENANT_DOMAIN}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::OK);
    let log = sim.requests().await;
    assert_eq!(log[1]["status"], 201);
    assert_eq!(log[1]["dropped"], true);
}

#[tokio::test]
async fn pending_faults_can_be_cleared() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    inject(
        &sim,
        json!({ "path": "/v1.0", "count": 5, "fault": { "kind": "status", "status": 503 } }),
    )
    .await;
    let cleared = sim
        .http
        .delete(sim.url("/_control/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sim.graph(Method::GET, "/v1.0/users", &token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
