//! The change feed end to end: `subscriptions-create` through the real binary, the simulator's
//! validation handshake and change notifications reaching the real `graph-notifications` binary over
//! HTTP (behind [`HttpFront`], as API Gateway fronts it), events on the bus reaching an SQS queue
//! through an EventBridge rule (moto), forged notifications dropped, a bus outage redelivered by Graph,
//! lifecycle notifications, the keeper's renewal, subscriptions forgotten when their link is
//! revoked or invalidated, and `calendar-view-delta` with its expired sync state.

use std::collections::BTreeMap;
use std::time::Duration;

use e2e::change_feed_control::ChangeFeedControl;
use e2e::counting_proxy::CountingProxy;
use e2e::demo_directory::{ADELE, ALEX, MEGAN};
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::http_front::HttpFront;
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use e2e::stored_links::expire_stored_access_token;
use serde_json::{Value, json};
use shared::adapters::change_feed::dynamo_subscriptions::DynamoSubscriptions;
use shared::adapters::dynamodb_table::KEEPER_DUE_AT;
use shared::change_feed::store::SubscriptionStore;
use shared::change_feed::subscription::{Owner, ResourceKind, SubscriptionRecord};
use shared::tokens::cipher::Sealed;

/// Scopes of the signed-in users: their own calendars, read and write.
const SCOPES: &[&str] = &["User.Read", "Calendars.ReadWrite"];
/// The route Graph posts to.
const ROUTE: &str = "POST /graph/notifications";
/// How long the queue must stay quiet before a drain ends.
const QUIET: Duration = Duration::from_millis(1500);
/// The longest a drain waits.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// A stack with the notification endpoint running behind its HTTP front, its AWS calls through a
/// proxy that can play a bus outage, and Adele and Alex signed in.
pub struct Feed {
    /// The stack.
    pub stack: TestStack,
    /// API Gateway's stand-in in front of `graph-notifications`.
    pub front: HttpFront,
    /// The AWS endpoint `graph-notifications` uses.
    pub aws: CountingProxy,
    /// The environment of every other function (with `NOTIFICATION_URL`).
    pub env: BTreeMap<String, String>,
    /// The simulator's change feed controls.
    pub control: ChangeFeedControl,
}

impl Feed {
    /// Starts it all.
    pub async fn start() -> Feed {
        let stack = TestStack::start().await;
        sign_in(&stack, "adele", ADELE.id, SCOPES).await;
        sign_in(&stack, "alex", ALEX.id, SCOPES).await;
        let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
        let front = HttpFront::start(ROUTE, "graph-notifications", BTreeMap::new()).await;
        let mut env = stack.env();
        env.insert("NOTIFICATION_URL".into(), front.route_url());
        let mut endpoint_env = env.clone();
        endpoint_env.insert("AWS_ENDPOINT_URL".into(), aws.url().to_string());
        front.set_env(endpoint_env).await;
        let control = ChangeFeedControl::new(stack.simulator_url());
        control
            .settings(json!({"firstRetryMs": 100, "maxAttempts": 12, "deliveryTimeoutMs": 8000}))
            .await
            .unwrap();
        Feed {
            stack,
            front,
            aws,
            env,
            control,
        }
    }

    /// Starts function `name` with the feed's environment.
    pub async fn function(&self, name: &str) -> FunctionProcess {
        spawn_function(name, &self.env).await
    }

    /// Every event that reaches the queue until `done` holds for them all (at most 30 seconds).
    pub async fn drain_until(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let started = std::time::Instant::now();
        let mut events = Vec::new();
        while !done(&events) && started.elapsed() < DRAIN_LIMIT {
            events.extend(self.drain().await);
        }
        events
    }

    /// Every event that reached the queue until it stays quiet.
    pub async fn drain(&self) -> Vec<Value> {
        self.stack
            .events()
            .drain(QUIET, DRAIN_LIMIT)
            .await
            .expect("reading the queue")
    }
}

