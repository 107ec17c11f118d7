//! Link health events end to end: the real function binaries against moto and the Microsoft
//! simulator, the events read the way an application reads them (an EventBridge rule on the bus
//! delivering `graph-functions.` events to an SQS queue). Each transition is announced exactly
//! once — revocation at Microsoft (on the first failing call), withdrawn consent, a password reset
//! and a disabled user (through Graph, by the application's administrator), a Conditional Access
//! block (the link kept), six containers failing at once, at risk after the configured days and
//! near the inactivity limit, recovery, sign-ins (linked, relinked) and `auth-revoke` — a 429/5xx
//! storm announces nothing, an event the bus refused is published by the next keeper run with the
//! same `eventId`, `auth-status` reports the last event, and no event holds a token or secret.

use std::collections::BTreeMap;
use std::time::Duration;

use e2e::demo_directory::{
    ADELE, ALEX, DEMO_APPLICATION_PERMISSIONS, DEMO_CLIENT_ID, DEMO_TENANT_ID, MEGAN,
    demo_tenant_token_path,
};
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::link_seeding::{LinkBatch, seed_links};
use e2e::secret_scan::find_secret;
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use e2e::stored_links::{expire_stored_access_token, set_link_number, stored_link};
use serde_json::{Value, json};
use shared::keeper::schedule::KeeperSchedule;
use shared::support::clock::now_epoch;

const READ_ALL: &[&str] = &["User.Read.All"];
const DAY: i64 = 24 * 3600;

/// The link events that reached the application's queue since the last drain, after checking that
/// no event on the bus holds a token, code or secret.
async fn announced(stack: &TestStack) -> Vec<Value> {
    let events = stack
        .events()
        .drain(Duration::from_millis(1500), Duration::from_secs(20))
        .await
        .expect("reading the application's queue");
    for event in &events {
        if let Some(secret) = find_secret(&event.to_string()) {
            panic!("{secret} in a published event: {event}");
        }
    }
    events
        .into_iter()
        .filter(|event| event["source"] == "graph-functions.links")
        .collect()
}

/// `(detail-type, appUserId, reason)` of each event.
fn summary(events: &[Value]) -> Vec<(String, String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    events
        .iter()
        .map(|event| {
            (
                text(&event["detail-type"]),
                text(&event["detail"]["appUserId"]),
                text(&event["detail"]["reason"]),
            )
        })
        .collect()
}

fn one(detail_type: &str, app_user_id: &str, reason: &str) -> (String, String, String) {
    (detail_type.into(), app_user_id.into(), reason.into())
}

/// The `health` `auth-status` reports for `app_user_id`.
async fn health(stack: &TestStack, app_user_id: &str) -> Value {
    let status = spawn_function("auth-status", &stack.env()).await;
    let answer = call(&status, json!({"authUserId": app_user_id})).await;
    assert_eq!(answer["status"], 200, "{answer}");
    answer["body"]["health"].clone()
}

/// The demo app's administrator grants it `User.ReadWrite.All` too, so the application can reset
/// passwords and disable users through `users-update`.
async fn allow_user_administration(stack: &TestStack) {
    let mut permissions = DEMO_APPLICATION_PERMISSIONS.to_vec();
    permissions.push("User.ReadWrite.All");
    stack
        .simulator()
        .admin_consent(DEMO_CLIENT_ID, DEMO_TENANT_ID, &permissions)
        .await
        .unwrap();
}

async fn me(get: &FunctionProcess, app_user_id: &str) -> Value {
    call(get, json!({"userId": "me", "authUserId": app_user_id})).await
}

#[tokio::test]
async fn a_revocation_at_microsoft_is_announced_once_on_the_first_failing_call() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;
    assert_eq!(me(&get, "alice").await["status"], 200);

    // An administrator revokes Adele's sessions: Graph refuses her access token at once (Continuous
    // Access Evaluation), and her refresh token no longer redeems.
    stack
        .simulator()
        .revoke_sessions(&json!({"userId": ADELE.id, "refreshTokens": true}))
        .await
        .unwrap();
    let first = me(&get, "alice").await;
    assert_eq!(
        first["body"]["error"]["code"], "RefreshTokenInvalid",
        "{first}"
    );
    let again = me(&get, "alice").await;
    assert_eq!(
        again["body"]["error"]["code"], "RefreshTokenInvalid",
        "{again}"
    );

    let events = announced(&stack).await;
    assert_eq!(
        summary(&events),
        [one("Link Invalidated", "alice", "revoked")]
    );
    let detail = &events[0]["detail"];
    assert_eq!(detail["tenantId"], DEMO_TENANT_ID);
    assert_eq!(detail["signInFixes"], true);
    assert!(
        detail["eventId"]
            .as_str()
            .unwrap()
            .starts_with("link#alice#")
    );
    let health = health(&stack, "alice").await;
    assert_eq!(health["event"], "Link Invalidated", "{health}");
    assert_eq!(health["reason"], "revoked");
    assert_eq!(health["eventId"], detail["eventId"]);
}

