//! The IAM policies of `template.yaml` against what the functions really call. Each function runs
//! through its paths (the real binaries, against moto behind a proxy recording every AWS operation);
//! every operation must be an action its role allows, and every action its role allows must be
//! used by one of those paths — so no function lacks a permission it needs, and none has one it
//! does not use. The policies are read at the default parameters: with `Tracing` `Active` every role
//! may also write X-Ray traces, which the local stack has no daemon for (template.rs checks that
//! statement).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use e2e::change_feed_control::ChangeFeedControl;
use e2e::counting_proxy::CountingProxy;
use e2e::demo_directory::{ADELE, ALEX, MEGAN, demo_tenant_token_path};
use e2e::function_process::spawn_function;
use e2e::http_front::{HttpFront, post_event};
use e2e::link_seeding::{LinkBatch, seed_links};
use e2e::settings::CALLBACK_URL;
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use e2e::stored_links::expire_stored_access_token;
use serde_json::{Value, json};
use shared::keeper::schedule::KeeperSchedule;
use xtask::template::committed::{
    allowed_by, committed_template, functions_by_binary, role_of, table_grants_of,
};

use crate::change_feed::{make_due, store_record_of, subscribe};

const READ_ALL: &[&str] = &["User.Read", "User.Read.All"];
/// The public route Graph posts to.
const NOTIFICATIONS_ROUTE: &str = "POST /graph/notifications";

/// The actions `function`'s role allows in template.yaml at the default parameters, besides writing
/// its own logs.
fn allowed_actions(function: &str) -> BTreeSet<String> {
    let template = committed_template();
    let (_, resource) = functions_by_binary(&template)[function];
    allowed_by(role_of(&template, resource))
        .into_iter()
        .map(|(action, _)| action)
        .filter(|action| !action.starts_with("logs:"))
        .collect()
}

/// The table statements of `function`'s role: each one's item actions and the key patterns
/// (`link#*`, ...) its `dynamodb:LeadingKeys` condition limits them to.
fn allowed_item_grants(function: &str) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let template = committed_template();
    let (_, resource) = functions_by_binary(&template)[function];
    table_grants_of(role_of(&template, resource))
}

/// The key prefix a pattern such as `link#*` allows.
fn prefix_of(pattern: &str) -> &str {
    pattern
        .strip_suffix('*')
        .unwrap_or_else(|| panic!("a key pattern without a trailing `*`: {pattern}"))
}

/// The IAM action of an AWS operation as the proxy saw it (its `X-Amz-Target`):
/// `DynamoDB_20120810.GetItem` → `dynamodb:GetItem`, `secretsmanager.GetSecretValue` →
/// `secretsmanager:GetSecretValue`, `AWSEvents.PutEvents` → `events:PutEvents`.
fn iam_action(operation: &str) -> String {
    let (service, name) = operation
        .split_once('.')
        .unwrap_or_else(|| panic!("an operation without a target: {operation}"));
    let service = match service {
        "DynamoDB_20120810" => "dynamodb",
        "secretsmanager" => "secretsmanager",
        "AWSEvents" => "events",
        other => panic!("a call to an unexpected service: {other}"),
    };
    format!("{service}:{name}")
}

/// The AWS calls the functions of one test make, recorded per function.
struct Recorder {
    stack: TestStack,
    aws: CountingProxy,
    /// Variables added to every function's environment.
    extra_env: BTreeMap<String, String>,
    used: BTreeMap<&'static str, BTreeSet<String>>,
    item_calls: BTreeMap<&'static str, BTreeSet<(String, String)>>,
}

impl Recorder {
    async fn start() -> Self {
        let stack = TestStack::start().await;
        let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
        Self {
            stack,
            aws,
            extra_env: BTreeMap::new(),
            used: BTreeMap::new(),
            item_calls: BTreeMap::new(),
        }
    }