/// Subscribes `auth` (or the application) to the events of `user`; the subscription's id.
pub async fn subscribe(create: &FunctionProcess, auth: Option<&str>, user: &str) -> String {
    let mut event = json!({"body": {"resource": "events", "userId": user}});
    if let Some(auth) = auth {
        event["authUserId"] = json!(auth);
    }
    let answer = call(create, event).await;
    assert_eq!(answer["status"], 201, "{answer}");
    assert!(answer["body"].get("clientState").is_none(), "{answer}");
    answer["body"]["id"].as_str().unwrap().to_string()
}

/// An event body for `events-create`.
pub fn meeting(subject: &str) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T09:30:00", "timeZone": "UTC"},
    })
}

/// The `Graph Change` events among `events` about Graph event `id`, as their change types, sorted
/// (delivery is unordered).
fn changes_of(events: &[Value], id: &str) -> Vec<String> {
    let mut changes: Vec<String> = events
        .iter()
        .filter(|e| e["detail-type"] == "Graph Change" && e["detail"]["resourceId"] == id)
        .map(|e| e["detail"]["changeType"].as_str().unwrap().to_string())
        .collect();
    changes.sort();
    changes
}

fn resyncs(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["detail-type"] == "Resync Needed")
        .collect()
}

async fn create_event(events_create: &FunctionProcess, auth: &str, subject: &str) -> String {
    let created = call(
        events_create,
        json!({"authUserId": auth, "userId": "me", "body": meeting(subject)}),
    )
    .await;
    assert_eq!(created["status"], 201, "{created}");
    created["body"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_change_of_a_subscribed_calendar_reaches_the_queue() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let id = subscribe(&create, Some("adele"), "me").await;
    let deliveries = feed.control.deliveries().await.unwrap();
    assert!(
        deliveries
            .iter()
            .any(|d| d["kind"] == "validation" && d["outcome"] == "delivered"),
        "the validation handshake reached graph-notifications: {deliveries:?}"
    );

    let events_create = feed.function("events-create").await;
    let events_update = feed.function("events-update").await;
    let events_delete = feed.function("events-delete").await;
    let event_id = create_event(&events_create, "adele", "Plan review").await;
    let updated = call(
        &events_update,
        json!({"authUserId": "adele", "userId": "me", "params": {"eventId": event_id},
               "body": {"subject": "Plan review (moved)"}}),
    )
    .await;
    assert_eq!(updated["status"], 200, "{updated}");
    let deleted = call(
        &events_delete,
        json!({"authUserId": "adele", "userId": "me", "params": {"eventId": event_id}}),
    )
    .await;
    assert_eq!(deleted["status"], 204, "{deleted}");

    let events = feed.drain().await;
    assert_eq!(
        changes_of(&events, &event_id),
        ["created", "deleted", "updated"],
        "{events:#?}"
    );
    let change = events
        .iter()
        .find(|e| e["detail-type"] == "Graph Change")
        .unwrap();
    assert_eq!(change["source"], "graph-functions.change-feed");
    assert_eq!(change["detail"]["subscriptionId"], id.as_str());
    assert_eq!(change["detail"]["owner"], json!({"appUserId": "adele"}));
    assert!(change["detail"]["changeKey"].is_string(), "{change}");
    assert_eq!(change["detail"]["eventId"].as_str().unwrap().len(), 32);
    let live = feed.control.subscriptions().await.unwrap();
    let client_state = live.iter().find(|s| s["id"] == id.as_str()).unwrap()["clientState"]
        .as_str()
        .unwrap()
        .to_string();
    for event in &events {
        assert!(!event.to_string().contains(&client_state), "{event}");
    }

    // Listed without clientState, deleted by its owner only.
    let list = feed.function("subscriptions-list").await;
    let listed = call(&list, json!({"authUserId": "adele"})).await;
    assert_eq!(listed["status"], 200, "{listed}");
    assert!(
        listed["body"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id.as_str() && s.get("clientState").is_none())
    );
    let delete = feed.function("subscriptions-delete").await;
    let refused = call(
        &delete,
        json!({"authUserId": "alex", "params": {"subscriptionId": id}}),
    )
    .await;
    assert_eq!(refused["status"], 403, "{refused}");
    let removed = call(
        &delete,
        json!({"authUserId": "adele", "params": {"subscriptionId": id}}),
    )
    .await;
    assert_eq!(removed["status"], 200, "{removed}");
    assert!(
        feed.control
            .subscriptions()
            .await
            .unwrap()
            .iter()
            .all(|s| s["id"] != id.as_str())
    );
}

/// POSTs `body` (with `query`) to the notification route as anyone on the internet could.
async fn post(feed: &Feed, query: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{query}", feed.front.route_url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn forged_notifications_are_dropped_and_validation_touches_nothing() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let id = subscribe(&create, Some("adele"), "me").await;
    feed.drain().await;

    // A wrong clientState, an unknown subscription, no clientState: answered 202, nothing published.
    let forged = json!({"value": [
        {"subscriptionId": id, "clientState": "guessed", "changeType": "created",
         "resource": format!("Users/{}/Events/forged", ADELE.id), "resourceData": {"id": "forged"}},
        {"subscriptionId": "00000000-0000-0000-0000-000000000000", "clientState": "guessed",
         "changeType": "deleted", "resource": "Users/x/Events/y"},
        {"subscriptionId": id, "changeType": "updated", "resource": "Users/x/Events/y"},
    ]});
    let answer = post(&feed, "", &forged.to_string()).await;
    assert_eq!(answer.status(), 202);
    for malformed in ["not json", "{}", r#"{"value": []}"#] {
        assert_eq!(
            post(&feed, "", malformed).await.status(),
            400,
            "{malformed}"
        );
    }
    assert!(feed.drain().await.is_empty());
    assert!(feed.front.logs().await.contains("notifications dropped"));

    // Validation echoes the decoded token as text/plain, even with every AWS call failing.
    feed.aws.set_outage(true);
    feed.front.crash().await;
    feed.front.restart().await;
    feed.aws.reset();
    let answer = post(
        &feed,
        "?validationToken=Validation%3A+Testing+client+validation",
        "",
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        answer.text().await.unwrap(),
        "Validation: Testing client validation"
    );
    assert_eq!(feed.aws.total(), 0, "validation made no AWS call");
    let too_long = format!("?validationToken={}", "a".repeat(2000));
    assert_eq!(post(&feed, &too_long, "").await.status(), 400);
}

#[tokio::test]
async fn a_bus_outage_is_redelivered_by_graph_and_nothing_is_lost() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    subscribe(&create, Some("adele"), "me").await;
    feed.drain().await;
    let events_create = feed.function("events-create").await;

    feed.aws.set_service_outage(Some("AWSEvents."));
    let during = create_event(&events_create, "adele", "During the outage").await;
    let failed = loop {
        let deliveries = feed.control.deliveries().await.unwrap();
        let failed = deliveries
            .iter()
            .filter(|d| d["kind"] == "change" && d["outcome"] == "failed")
            .count();
        if failed >= 2 {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(failed >= 2);
    assert!(
        feed.drain().await.is_empty(),
        "nothing published while the bus is down"
    );
    feed.aws.set_service_outage(None);
    let events = feed
        .drain_until(|events| !changes_of(events, &during).is_empty())
        .await;
    assert_eq!(changes_of(&events, &during), ["created"], "{events:#?}");

    // A crashed endpoint: Graph's deliveries fail until it runs again.
    feed.front.crash().await;
    let while_down = create_event(&events_create, "adele", "While the endpoint is down").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    feed.front.restart().await;
    let events = feed
        .drain_until(|events| !changes_of(events, &while_down).is_empty())
        .await;
    assert_eq!(changes_of(&events, &while_down), ["created"], "{events:#?}");
}

#[tokio::test]
async fn lifecycle_notifications_renew_recreate_and_ask_for_a_resync() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let id = subscribe(&create, None, ALEX.id).await;
    feed.drain().await;

    feed.control.lifecycle(&id, "missed").await.unwrap();
    let events = feed.drain().await;
    let resync = resyncs(&events);
    assert_eq!(resync.len(), 1, "{events:#?}");
    assert_eq!(resync[0]["detail"]["reason"], "missed");
    assert_eq!(resync[0]["detail"]["owner"], json!({"application": true}));
    assert_eq!(resync[0]["detail"]["subscriptionId"], id.as_str());

    feed.control
        .lifecycle(&id, "reauthorizationRequired")
        .await
        .unwrap();
    let events = feed.drain().await;
    assert_eq!(resyncs(&events)[0]["detail"]["reason"], "reauthorized");

    feed.control
        .lifecycle(&id, "subscriptionRemoved")
        .await
        .unwrap();
    let events = feed.drain().await;
    let resync = resyncs(&events);
    assert_eq!(resync.len(), 1, "{events:#?}");
    assert_eq!(resync[0]["detail"]["reason"], "subscriptionRemoved");
    assert_eq!(resync[0]["detail"]["previousSubscriptionId"], id.as_str());
    let replacement = resync[0]["detail"]["subscriptionId"].as_str().unwrap();
    let live = feed.control.subscriptions().await.unwrap();
    assert!(live.iter().any(|s| s["id"] == replacement));
    assert!(live.iter().all(|s| s["id"] != id.as_str()));

    // The replacement delivers.
    let events_create = feed.function("events-create").await;
    let event_id = create_event(&events_create, "alex", "After the replacement").await;
    let events = feed.drain().await;
    let change = events
        .iter()
        .find(|e| e["detail"]["resourceId"] == event_id.as_str())
        .unwrap_or_else(|| panic!("{events:#?}"));
    assert_eq!(change["detail"]["subscriptionId"], replacement);
}

#[tokio::test]
async fn two_reauthorizations_of_a_lost_subscription_in_one_batch_replace_it_once() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let id = subscribe(&create, None, ALEX.id).await;
    feed.drain().await;
    let live = feed.control.subscriptions().await.unwrap();
    let client_state = live
        .iter()
        .find(|s| s["id"] == id.as_str())
        .and_then(|s| s["clientState"].as_str())
        .unwrap()
        .to_string();
    // Graph lost it: renewing answers 404, so the first notification replaces it.
    feed.control.remove(&id).await.unwrap();
    let lifecycle = json!({"subscriptionId": id, "clientState": client_state,
                           "lifecycleEvent": "reauthorizationRequired"});
    let batch = json!({"value": [lifecycle, lifecycle]});
    let answer = post(&feed, "", &batch.to_string()).await;
    assert_eq!(answer.status(), 202);
    let events = feed.drain().await;
    let resync = resyncs(&events);
    assert_eq!(resync.len(), 1, "{events:#?}");
    assert_eq!(resync[0]["detail"]["reason"], "subscriptionExpired");
    assert_eq!(resync[0]["detail"]["previousSubscriptionId"], id.as_str());
    let live = feed.control.subscriptions().await.unwrap();
    assert_eq!(live.len(), 1, "one replacement, none leaked: {live:#?}");
    assert_eq!(live[0]["id"], resync[0]["detail"]["subscriptionId"]);
}

