//! A test stack: the simulator seeded with the demo directory, the table and the settings
//! secret on moto, and the environment that points a function at them.

use e2e::demo_directory::{ADELE, ALEX, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, MEGAN};
use e2e::stack::{TEST_REDIRECT_URI, TestStack};
use serde_json::{Value, json};

/// Posts a token request for the demo app to the stack's simulator; returns status and body.
async fn token_request(stack: &TestStack, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let credentials = [
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    let response = reqwest::Client::new()
        .post(format!(
            "{}/{tenant}/oauth2/v2.0/token",
            stack.simulator_url()
        ))
        .form(&[form, &credentials].concat())
        .send()
        .await
        .expect("token request");
    (
        response.status().as_u16(),
        response.json().await.expect("JSON token answer"),
    )
}

async fn app_access_token(stack: &TestStack) -> String {
    let (status, body) = token_request(
        stack,
        DEMO_TENANT_ID,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, 200, "client credentials: {body}");
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

async fn graph_get(stack: &TestStack, path: &str, access_token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/v1.0{path}", stack.simulator_url()))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("Graph request");
    (
        response.status().as_u16(),
        response.json().await.expect("JSON Graph answer"),
    )
}

#[tokio::test]
async fn the_simulator_holds_the_demo_directory() {
    let stack = TestStack::start().await;
    let token = app_access_token(&stack).await;

    let (status, users) = graph_get(&stack, "/users?$select=id,displayName", &token).await;
    let (manager_status, manager) =
        graph_get(&stack, &format!("/users/{}/manager", ADELE.id), &token).await;

    assert_eq!(status, 200, "{users}");
    let mut names: Vec<_> = users["value"]
        .as_array()
        .expect("a user list")
        .iter()
        .map(|u| u["displayName"].clone())
        .collect();
    names.sort_by_key(Value::to_string);
    assert_eq!(
        names,
        [ADELE.display_name, ALEX.display_name, MEGAN.display_name]
    );
    assert_eq!(manager_status, 200, "{manager}");
    assert_eq!(manager["id"], MEGAN.id);
}

#[tokio::test]
async fn a_linked_users_refresh_token_works_until_invalidated() {
    let stack = TestStack::start().await;
    let scopes = "offline_access User.Read Calendars.ReadWrite";

    let link = stack
        .link_user(
            "app-user-1",
            ADELE.id,
            &["User.Read", "Calendars.ReadWrite"],
        )
        .await;
    let redeem = [
        ("grant_type", "refresh_token"),
        ("refresh_token", link.refresh_token.as_str()),
        ("scope", scopes),
    ];
    let (status, redeemed) = token_request(&stack, "common", &redeem).await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .expect("invalidating");
    let (rejected_status, rejected) = token_request(&stack, "common", &redeem).await;

    assert_eq!(
        (link.app_user_id.as_str(), link.ms_user_id.as_str()),
        ("app-user-1", ADELE.id)
    );
    assert_eq!(link.scopes, ["User.Read", "Calendars.ReadWrite"]);
    assert_eq!(status, 200, "{redeemed}");
    assert!(
        redeemed["access_token"].is_string() && redeemed["refresh_token"].is_string(),
        "{redeemed}"
    );
    assert_eq!(rejected_status, 400, "{rejected}");
    assert_eq!(rejected["error"], "invalid_grant");
}

#[tokio::test]
async fn a_queued_sign_in_redirects_back_with_a_code() {
    let stack = TestStack::start().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .expect("queueing a sign-in");
    let answer = no_redirects
        .get(format!(
            "{}/common/oauth2/v2.0/authorize",
            stack.simulator_url()
        ))
        .query(&[
            ("client_id", DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", TEST_REDIRECT_URI),
            ("scope", "openid offline_access User.Read"),
            ("state", "s1"),
        ])
        .send()
        .await
        .expect("authorize request");

    assert_eq!(answer.status(), reqwest::StatusCode::FOUND);
    let location = answer.headers()["location"]
        .to_str()
        .expect("a text location");
    assert!(
        location.starts_with(&format!("{TEST_REDIRECT_URI}?code=")),
        "location {location}"
    );
    assert!(location.ends_with("&state=s1"), "location {location}");
}

#[tokio::test]
async fn faults_and_the_request_log_are_controllable() {
    let stack = TestStack::start().await;
    let token = app_access_token(&stack).await;

    stack
        .simulator()
        .add_fault(&json!({"path": "/v1.0/users", "fault": {"kind": "status", "status": 503}}))
        .await
        .expect("adding a fault");
    let (faulted, _) = graph_get(&stack, "/users", &token).await;
    let (recovered, _) = graph_get(&stack, "/users", &token).await;
    let log = stack.simulator().requests().await.expect("reading the log");
    stack
        .simulator()
        .clear_requests()
        .await
        .expect("clearing the log");
    let cleared = stack
        .simulator()
        .requests()
        .await
        .expect("reading the cleared log");

    assert_eq!((faulted, recovered), (503, 200));
    let seen: Vec<_> = log
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                r.status,
                r.grant_type.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "POST",
                format!("/{DEMO_TENANT_ID}/oauth2/v2.0/token").as_str(),
                Some(200),
                Some("client_credentials")
            ),
            ("GET", "/v1.0/users", Some(503), None),
            ("GET", "/v1.0/users", Some(200), None),
        ]
    );
    assert!(cleared.is_empty(), "{cleared:?}");
}

#[tokio::test]
async fn the_environment_points_at_the_stack() {
    let mut stack = TestStack::start().await;

    let env = stack.env();
    let stored = stack
        .secrets()
        .get_secret_value()
        .secret_id(&env["SETTINGS_SECRET_ID"])
        .send()
        .await
        .expect("secret");
    let stored: Value =
        serde_json::from_str(stored.secret_string().expect("a string secret")).expect("JSON");
    let table = stack
        .dynamodb()
        .describe_table()
        .table_name(&env["TABLE_NAME"])
        .send()
        .await
        .expect("table");
    let mut rotated = stack.settings().clone();
    rotated["clientSecret"] = json!("rotated-secret");
    stack.put_settings(rotated.clone()).await;
    let after_rotation = stack
        .secrets()
        .get_secret_value()
        .secret_id(&env["SETTINGS_SECRET_ID"])
        .send()
        .await
        .expect("secret");

    assert_eq!(env["GRAPH_BASE_URL"], stack.simulator_url());
    assert_eq!(env["LOGIN_BASE_URL"], stack.simulator_url());
    assert!(
        env["AWS_ENDPOINT_URL"].starts_with("http://127.0.0.1:"),
        "{env:?}"
    );
    assert_eq!(
        (
            env["AWS_REGION"].as_str(),
            env["AWS_ACCESS_KEY_ID"].as_str()
        ),
        ("us-east-1", "testing")
    );
    assert_eq!(stored["clientId"], DEMO_CLIENT_ID);
    assert_eq!(stored["appTenantId"], DEMO_TENANT_ID);
    assert_eq!(stored["redirectUri"], TEST_REDIRECT_URI);
    let key = stored["tokenEncryptionKeys"]["keys"]["k1"]
        .as_str()
        .expect("the active key");
    assert_eq!(base64_decoded_len(key), 32);
    assert!(table.table().is_some());
    assert_eq!(
        serde_json::from_str::<Value>(after_rotation.secret_string().expect("a string"))
            .expect("JSON"),
        rotated
    );
}

fn base64_decoded_len(text: &str) -> usize {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
        .len()
}