    /// Invokes a fresh `function` with `event`, through the proxy; returns its answer.
    async fn invoke(&mut self, function: &'static str, event: Value) -> Value {
        let mut env = self.stack.env();
        env.extend(self.extra_env.clone());
        env.insert("AWS_ENDPOINT_URL".into(), self.aws.url().to_string());
        let process = spawn_function(function, &env).await;
        self.aws.reset();
        let answer = process
            .invoke_within(event, Duration::from_secs(30))
            .await
            .unwrap_or_else(|error| panic!("{function}: {error}; logs:\n{}", process.logs()));
        self.used.entry(function).or_default().extend(
            self.aws
                .counts()
                .keys()
                .map(|operation| iam_action(operation)),
        );
        self.item_calls.entry(function).or_default().extend(
            self.aws
                .item_calls()
                .into_iter()
                .map(|(operation, key)| (iam_action(&operation), key)),
        );
        answer
    }

    /// Checks that each function used exactly the actions its role allows, and that every item call
    /// it made (action and key) is allowed by one table statement naming both that action and a
    /// prefix of that key. (Which action each statement grants on which prefixes is argued in
    /// `xtask/src/template/permissions.rs`: some are needed only on paths these runs do not take,
    /// such as fetching an application token the table did not hold.)
    fn assert_exactly_allowed(&self) {
        for (function, calls) in &self.item_calls {
            let item_calls = self.used[function]
                .iter()
                .any(|action| action.starts_with("dynamodb:") && action != "dynamodb:Query");
            assert_eq!(
                !calls.is_empty(),
                item_calls,
                "{function}: the keys its item calls named were seen"
            );
            let grants = allowed_item_grants(function);
            for (action, key) in calls {
                assert!(
                    grants
                        .iter()
                        .any(|(actions, patterns)| actions.contains(action)
                            && patterns.iter().any(|p| key.starts_with(prefix_of(p)))),
                    "{function}: `{action}` on `{key}` is not granted by its role's table \
                     statements {grants:?}"
                );
            }
        }
        for (function, used) in &self.used {
            assert_eq!(
                used,
                &allowed_actions(function),
                "{function}: the actions used (left) and those allowed (right)"
            );
        }
    }
}

#[tokio::test]
async fn a_graph_operation_uses_exactly_what_its_role_allows() {
    let mut recorder = Recorder::start().await;
    sign_in(&recorder.stack, "alice", ADELE.id, READ_ALL).await;
    // Delegated, with an expired access token: the link is read and the rotated token written.
    expire_stored_access_token(&recorder.stack, "alice").await;
    let me = recorder
        .invoke("users-get", json!({"userId": "me", "authUserId": "alice"}))
        .await;
    assert_eq!(me["status"], 200, "{me}");
    // Application permissions in a fresh container: the cached token is looked for, then stored.
    let app = recorder
        .invoke("users-get", json!({"userId": ALEX.id}))
        .await;
    assert_eq!(app["status"], 200, "{app}");
    // A refresh Microsoft refuses for good: the link marked invalid, the event published and the
    // link's subscription records forgotten.
    sign_in(&recorder.stack, "bob", ALEX.id, READ_ALL).await;
    store_record_of(&recorder.stack, "bob", "bobs-subscription").await;
    expire_stored_access_token(&recorder.stack, "bob").await;
    recorder
        .stack
        .simulator()
        .invalidate_refresh_tokens(ALEX.id, "revoked")
        .await
        .unwrap();
    let refused = recorder
        .invoke("users-get", json!({"userId": "me", "authUserId": "bob"}))
        .await;
    assert_eq!(refused["status"], 401, "{refused}");
    recorder.assert_exactly_allowed();
}

#[tokio::test]
async fn the_sign_in_functions_use_exactly_what_their_roles_allow() {
    let mut recorder = Recorder::start().await;
    recorder
        .stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let started = recorder
        .invoke("auth-start", json!({"authUserId": "carol"}))
        .await;
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
    let landed = recorder
        .invoke("auth-callback", json!({"query": query}))
        .await;
    let location = landed["headers"]["location"]
        .as_str()
        .unwrap_or_else(|| panic!("{landed}"));
    let handle = reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "handle")
        .map(|(_, handle)| handle.into_owned())
        .unwrap_or_else(|| panic!("no handle in {location}"));
    assert!(location.starts_with(CALLBACK_URL), "{location}");
    // The backend completes it in carol's session: the pending sign-in is taken, carol's previous
    // link read and the new one written.
    let completed = recorder
        .invoke(
            "auth-complete",
            json!({"authUserId": "carol", "query": {"handle": handle}}),
        )
        .await;
    assert_eq!(completed["status"], 200, "{completed}");

    let status = recorder
        .invoke("auth-status", json!({"authUserId": "carol"}))
        .await;
    assert_eq!(status["body"]["linked"], true, "{status}");
    // Revoked with a subscription and an expired access token: the subscription deleted at Graph
    // (the token refreshed) and in the table, then the link.
    let front = notification_front(&mut recorder).await;
    let create = spawn_function("subscriptions-create", &recorder_env(&recorder)).await;
    subscribe(&create, Some("carol"), "me").await;
    expire_stored_access_token(&recorder.stack, "carol").await;
    let revoked = recorder
        .invoke("auth-revoke", json!({"authUserId": "carol"}))
        .await;
    assert_eq!(revoked["status"], 204, "{revoked}");
    drop(front);
    recorder.assert_exactly_allowed();
}