#[tokio::test]
async fn a_batch_that_fails_after_a_replacement_takes_the_replacement_back() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let lost = subscribe(&create, None, ALEX.id).await;
    let failing = subscribe(&create, None, ADELE.id).await;
    feed.drain().await;
    let live = feed.control.subscriptions().await.unwrap();
    let reauthorize = |id: &str| {
        let client_state = live
            .iter()
            .find(|s| s["id"] == id)
            .and_then(|s| s["clientState"].as_str())
            .unwrap();
        json!({"subscriptionId": id, "clientState": client_state,
               "lifecycleEvent": "reauthorizationRequired"})
    };
    let batch = json!({"value": [reauthorize(&lost), reauthorize(&failing)]});
    // The first is replaced (Graph lost it); renewing the second fails.
    feed.control.remove(&lost).await.unwrap();
    feed.stack
        .simulator()
        .add_fault(
            &json!({"method": "PATCH", "path": format!("/v1.0/subscriptions/{failing}"),
                           "count": 1000, "fault": {"kind": "status", "status": 503}}),
        )
        .await
        .unwrap();
    let answer = post(&feed, "", &batch.to_string()).await;
    assert!(answer.status().is_server_error(), "{}", answer.status());
    assert!(feed.drain().await.is_empty());
    let live = feed.control.subscriptions().await.unwrap();
    let ids: Vec<&str> = live.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, [failing.as_str()], "the replacement was taken back");
}

