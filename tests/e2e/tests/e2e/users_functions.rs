//! `users-get` and `users-list` as real Lambda binaries under a Runtime API, against moto and the
//! Microsoft simulator: both permission modes, both event styles, the warm path's single request,
//! the token engine's error codes, refresh races, input validation and log hygiene.

use e2e::counting_proxy::CountingProxy;
use e2e::demo_directory::{
    ADELE, ALEX, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, MEGAN, demo_tenant_token_path,
};
use e2e::function_process::{call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::sign_in::{parsed_settings, sign_in};
use e2e::stack::TestStack;
use e2e::stored_links::{expire_stored_access_token, number, stored_link, stored_refresh_token};
use serde_json::{Value, json};
use shared::support::table_keys::link_key;

const READ_ALL: &[&str] = &["User.Read.All"];

#[tokio::test]
async fn both_permission_modes_and_both_event_styles_work() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let list = spawn_function("users-list", &stack.env()).await;

    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["status"], 200, "{me}");
    assert_eq!(me["body"]["id"], ADELE.id);

    let manager = call(
        &get,
        json!({"userId": MEGAN.user_principal_name, "query": {"$select": "id,jobTitle"}}),
    )
    .await;
    assert_eq!(manager["status"], 200, "{manager}");
    assert_eq!(manager["body"]["id"], MEGAN.id);
    assert_eq!(manager["body"]["jobTitle"], MEGAN.job_title);
    assert!(
        manager["body"].get("displayName").is_none(),
        "$select passed through: {manager}"
    );

    // An application user id resolves to that user's Microsoft object id, in either mode.
    let by_app_user = call(&get, json!({"userId": "app:alice"})).await;
    assert_eq!(by_app_user["body"]["id"], ADELE.id, "{by_app_user}");

    let gateway = call(
        &get,
        api_gateway_event(
            "GET",
            "/users/{userId}",
            "/users/me",
            json!({"userId": "me"}),
            json!({"authUserId": "alice"}),
            None,
        ),
    )
    .await;
    assert_eq!(gateway["statusCode"], 200, "{gateway}");
    let body: Value = serde_json::from_str(gateway["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["id"], ADELE.id);

    for event in [
        json!({"query": {"$top": 1, "all": true}}),
        json!({"authUserId": "alice", "query": {"$top": 1, "all": true}}),
    ] {
        let all = call(&list, event).await;
        assert_eq!(all["status"], 200, "{all}");
        let ids: Vec<&str> = all["body"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        for user in [ADELE, ALEX, MEGAN] {
            assert!(ids.contains(&user.id), "{user:?} missing from {ids:?}");
        }
        assert!(
            all["body"].get("@odata.nextLink").is_none(),
            "every page was followed"
        );
    }
    // $search and $count need `ConsistencyLevel: eventual`, which Graph (and the simulator) require.
    let searched = call(
        &list,
        json!({"query": {"$search": "\"displayName:Adele\"", "$count": true}}),
    )
    .await;
    assert_eq!(searched["status"], 200, "{searched}");
    assert_eq!(searched["body"]["value"][0]["id"], ADELE.id, "{searched}");
    let one_page = call(&list, json!({"query": {"$top": 1}})).await;
    assert_eq!(one_page["body"]["value"].as_array().unwrap().len(), 1);
    assert!(one_page["body"]["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn a_warm_call_makes_exactly_one_outbound_request() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
    let mut env = stack.env();
    env.insert("AWS_ENDPOINT_URL".into(), aws.url().to_string());
    let get = spawn_function("users-get", &env).await;

    for event in [
        json!({"userId": "me", "authUserId": "alice"}),
        json!({"userId": ALEX.id}),
    ] {
        let cold = call(&get, event.clone()).await;
        assert_eq!(cold["status"], 200, "{cold}");
        stack.simulator().clear_requests().await.unwrap();
        aws.reset();

        let warm = call(&get, event).await;
        assert_eq!(warm["status"], 200, "{warm}");
        let requests = stack.simulator().requests().await.unwrap();
        assert_eq!(requests.len(), 1, "one request to Microsoft: {requests:?}");
        assert!(requests[0].path.starts_with("/v1.0/users/"), "{requests:?}");
        assert_eq!(
            aws.counts(),
            Default::default(),
            "no DynamoDB or Secrets Manager call"
        );
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_gives_refresh_token_invalid_and_marks_the_link() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;

    let answer = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(answer["status"], 401, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "RefreshTokenInvalid");
    let item = stored_link(&stack, "alice").await;
    assert_eq!(item["status"].as_s().unwrap(), "invalid");
    assert_eq!(item["invalidReason"].as_s().unwrap(), "revoked");
    assert!(
        !item.contains_key("keeperShard"),
        "an invalid link leaves the keeper's index"
    );

    let unknown = call(&get, json!({"userId": "me", "authUserId": "nobody"})).await;
    assert_eq!(
        unknown["body"]["error"]["code"], "RefreshTokenInvalid",
        "{unknown}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_gives_refresh_token_invalid() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "expired")
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(
        answer["body"]["error"]["code"], "RefreshTokenInvalid",
        "{answer}"
    );
    assert_eq!(
        stored_link(&stack, "alice").await["invalidReason"]
            .as_s()
            .unwrap(),
        "expired"
    );
}

#[tokio::test]
async fn a_missing_scope_gives_scope_invalid_without_calling_graph() {
    let stack = TestStack::start().await;
    sign_in(&stack, "carol", ALEX.id, &["User.Read", "Calendars.Read"]).await;
    let list = spawn_function("users-list", &stack.env()).await;
    stack.simulator().clear_requests().await.unwrap();

    let answer = call(&list, json!({"authUserId": "carol"})).await;
    assert_eq!(answer["status"], 403, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "ScopeInvalid");
    // A first call opens its connection to Graph while it reads (`HEAD /`, nothing in it).
    let sent: Vec<_> = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| (request.method.as_str(), request.path.as_str()) != ("HEAD", "/"))
        .collect();
    assert_eq!(sent, vec![], "nothing was sent to Microsoft");
}

#[tokio::test]
async fn an_unknown_tenant_gives_tenant_not_found() {
    let mut stack = TestStack::start().await;
    let mut settings = stack.settings().clone();
    settings["appTenantId"] = json!("00000000-0000-0000-0000-00000000dead");
    stack.put_settings(settings).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": ADELE.id})).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "TenantNotFound");
}

#[tokio::test]
async fn concurrent_refreshes_of_one_user_leave_one_working_newest_token() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let before = number(&stored_link(&stack, "alice").await, "version");
    expire_stored_access_token(&stack, "alice").await;
    let first = spawn_function("users-get", &stack.env()).await;
    let second = spawn_function("users-get", &stack.env()).await;
    stack.simulator().clear_requests().await.unwrap();

    let event = json!({"userId": "me", "authUserId": "alice"});
    let (a, b) = tokio::join!(call(&first, event.clone()), call(&second, event));
    assert_eq!(a["status"], 200, "{a}");
    assert_eq!(b["status"], 200, "{b}");

    let item = stored_link(&stack, "alice").await;
    assert_eq!(
        number(&item, "version"),
        before + 1,
        "exactly one rotation was written"
    );
    let grants = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .count();
    assert!((1..=2).contains(&grants), "{grants} refresh grants");

    // The stored refresh token is one Microsoft still honours.
    let settings = parsed_settings(&stack);
    let stored = stored_refresh_token(&stack, "alice", &item);
    let (_, adapters) = e2e::sign_in::adapters(&stack);
    let redeemed = adapters
        .identity_platform
        .refresh(
            &settings,
            DEMO_TENANT_ID,
            &stored,
            &["User.Read.All".to_string()],
            None,
            shared::support::deadline::Deadline::after(std::time::Duration::from_secs(10)),
        )
        .await;
    assert!(redeemed.is_ok(), "{redeemed:?}");
}

#[tokio::test]
async fn bad_input_is_refused_with_nothing_sent_or_written() {
    let stack = TestStack::start().await;
    let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
    let mut env = stack.env();
    env.insert("AWS_ENDPOINT_URL".into(), aws.url().to_string());
    let get = spawn_function("users-get", &env).await;
    let list = spawn_function("users-list", &env).await;
    stack.simulator().clear_requests().await.unwrap();

    let cases = [
        (&get, json!({})),
        (&get, json!({"userId": ".."})),
        (&get, json!({"userId": "me"})),
        (
            &get,
            json!({"userId": "x@contoso.com", "authUserId": "a/b"}),
        ),
        (
            &get,
            json!({"userId": "x@contoso.com", "query": {"$top": 5}}),
        ),
        (&get, json!({"userId": "x@contoso.com", "body": {"a": 1}})),
        (&get, json!({"userId": "x@contoso.com", "unknown": 1})),
        (&list, json!({"query": {"$top": 0}})),
        (&list, json!({"query": {"$format": "json"}})),
        (&list, json!({"query": {"$select": "id;drop"}})),
        (&list, json!({"userId": "x@contoso.com"})),
    ];
    for (function, event) in cases {
        let answer = call(function, event.clone()).await;
        assert_eq!(answer["status"], 400, "{event} → {answer}");
        assert_eq!(
            answer["body"]["error"]["code"], "InvalidRequest",
            "{event} → {answer}"
        );
    }
    assert_eq!(
        stack.simulator().requests().await.unwrap(),
        vec![],
        "nothing sent to Microsoft"
    );
    assert_eq!(aws.total(), 0, "no AWS call: {:?}", aws.counts());
}

#[tokio::test]
async fn logs_and_responses_hold_no_token_or_secret() {
    let stack = TestStack::start().await;
    let (issued, _) = sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let env = stack.env();
    let get = spawn_function("users-get", &env).await;
    let mut answers = Vec::new();
    for event in [
        json!({"userId": "me", "authUserId": "alice"}),
        json!({"userId": ALEX.id}),
        json!({"userId": "nobody@contoso.onmicrosoft.com"}),
    ] {
        answers.push(call(&get, event).await.to_string());
    }
    expire_stored_access_token(&stack, "alice").await;
    answers.push(
        call(&get, json!({"userId": "me", "authUserId": "alice"}))
            .await
            .to_string(),
    );

    let logs = get.logs();
    assert!(
        logs.contains("invocation succeeded"),
        "logs were captured: {logs}"
    );
    let settings = stack.settings();
    let key = settings["tokenEncryptionKeys"]["keys"]["k1"]
        .as_str()
        .unwrap();
    let forbidden = [
        DEMO_CLIENT_SECRET,
        issued.refresh_token.as_str(),
        key,
        "eyJ",
        "Bearer ",
    ];
    for text in answers.iter().chain([&logs]) {
        for secret in forbidden {
            assert!(!text.contains(secret), "`{secret}` leaked into:\n{text}");
        }
    }
}

#[tokio::test]
async fn a_user_id_never_reaches_another_microsoft_user_than_the_one_named() {
    let stack = TestStack::start().await;
    // An application user whose id equals Adele's userPrincipalName links Alex's account.
    sign_in(&stack, ADELE.user_principal_name, ALEX.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;

    // Adele's userPrincipalName means Adele, whatever application user ids exist.
    let by_upn = call(&get, json!({"userId": ADELE.user_principal_name})).await;
    assert_eq!(by_upn["body"]["id"], ADELE.id, "{by_upn}");
    // Naming the application user takes the explicit prefix, and then means Alex.
    let by_app_user = call(
        &get,
        json!({"userId": format!("app:{}", ADELE.user_principal_name)}),
    )
    .await;
    assert_eq!(by_app_user["body"]["id"], ALEX.id, "{by_app_user}");

    // A bare value that could be either kind of id is refused before anything is sent.
    stack.simulator().clear_requests().await.unwrap();
    let ambiguous = call(&get, json!({"userId": "alice"})).await;
    assert_eq!(ambiguous["status"], 400, "{ambiguous}");
    assert_eq!(ambiguous["body"]["error"]["code"], "InvalidRequest");
    let unknown = call(&get, json!({"userId": "app:nobody"})).await;
    assert_eq!(
        unknown["body"]["error"]["code"], "InvalidRequest",
        "{unknown}"
    );
    assert_eq!(stack.simulator().requests().await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_link_copied_under_another_users_key_is_never_used() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    sign_in(&stack, "mallory", ALEX.id, READ_ALL).await;
    // Someone with write access to the table copies Alice's item under Mallory's key, keeping
    // Alice's `appUserId` attribute so her tokens would decrypt.
    let mut copied = stored_link(&stack, "alice").await;
    copied.insert(
        "pk".into(),
        aws_sdk_dynamodb::types::AttributeValue::S(link_key("mallory")),
    );
    stack
        .dynamodb()
        .put_item()
        .table_name(&stack.function_env().table_name)
        .set_item(Some(copied))
        .send()
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "mallory"})).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "InternalError");
    assert_ne!(answer["body"]["id"], ADELE.id, "never Alice's account");
}

#[tokio::test]
async fn a_link_is_refreshed_in_the_tenant_it_was_signed_in_to() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack.simulator().clear_requests().await.unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(answer["status"], 200, "{answer}");
    let token_requests: Vec<String> = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.path.ends_with("/oauth2/v2.0/token"))
        .map(|request| request.path)
        .collect();
    // The settings say `common`; the link knows its tenant.
    assert_eq!(token_requests, [demo_tenant_token_path()]);
}