#[tokio::test]
async fn the_keeper_and_cache_clear_use_exactly_what_their_roles_allow() {
    let mut recorder = Recorder::start().await;
    let schedule = KeeperSchedule::default();
    let all_shards: Vec<u32> = (0..schedule.shards).collect();
    let due = |prefix| LinkBatch {
        prefix,
        count: 1,
        ms_user_id: ADELE.id,
        scopes: READ_ALL,
        days_ago: 20,
    };
    // A due link refreshed: the index queried, the link re-read and its rotated token written.
    seed_links(&recorder.stack, schedule, &due("refreshed")).await;
    let refreshed = recorder
        .invoke("token-keeper", json!({ "shards": all_shards }))
        .await;
    assert_eq!(refreshed["refreshed"], 1, "{refreshed}");
    // A due link near Microsoft's inactivity limit while Microsoft is down: deferred, and announced
    // at risk (the link marked failing, the event published).
    seed_links(
        &recorder.stack,
        schedule,
        &LinkBatch {
            days_ago: 85,
            ..due("deferred")
        },
    )
    .await;
    recorder
        .stack
        .simulator()
        .add_fault(
            &json!({"method": "POST", "path": demo_tenant_token_path(), "count": 1000,
            "fault": {"kind": "status", "status": 503}}),
        )
        .await
        .unwrap();
    let deferred = recorder
        .invoke("token-keeper", json!({ "shards": all_shards }))
        .await;
    assert_eq!(deferred["deferred"], 1, "{deferred}");

    // A due subscription Graph no longer has: created anew (validated through the notification
    // route), `Resync Needed` published, the old record forgotten.
    recorder.stack.simulator().clear_faults().await.unwrap();
    let front = notification_front(&mut recorder).await;
    let create = spawn_function("subscriptions-create", &recorder_env(&recorder)).await;
    let lost = subscribe(&create, None, ADELE.id).await;
    ChangeFeedControl::new(recorder.stack.simulator_url())
        .remove(&lost)
        .await
        .unwrap();
    make_due(&recorder.stack, &lost).await;
    let renewed = recorder
        .invoke("token-keeper", json!({ "shards": all_shards }))
        .await;
    assert_eq!(renewed["subscriptions"]["recreated"], 1, "{renewed}");
    drop(front);

    let cleared = recorder.invoke("cache-clear", json!({})).await;
    assert_eq!(cleared["status"], 200, "{cleared}");
    recorder.assert_exactly_allowed();
}

/// The functions' environment of `recorder` (without the proxy).
fn recorder_env(recorder: &Recorder) -> BTreeMap<String, String> {
    let mut env = recorder.stack.env();
    env.extend(recorder.extra_env.clone());
    env
}

/// `graph-notifications` behind its HTTP front (answering Graph's validation requests), its URL
/// given to every function the recorder runs.
async fn notification_front(recorder: &mut Recorder) -> HttpFront {
    let front = HttpFront::start(NOTIFICATIONS_ROUTE, "graph-notifications", BTreeMap::new()).await;
    recorder
        .extra_env
        .insert("NOTIFICATION_URL".into(), front.route_url());
    front.set_env(recorder_env(recorder)).await;
    front
}

/// A notification body for subscription `subscription` as Graph sends it, with `item`'s fields.
fn notification(subscription: &Value, item: Value) -> String {
    let mut item = item;
    item["subscriptionId"] = subscription["id"].clone();
    item["clientState"] = subscription["clientState"].clone();
    item["tenantId"] = subscription["tenantId"].clone();
    json!({ "value": [item] }).to_string()
}