/// Makes subscription `id` due for renewal now.
pub async fn make_due(stack: &TestStack, id: &str) {
    stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("sub#{id}")),
        )
        .update_expression("SET #due = :due")
        .expression_attribute_names("#due", KEEPER_DUE_AT)
        .expression_attribute_values(
            ":due",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .send()
        .await
        .unwrap();
}

/// Every shard of the keeper at the default shard count.
pub fn all_shards() -> Value {
    json!({ "shards": (0..16).collect::<Vec<u32>>() })
}

#[tokio::test]
async fn the_keeper_renews_what_is_due_and_recreates_what_graph_lost() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let renewed = subscribe(&create, Some("adele"), "me").await;
    let lost = subscribe(&create, Some("alex"), "me").await;
    let untouched = subscribe(&create, None, ADELE.id).await;
    feed.drain().await;
    make_due(&feed.stack, &renewed).await;
    make_due(&feed.stack, &lost).await;
    feed.control.remove(&lost).await.unwrap();
    let before = feed.control.subscriptions().await.unwrap();
    let expiry = |list: &[Value], id: &str| {
        list.iter().find(|s| s["id"] == id).unwrap()["expirationDateTime"].clone()
    };

    let keeper = feed.function("token-keeper").await;
    let summary = call(&keeper, all_shards()).await;
    assert_eq!(
        summary["subscriptions"],
        json!({"due": 2, "renewed": 1, "recreated": 1, "deferred": 0, "retired": 0}),
        "{summary}"
    );
    let after = feed.control.subscriptions().await.unwrap();
    assert_eq!(expiry(&after, &untouched), expiry(&before, &untouched));
    assert!(after.iter().any(|s| s["id"] == renewed.as_str()));
    let events = feed.drain().await;
    let resync = resyncs(&events);
    assert_eq!(resync.len(), 1, "{events:#?}");
    assert_eq!(resync[0]["detail"]["reason"], "subscriptionExpired");
    assert_eq!(resync[0]["detail"]["previousSubscriptionId"], lost.as_str());
    assert_eq!(resync[0]["detail"]["owner"], json!({"appUserId": "alex"}));

    // Nothing is due any more.
    let again = call(&keeper, all_shards()).await;
    assert_eq!(again["subscriptions"]["due"], 0, "{again}");
}

