//! Faults and races: Graph throttling storms, outages, slow and dropped answers, a token endpoint
//! outage, AWS outages, key rotation, many containers refreshing one user at once, and a spoofed
//! `authUserId` under a JWT authorizer. Expected: bounded retries inside the invocation's time, the
//! right error code, and no refresh token lost or marked invalid because of a transient fault.

use std::time::{Duration, Instant};

use base64::Engine;
use e2e::counting_proxy::CountingProxy;
use e2e::demo_directory::{ADELE, ALEX, DEMO_TENANT_ID, demo_tenant_token_path};
use e2e::function_process::{call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::sign_in::{adapters, parsed_settings, sign_in};
use e2e::stack::TestStack;
use e2e::stored_links::{expire_stored_access_token, number, stored_link, stored_refresh_token};
use serde_json::json;
use shared::support::deadline::Deadline;

const READ_ALL: &[&str] = &["User.Read", "User.Read.All"];

fn graph_user_path(id: &str) -> String {
    format!("/v1.0/users/{id}")
}

#[tokio::test]
async fn graph_faults_are_retried_within_the_invocation_budget() {
    let stack = TestStack::start().await;
    let get = spawn_function("users-get", &stack.env()).await;
    let control = stack.simulator();
    call(&get, json!({"userId": ADELE.id})).await; // warm: the application token is cached

    // A burst of 503s, a dropped connection and a slow answer are absorbed by retries.
    // Each fault's count is what one call consumes: two failed attempts before the third succeeds,
    // or one slow answer.
    for (fault, count) in [
        (json!({"kind": "status", "status": 503}), 2),
        (json!({"kind": "drop"}), 2),
        (json!({"kind": "delay", "ms": 300}), 1),
    ] {
        control
            .add_fault(&json!({"method": "GET", "path": graph_user_path(ADELE.id), "count": count, "fault": fault}))
            .await
            .unwrap();
        let answer = call(&get, json!({"userId": ADELE.id})).await;
        assert_eq!(answer["status"], 200, "{fault}: {answer}");
    }

    // A 429 storm longer than the invocation: UpstreamUnavailable, answered before the deadline.
    control
        .add_fault(&json!({"method": "GET", "path": graph_user_path(ADELE.id), "count": 1000, "fault": {"kind": "status", "status": 429, "retryAfter": 1}}))
        .await
        .unwrap();
    let started = Instant::now();
    let answer = get
        .invoke_within(json!({"userId": ADELE.id}), Duration::from_secs(3))
        .await
        .expect("answered in time");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(answer["status"], 503, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "UpstreamUnavailable");

    // A Graph that never answers in time: UpstreamUnavailable before the deadline.
    let slow = spawn_function("users-get", &stack.env()).await;
    call(&slow, json!({"userId": ALEX.id})).await;
    control
        .add_fault(&json!({"method": "GET", "path": graph_user_path(ALEX.id), "count": 10, "fault": {"kind": "delay", "ms": 10000}}))
        .await
        .unwrap();
    let started = Instant::now();
    let answer = slow
        .invoke_within(json!({"userId": ALEX.id}), Duration::from_secs(2))
        .await
        .expect("answered in time");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        answer["body"]["error"]["code"], "UpstreamUnavailable",
        "{answer}"
    );
}

#[tokio::test]
async fn a_token_endpoint_outage_never_invalidates_a_link() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let before = stored_link(&stack, "alice").await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .add_fault(&json!({"method": "POST", "path": demo_tenant_token_path(), "count": 1000, "fault": {"kind": "status", "status": 503}}))
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = get
        .invoke_within(
            json!({"userId": "me", "authUserId": "alice"}),
            Duration::from_secs(4),
        )
        .await
        .unwrap();
    assert_eq!(
        answer["body"]["error"]["code"], "UpstreamUnavailable",
        "{answer}"
    );
    let after = stored_link(&stack, "alice").await;
    assert_eq!(after["status"].as_s().unwrap(), "valid");
    assert_eq!(
        number(&after, "version"),
        number(&before, "version"),
        "nothing was written"
    );
    assert_eq!(
        after["refreshToken"], before["refreshToken"],
        "the refresh token is kept"
    );
}