#[tokio::test]
async fn the_change_feed_functions_use_exactly_what_their_roles_allow() {
    let mut recorder = Recorder::start().await;
    let front = notification_front(&mut recorder).await;
    let control = ChangeFeedControl::new(recorder.stack.simulator_url());
    let scopes = &["User.Read", "Calendars.ReadWrite"];
    sign_in(&recorder.stack, "dana", ADELE.id, scopes).await;
    sign_in(&recorder.stack, "fay", MEGAN.id, scopes).await;
    // Created with an expired access token: the link read, the rotated token and the
    // subscription written, the subscription listed under its owner.
    expire_stored_access_token(&recorder.stack, "dana").await;
    let created = recorder
        .invoke(
            "subscriptions-create",
            json!({"authUserId": "dana", "body": {"resource": "events", "userId": "me"}}),
        )
        .await;
    assert_eq!(created["status"], 201, "{created}");
    let fay = recorder
        .invoke(
            "subscriptions-create",
            json!({"authUserId": "fay", "body": {"resource": "events", "userId": "me"}}),
        )
        .await;
    assert_eq!(fay["status"], 201, "{fay}");
    let listed = recorder
        .invoke("subscriptions-list", json!({"authUserId": "dana"}))
        .await;
    assert_eq!(listed["status"], 200, "{listed}");
    let live = control.subscriptions().await.unwrap();
    let dana = live
        .iter()
        .find(|s| s["id"] == created["body"]["id"])
        .unwrap()
        .clone();

    // A change published; a reauthorization renews (and asks for a resync); a removal replaces the
    // subscription (validated through the front) and forgets the old record.
    let change = json!({"changeType": "created", "resource": format!("Users/{}/Events/e1", ADELE.id),
                        "resourceData": {"id": "e1", "@odata.etag": "W/\"k1\""}});
    for item in [
        change,
        json!({"lifecycleEvent": "reauthorizationRequired"}),
        json!({"lifecycleEvent": "subscriptionRemoved"}),
    ] {
        let answer = recorder
            .invoke(
                "graph-notifications",
                post_event(
                    NOTIFICATIONS_ROUTE,
                    "/graph/notifications",
                    &notification(&dana, item),
                ),
            )
            .await;
        assert_eq!(answer["statusCode"], 202, "{answer}");
    }
    let replacement = control
        .subscriptions()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s["resource"] == dana["resource"] && s["id"] != dana["id"])
        .unwrap();

    // Deleted by its owner, with an expired access token.
    expire_stored_access_token(&recorder.stack, "dana").await;
    let deleted = recorder
        .invoke(
            "subscriptions-delete",
            json!({"authUserId": "dana", "params": {"subscriptionId": replacement["id"]}}),
        )
        .await;
    assert_eq!(deleted["status"], 200, "{deleted}");

    // A refresh Microsoft refuses for good, in each: the link marked invalid, the event published,
    // the link's subscription records forgotten.
    expire_stored_access_token(&recorder.stack, "fay").await;
    recorder
        .stack
        .simulator()
        .invalidate_refresh_tokens(MEGAN.id, "revoked")
        .await
        .unwrap();
    for (function, event) in [
        (
            "subscriptions-delete",
            json!({"authUserId": "fay", "params": {"subscriptionId": fay["body"]["id"]}}),
        ),
        (
            "subscriptions-create",
            json!({"authUserId": "fay", "body": {"resource": "events", "userId": "me"}}),
        ),
        ("subscriptions-list", json!({"authUserId": "fay"})),
    ] {
        store_record_of(&recorder.stack, "fay", &format!("fays-{function}")).await;
        let refused = recorder.invoke(function, event).await;
        assert_eq!(refused["status"], 401, "{function}: {refused}");
        sign_in(&recorder.stack, "fay", MEGAN.id, scopes).await;
        expire_stored_access_token(&recorder.stack, "fay").await;
        recorder
            .stack
            .simulator()
            .invalidate_refresh_tokens(MEGAN.id, "revoked")
            .await
            .unwrap();
    }
    drop(front);
    recorder.assert_exactly_allowed();
}