#[tokio::test]
async fn calendar_view_delta_round_trips_and_an_expired_sync_state_says_start_over() {
    let feed = Feed::start().await;
    let delta = feed.function("calendar-view-delta").await;
    let events_create = feed.function("events-create").await;
    let window =
        json!({"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"});
    let first = call(
        &delta,
        json!({"authUserId": "adele", "userId": "me", "query": window.clone()}),
    )
    .await;
    assert_eq!(first["status"], 200, "{first}");
    let mut answer = first;
    while let Some(next) = answer["body"]["@odata.nextLink"].as_str().map(String::from) {
        answer = call(
            &delta,
            json!({"authUserId": "adele", "userId": "me", "query": {"nextLink": next}}),
        )
        .await;
    }
    let delta_link = answer["body"]["@odata.deltaLink"]
        .as_str()
        .unwrap()
        .to_string();
    let created = create_event(&events_create, "adele", "Seen by the delta").await;
    let round = call(
        &delta,
        json!({"authUserId": "adele", "userId": "me", "query": {"deltaLink": delta_link}}),
    )
    .await;
    assert_eq!(round["status"], 200, "{round}");
    assert!(
        round["body"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["id"] == created.as_str())
    );

    // Another host is refused before anything is sent.
    let foreign = call(
        &delta,
        json!({"authUserId": "adele", "userId": "me",
               "query": {"deltaLink": "https://evil.example/v1.0/users/x/calendarView/delta?$deltatoken=a"}}),
    )
    .await;
    assert_eq!(foreign["status"], 400, "{foreign}");

    feed.control.expire_delta_tokens().await.unwrap();
    let next_link = round["body"]["@odata.deltaLink"].as_str().unwrap();
    let expired = call(
        &delta,
        json!({"authUserId": "adele", "userId": "me", "query": {"deltaLink": next_link}}),
    )
    .await;
    assert_eq!(expired["status"], 410, "{expired}");
    assert_eq!(expired["body"]["error"]["code"], "SyncStateExpired");
    let again = call(
        &delta,
        json!({"authUserId": "adele", "userId": "me", "query": window}),
    )
    .await;
    assert_eq!(again["status"], 200, "{again}");
}