#[tokio::test]
async fn withdrawn_consent_a_password_reset_mfa_and_a_disabled_user_each_announce_their_reason() {
    let stack = TestStack::start().await;
    allow_user_administration(&stack).await;
    sign_in(&stack, "consent", ADELE.id, READ_ALL).await;
    sign_in(&stack, "password", ALEX.id, READ_ALL).await;
    sign_in(&stack, "disabled", MEGAN.id, READ_ALL).await;
    let update = spawn_function("users-update", &stack.env()).await;
    for (id, body) in [
        (
            ALEX.id,
            json!({"passwordProfile": {"password": "n3w-Pa55word!", "forceChangePasswordNextSignIn": false}}),
        ),
        (MEGAN.id, json!({"accountEnabled": false})),
    ] {
        let answer = call(&update, json!({"userId": id, "body": body})).await;
        assert_eq!(answer["status"], 204, "{answer}");
    }
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "consent_required")
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    for (app_user_id, code) in [
        ("consent", "ScopeInvalid"),
        ("password", "RefreshTokenInvalid"),
        ("disabled", "RefreshTokenInvalid"),
    ] {
        expire_stored_access_token(&stack, app_user_id).await;
        let answer = me(&get, app_user_id).await;
        assert_eq!(answer["body"]["error"]["code"], code, "{answer}");
    }

    let mut events = summary(&announced(&stack).await);
    events.sort();
    assert_eq!(
        events,
        [
            // Microsoft answers a password reset with AADSTS50173, as it does any revocation.
            one("Link Invalidated", "consent", "consent_withdrawn"),
            one("Link Invalidated", "disabled", "user_deleted_or_disabled"),
            one("Link Invalidated", "password", "revoked"),
        ]
    );
    let disabled = health(&stack, "disabled").await;
    assert_eq!(disabled["signInFixes"], false, "{disabled}");

    // MFA now required for a user signed in again: the password-or-MFA reason.
    sign_in(&stack, "mfa", ALEX.id, READ_ALL).await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ALEX.id, "interaction_required")
        .await
        .unwrap();
    expire_stored_access_token(&stack, "mfa").await;
    assert_eq!(
        me(&get, "mfa").await["body"]["error"]["code"],
        "RefreshTokenInvalid"
    );
    assert_eq!(
        summary(&announced(&stack).await),
        [one("Link Invalidated", "mfa", "password_or_mfa")]
    );
}

#[tokio::test]
async fn six_containers_failing_at_once_announce_one_invalidation() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .unwrap();
    let mut containers = Vec::new();
    for _ in 0..6 {
        containers.push(spawn_function("users-get", &stack.env()).await);
    }
    let answers =
        futures::future::join_all(containers.iter().map(|container| me(container, "alice"))).await;
    for answer in &answers {
        assert_eq!(
            answer["body"]["error"]["code"], "RefreshTokenInvalid",
            "{answer}"
        );
    }
    assert_eq!(
        summary(&announced(&stack).await),
        [one("Link Invalidated", "alice", "revoked")]
    );
}

#[tokio::test]
async fn a_throttling_storm_announces_nothing_and_the_recovery_after_it_once() {
    let stack = TestStack::start().await;
    let schedule = KeeperSchedule::default();
    let all_shards: Vec<u32> = (0..schedule.shards).collect();
    seed_links(
        &stack,
        schedule,
        &LinkBatch {
            prefix: "storm",
            count: 1,
            ms_user_id: ADELE.id,
            scopes: READ_ALL,
            days_ago: 20,
        },
    )
    .await;
    for status in [429, 503] {
        stack
            .simulator()
            .add_fault(&json!({"path": demo_tenant_token_path(), "count": 1000,
                "fault": {"kind": "status", "status": status}}))
            .await
            .unwrap();
    }
    let get = spawn_function("users-get", &stack.env()).await;
    let keeper = spawn_function("token-keeper", &stack.env()).await;
    for _ in 0..3 {
        let answer = me(&get, "storm-0").await;
        assert_eq!(
            answer["body"]["error"]["code"], "UpstreamUnavailable",
            "{answer}"
        );
    }
    let run = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(run["deferred"], 1, "{run}");
    assert_eq!(
        announced(&stack).await,
        Vec::<Value>::new(),
        "no event in a storm"
    );
    let item = stored_link(&stack, "storm-0").await;
    assert_eq!(item["status"].as_s().unwrap(), "valid");
    assert!(
        item.contains_key("failingSince"),
        "the keeper recorded the failures"
    );

    stack.simulator().clear_faults().await.unwrap();
    assert_eq!(me(&get, "storm-0").await["status"], 200);
    assert_eq!(me(&get, "storm-0").await["status"], 200);
    assert_eq!(
        summary(&announced(&stack).await),
        [one("Link Recovered", "storm-0", "refresh_works_again")]
    );
    assert_eq!(health(&stack, "storm-0").await["event"], "Link Recovered");
}