#[tokio::test]
async fn aws_outages_stop_cold_containers_cleanly_and_spare_warm_ones() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
    let mut env = stack.env();
    env.insert("AWS_ENDPOINT_URL".into(), aws.url().to_string());
    let warm = spawn_function("users-get", &env).await;
    let me = json!({"userId": "me", "authUserId": "alice"});
    assert_eq!(call(&warm, me.clone()).await["status"], 200);

    aws.set_outage(true);
    let answer = call(&warm, me.clone()).await;
    assert_eq!(
        answer["status"], 200,
        "a warm container needs neither DynamoDB nor Secrets Manager: {answer}"
    );
    let cold = spawn_function("users-get", &env).await;
    let answer = call(&cold, me.clone()).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "InternalError");
    assert!(
        !answer.to_string().contains("outage played"),
        "AWS error details stay in the logs: {answer}"
    );

    aws.set_outage(false);
    assert_eq!(
        call(&cold, me).await["status"],
        200,
        "the cold container recovers with AWS"
    );
    assert_eq!(
        stored_link(&stack, "alice").await["status"].as_s().unwrap(),
        "valid"
    );
}

#[tokio::test]
async fn a_rotated_encryption_key_keeps_old_tokens_readable() {
    let mut stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    // A warm container that re-reads settings every second and trusts no token from memory.
    let mut env = stack.env();
    env.insert("SETTINGS_TTL_SECONDS".into(), "1".into());
    env.insert("TOKEN_CACHE_TTL_SECONDS".into(), "0".into());
    let get = spawn_function("users-get", &env).await;
    let me = json!({"userId": "me", "authUserId": "alice"});
    assert_eq!(call(&get, me.clone()).await["status"], 200);

    let mut settings = stack.settings().clone();
    let new_key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
    settings["tokenEncryptionKeys"]["keys"]["k2"] = json!(new_key);
    settings["tokenEncryptionKeys"]["active"] = json!("k2");
    stack.put_settings(settings).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    expire_stored_access_token(&stack, "alice").await;

    let answer = call(&get, me).await;
    assert_eq!(
        answer["status"], 200,
        "the k1 refresh token still decrypts: {answer}"
    );
    let item = stored_link(&stack, "alice").await;
    assert_eq!(
        item["refreshKeyId"].as_s().unwrap(),
        "k2",
        "the rotated token is written with the new key"
    );
    let stored = stored_refresh_token(&stack, "alice", &item);
    let redeemed = adapters(&stack)
        .1
        .identity_platform
        .refresh(
            &parsed_settings(&stack),
            DEMO_TENANT_ID,
            &stored,
            &["User.Read.All".to_string()],
            None,
            Deadline::after(Duration::from_secs(10)),
        )
        .await;
    assert!(redeemed.is_ok(), "{redeemed:?}");
}

#[tokio::test]
async fn many_containers_refreshing_one_user_lose_no_rotation() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let before = number(&stored_link(&stack, "alice").await, "version");
    expire_stored_access_token(&stack, "alice").await;
    let mut containers = Vec::new();
    for _ in 0..6 {
        containers.push(spawn_function("users-get", &stack.env()).await);
    }
    let me = json!({"userId": "me", "authUserId": "alice"});
    let answers = futures::future::join_all(containers.iter().map(|c| call(c, me.clone()))).await;
    for answer in &answers {
        assert_eq!(answer["status"], 200, "{answer}");
    }
    let item = stored_link(&stack, "alice").await;
    assert_eq!(
        number(&item, "version"),
        before + 1,
        "one rotation written, the others re-read it"
    );
    let stored = stored_refresh_token(&stack, "alice", &item);
    let redeemed = adapters(&stack)
        .1
        .identity_platform
        .refresh(
            &parsed_settings(&stack),
            DEMO_TENANT_ID,
            &stored,
            &["User.Read.All".to_string()],
            None,
            Deadline::after(Duration::from_secs(10)),
        )
        .await;
    assert!(
        redeemed.is_ok(),
        "the stored refresh token works: {redeemed:?}"
    );
}