#[tokio::test]
async fn revoking_a_link_deletes_its_subscriptions() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let adele = subscribe(&create, Some("adele"), "me").await;
    let alex = subscribe(&create, Some("alex"), "me").await;
    let revoke = feed.function("auth-revoke").await;
    let revoked = call(&revoke, json!({"authUserId": "adele"})).await;
    assert_eq!(revoked["status"], 204, "{revoked}");
    let live = feed.control.subscriptions().await.unwrap();
    assert!(live.iter().all(|s| s["id"] != adele.as_str()), "{live:#?}");
    assert!(live.iter().any(|s| s["id"] == alex.as_str()), "{live:#?}");
    let record = feed
        .stack
        .dynamodb()
        .get_item()
        .table_name(&feed.stack.function_env().table_name)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("sub#{adele}")),
        )
        .send()
        .await
        .unwrap();
    assert!(record.item.is_none(), "the record is gone too");
}

/// Stores a subscription record of application user `app_user` with id `id` through the real
/// adapter (listed under its owner), as `subscriptions-create` would.
pub async fn store_record_of(stack: &TestStack, app_user: &str, id: &str) {
    let store = DynamoSubscriptions::new(
        stack.dynamodb().clone(),
        &stack.function_env().table_name,
        16,
    );
    let record = SubscriptionRecord {
        id: id.into(),
        owner: Owner::AppUser(app_user.into()),
        tenant_id: "t-1".into(),
        kind: ResourceKind::Events,
        resource: "users/u-1/events".into(),
        change_type: "created".into(),
        client_state: Sealed {
            key_id: "k1".into(),
            bytes: vec![1, 2, 3],
        },
        expires_at: 2_000_000_000,
    };
    store.put(&record).await.unwrap();
}

#[tokio::test]
async fn an_invalidated_link_forgets_its_subscriptions_and_their_notifications_are_dropped() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let adele = subscribe(&create, Some("adele"), "me").await;
    let alex = subscribe(&create, Some("alex"), "me").await;
    feed.drain().await;

    // Microsoft revokes Adele's sessions; her next call needs a new access token, the refresh is
    // refused for good and the link is marked invalid: her subscription records go with it.
    expire_stored_access_token(&feed.stack, "adele").await;
    feed.stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .unwrap();
    let events_list = feed.function("events-list").await;
    let refused = call(
        &events_list,
        json!({"authUserId": "adele", "userId": "me", "query": {"$select": "id"}}),
    )
    .await;
    assert_eq!(refused["status"], 401, "{refused}");
    assert_eq!(refused["body"]["error"]["code"], "RefreshTokenInvalid");
    let store = DynamoSubscriptions::new(
        feed.stack.dynamodb().clone(),
        &feed.stack.function_env().table_name,
        16,
    );
    assert!(store.get(&adele).await.unwrap().is_none(), "forgotten");
    assert!(
        store
            .ids_of(&Owner::AppUser("adele".into()))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.get(&alex).await.unwrap().is_some(), "Alex's is kept");
    assert!(
        feed.control
            .subscriptions()
            .await
            .unwrap()
            .iter()
            .any(|s| s["id"] == adele.as_str()),
        "Graph still has it, until it expires"
    );

    // A change to Adele's calendar (made with application permissions) is still notified by Graph,
    // and the endpoint drops it as unknown: nothing is published. Alex's feed goes on.
    let events_create = feed.function("events-create").await;
    let created = call(
        &events_create,
        json!({"userId": ADELE.id, "body": meeting("After the invalidation")}),
    )
    .await;
    assert_eq!(created["status"], 201, "{created}");
    let alex_event = create_event(&events_create, "alex", "Alex's feed goes on").await;
    let events = feed
        .drain_until(|events| !changes_of(events, &alex_event).is_empty())
        .await;
    assert_eq!(changes_of(&events, &alex_event), ["created"], "{events:#?}");
    assert!(
        events
            .iter()
            .all(|e| e["detail"]["subscriptionId"] != adele.as_str()),
        "{events:#?}"
    );
    let delivered = feed.control.deliveries().await.unwrap();
    assert!(
        delivered
            .iter()
            .any(|d| d["subscriptionId"] == adele.as_str()
                && d["kind"] == "change"
                && d["outcome"] == "delivered"),
        "Graph delivered the change to the endpoint: {delivered:#?}"
    );
    assert!(feed.front.logs().await.contains("notifications dropped"));
}