#[tokio::test]
async fn a_link_failing_for_the_configured_days_or_near_the_inactivity_limit_is_at_risk_once() {
    let stack = TestStack::start().await;
    let schedule = KeeperSchedule::default();
    let all_shards: Vec<u32> = (0..schedule.shards).collect();
    let batch = |prefix, days_ago| LinkBatch {
        prefix,
        count: 1,
        ms_user_id: ADELE.id,
        scopes: READ_ALL,
        days_ago,
    };
    seed_links(&stack, schedule, &batch("failing", 20)).await;
    seed_links(&stack, schedule, &batch("old", 85)).await;
    seed_links(&stack, schedule, &batch("young", 20)).await;
    let now = now_epoch();
    // `failing` has failed for 8 days (more than LINK_AT_RISK_DAYS, 7 by default), `young` for 6.
    set_link_number(&stack, "failing-0", "failingSince", now - 8 * DAY).await;
    set_link_number(&stack, "young-0", "failingSince", now - 6 * DAY).await;
    stack
        .simulator()
        .add_fault(&json!({"path": demo_tenant_token_path(), "count": 1000,
            "fault": {"kind": "status", "status": 503}}))
        .await
        .unwrap();
    let keeper = spawn_function("token-keeper", &stack.env()).await;
    let run = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(run["deferred"], 3, "{run}");
    let mut events = summary(&announced(&stack).await);
    events.sort();
    assert_eq!(
        events,
        [
            one("Link At Risk", "failing-0", "refresh_failing"),
            one("Link At Risk", "old-0", "inactivity_limit_near"),
        ]
    );

    // The next runs find them failing still: nothing is announced again.
    for app_user_id in ["failing-0", "old-0", "young-0"] {
        set_link_number(&stack, app_user_id, "keeperDueAt", now - 1).await;
    }
    let run = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(run["deferred"], 3, "{run}");
    assert_eq!(announced(&stack).await, Vec::<Value>::new());
    assert_eq!(health(&stack, "failing-0").await["event"], "Link At Risk");

    // Microsoft answers again: each link that had failed is announced recovered, once.
    stack.simulator().clear_faults().await.unwrap();
    for app_user_id in ["failing-0", "old-0", "young-0"] {
        set_link_number(&stack, app_user_id, "keeperDueAt", now - 1).await;
    }
    let run = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(run["refreshed"], 3, "{run}");
    let mut events = summary(&announced(&stack).await);
    events.sort();
    assert_eq!(
        events,
        ["failing-0", "old-0", "young-0"].map(|id| one(
            "Link Recovered",
            id,
            "refresh_works_again"
        ))
    );
}

/// One application user signing in through the whole flow, as the application's backend and the
/// user's browser do it.
async fn sign_in_through_the_flow(stack: &TestStack, app_user_id: &str, ms_user_id: &str) -> Value {
    stack
        .simulator()
        .queue_sign_in(ms_user_id, true)
        .await
        .unwrap();
    let start = spawn_function("auth-start", &stack.env()).await;
    let callback = spawn_function("auth-callback", &stack.env()).await;
    let complete = spawn_function("auth-complete", &stack.env()).await;
    let started = call(&start, json!({"authUserId": app_user_id})).await;
    let authorize_url = started["body"]["authorizeUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let microsoft = browser.get(authorize_url).send().await.unwrap();
    let back = reqwest::Url::parse(microsoft.headers()["location"].to_str().unwrap()).unwrap();
    let query: BTreeMap<String, String> = back.query_pairs().into_owned().collect();
    let landed = call(&callback, json!({"query": query})).await;
    let location = landed["headers"]["location"]
        .as_str()
        .unwrap_or_else(|| panic!("{landed}"));
    let handle = reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "handle")
        .map(|(_, handle)| handle.into_owned())
        .unwrap_or_else(|| panic!("no handle in {location}"));
    let completed = call(
        &complete,
        json!({"authUserId": app_user_id, "query": {"handle": handle}}),
    )
    .await;
    assert_eq!(completed["status"], 200, "{completed}");
    completed
}