#[tokio::test]
async fn a_jwt_subject_cannot_be_overridden() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    sign_in(&stack, "bob", ALEX.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let event = |query: serde_json::Value| {
        let mut event = api_gateway_event(
            "GET",
            "/users/{userId}",
            "/users/me",
            json!({"userId": "me"}),
            query,
            None,
        );
        event["requestContext"]["authorizer"] =
            json!({"jwt": {"claims": {"sub": "alice"}, "scopes": null}});
        event
    };
    let spoofed = call(&get, event(json!({"authUserId": "bob"}))).await;
    assert_eq!(spoofed["statusCode"], 403, "{spoofed}");
    assert!(spoofed["body"].as_str().unwrap().contains("Forbidden"));
    let own = call(&get, event(json!({}))).await;
    assert_eq!(own["statusCode"], 200, "{own}");
    assert!(
        own["body"].as_str().unwrap().contains(ADELE.id),
        "acts as the token's subject: {own}"
    );
}

#[tokio::test]
async fn throttling_is_never_retried_early_and_a_long_wait_is_handed_to_the_caller() {
    let stack = TestStack::start().await;
    let get = spawn_function("users-get", &stack.env()).await;
    let control = stack.simulator();
    call(&get, json!({"userId": ADELE.id})).await; // warm: the application token is cached

    // Microsoft asks for 1 s: the retry comes no earlier, and succeeds.
    control
        .add_fault(&json!({"method": "GET", "path": graph_user_path(ADELE.id), "count": 1, "fault": {"kind": "status", "status": 429, "retryAfter": 1}}))
        .await
        .unwrap();
    let started = Instant::now();
    let answer = call(&get, json!({"userId": ADELE.id})).await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );

    // Microsoft asks for 120 s, far more than the invocation has: no retry, no waiting, and the
    // caller is told how long to wait (in the body, and as Retry-After through API Gateway).
    control
        .add_fault(&json!({"method": "GET", "path": graph_user_path(ADELE.id), "count": 2, "fault": {"kind": "status", "status": 429, "retryAfter": 120}}))
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let started = Instant::now();
    let answer = get
        .invoke_within(json!({"userId": ADELE.id}), Duration::from_secs(10))
        .await
        .expect("answered");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(answer["status"], 503, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "UpstreamUnavailable");
    assert_eq!(
        answer["body"]["error"]["retryAfterSeconds"], 120,
        "{answer}"
    );
    assert_eq!(
        control.requests().await.unwrap().len(),
        1,
        "one attempt only"
    );
    let gateway = call(
        &get,
        api_gateway_event(
            "GET",
            "/users/{userId}",
            &graph_user_path(ADELE.id),
            json!({"userId": ADELE.id}),
            json!({}),
            None,
        ),
    )
    .await;
    assert_eq!(gateway["statusCode"], 503, "{gateway}");
    assert_eq!(gateway["headers"]["retry-after"], "120", "{gateway}");
}

#[tokio::test]
async fn a_throttled_token_endpoint_hands_the_wait_to_the_caller_and_keeps_the_link() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .add_fault(&json!({"method": "POST", "path": demo_tenant_token_path(), "count": 10, "fault": {"kind": "status", "status": 429, "retryAfter": 90}}))
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(
        answer["body"]["error"]["code"], "UpstreamUnavailable",
        "{answer}"
    );
    assert_eq!(answer["body"]["error"]["retryAfterSeconds"], 90, "{answer}");
    assert!(
        !stored_link(&stack, "alice")
            .await
            .contains_key("invalidReason"),
        "throttling never invalidates a link"
    );
}