#[tokio::test]
async fn a_users_subscription_reports_profile_changes() {
    let feed = Feed::start().await;
    sign_in(
        &feed.stack,
        "megan",
        MEGAN.id,
        &["User.Read.All", "User.ReadWrite"],
    )
    .await;
    let create = feed.function("subscriptions-create").await;
    let answer = call(
        &create,
        json!({"authUserId": "megan", "body": {"resource": "users", "changeType": "updated"}}),
    )
    .await;
    assert_eq!(answer["status"], 201, "{answer}");
    assert_eq!(answer["body"]["resource"], "users");
    let update = feed.function("users-update").await;
    let updated = call(
        &update,
        json!({"authUserId": "megan", "userId": "me", "body": {"jobTitle": "Marketing Lead"}}),
    )
    .await;
    assert_eq!(updated["status"], 204, "{updated}");
    let events = feed
        .drain_until(|events| events.iter().any(|e| e["detail-type"] == "Graph Change"))
        .await;
    let change = events
        .iter()
        .find(|e| e["detail-type"] == "Graph Change")
        .unwrap_or_else(|| panic!("{events:#?}"));
    assert_eq!(change["detail"]["resourceKind"], "users");
    assert_eq!(change["detail"]["changeType"], "updated");
    assert_eq!(change["detail"]["resourceId"], MEGAN.id);
    assert_eq!(change["detail"]["owner"], json!({"appUserId": "megan"}));
}

#[tokio::test]
async fn a_subscription_is_replaced_by_one_invocation_at_a_time() {
    let stack = TestStack::start().await;
    let store = DynamoSubscriptions::new(
        stack.dynamodb().clone(),
        &stack.function_env().table_name,
        16,
    );
    let record = SubscriptionRecord {
        id: "s-1".into(),
        owner: Owner::Application,
        tenant_id: "t-1".into(),
        kind: ResourceKind::Events,
        resource: "users/u-1/events".into(),
        change_type: "created".into(),
        client_state: Sealed {
            key_id: "k1".into(),
            bytes: vec![1, 2, 3],
        },
        expires_at: 2_000_000_000,
    };
    assert!(
        !store.claim_replacement("s-1", 100, 160).await.unwrap(),
        "no record, no claim"
    );
    store.put(&record).await.unwrap();
    assert!(store.claim_replacement("s-1", 100, 160).await.unwrap());
    assert!(
        !store.claim_replacement("s-1", 120, 180).await.unwrap(),
        "held"
    );
    assert!(
        store.claim_replacement("s-1", 161, 221).await.unwrap(),
        "expired"
    );
    assert_eq!(store.get("s-1").await.unwrap(), Some(record.clone()));
    assert_eq!(store.ids_of(&Owner::Application).await.unwrap(), ["s-1"]);
    store.delete("s-1", &Owner::Application).await.unwrap();
    assert_eq!(store.get("s-1").await.unwrap(), None);
    assert!(store.ids_of(&Owner::Application).await.unwrap().is_empty());
}