#[tokio::test]
async fn sign_ins_announce_linked_then_relinked_and_auth_revoke_revoked() {
    let stack = TestStack::start().await;
    sign_in_through_the_flow(&stack, "carol", ADELE.id).await;
    let linked = announced(&stack).await;
    assert_eq!(summary(&linked), [one("Link Linked", "carol", "signed_in")]);
    assert_eq!(linked[0]["detail"]["msUserId"], ADELE.id);
    assert_eq!(health(&stack, "carol").await["event"], "Link Linked");

    sign_in_through_the_flow(&stack, "carol", ADELE.id).await;
    assert_eq!(
        summary(&announced(&stack).await),
        [one("Link Relinked", "carol", "signed_in")]
    );
    sign_in_through_the_flow(&stack, "carol", ALEX.id).await;
    assert_eq!(
        summary(&announced(&stack).await),
        [one("Link Linked", "carol", "signed_in")],
        "another Microsoft account is a new link"
    );

    let revoke = spawn_function("auth-revoke", &stack.env()).await;
    for _ in 0..2 {
        let answer = call(&revoke, json!({"authUserId": "carol"})).await;
        assert_eq!(answer["status"], 204, "{answer}");
    }
    let revoked = announced(&stack).await;
    assert_eq!(
        summary(&revoked),
        [one("Link Revoked", "carol", "revoked_by_application")]
    );
    assert_eq!(revoked[0]["detail"]["signInFixes"], true);
}

#[tokio::test]
async fn an_event_the_bus_refused_is_published_by_the_next_keeper_run_with_the_same_id() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .unwrap();
    // The container that sees the revocation cannot reach the bus (as if it stopped right after
    // writing the link): the call still answers, and the event waits on the link.
    let mut unreachable_bus = stack.env();
    unreachable_bus.insert("EVENT_BUS_NAME".into(), "no-such-bus".into());
    let get = spawn_function("users-get", &unreachable_bus).await;
    let answer = me(&get, "alice").await;
    assert_eq!(
        answer["body"]["error"]["code"], "RefreshTokenInvalid",
        "{answer}"
    );
    assert_eq!(announced(&stack).await, Vec::<Value>::new());
    let pending = stored_link(&stack, "alice").await;
    assert!(pending.contains_key("eventPending"), "{pending:?}");
    assert!(
        pending.contains_key("keeperShard"),
        "an invalid link with a pending event stays in the keeper index"
    );

    let keeper = spawn_function("token-keeper", &stack.env()).await;
    let all_shards: Vec<u32> = (0..KeeperSchedule::default().shards).collect();
    let run = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(run["noLongerDue"], 1, "{run}");
    let events = announced(&stack).await;
    assert_eq!(
        summary(&events),
        [one("Link Invalidated", "alice", "revoked")]
    );
    assert_eq!(
        events[0]["detail"]["eventId"].as_str(),
        pending["lastEventId"].as_s().ok().map(String::as_str)
    );
    let published = stored_link(&stack, "alice").await;
    assert!(!published.contains_key("eventPending"));
    assert!(
        !published.contains_key("keeperShard"),
        "out of the index again"
    );
    let again = call(&keeper, json!({ "shards": all_shards })).await;
    assert_eq!(again["due"], 0, "{again}");
    assert_eq!(announced(&stack).await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_policy_block_is_announced_once_and_the_link_kept() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "blocked_by_conditional_access")
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    for _ in 0..2 {
        let answer = me(&get, "alice").await;
        assert_eq!(
            answer["body"]["error"]["code"], "BlockedByPolicy",
            "{answer}"
        );
    }
    let events = announced(&stack).await;
    assert_eq!(
        summary(&events),
        [one("Link Invalidated", "alice", "blocked_by_policy")]
    );
    assert_eq!(events[0]["detail"]["signInFixes"], false);
    let item = stored_link(&stack, "alice").await;
    assert_eq!(item["status"].as_s().unwrap(), "valid", "the link is kept");
    let health = health(&stack, "alice").await;
    assert_eq!(health["reason"], "blocked_by_policy", "{health}");
    assert!(health.get("failingSince").is_some(), "{health}");
}
