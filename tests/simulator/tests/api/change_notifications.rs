//! Change notifications: one POST per request and subscription, for changes made through any
//! route; redelivery with backoff; lifecycle notifications and the faults tests arrange.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{
    OWN_CALENDAR, create_event, event_body, meeting_body, user_with_token,
};
use crate::harness::{Sim, TENANT};
use crate::subscriptions::{in_minutes, subscribe, subscription_body};
use crate::webhook_receiver::Receiver;

/// The delivery log.
async fn deliveries(sim: &Sim) -> Vec<Value> {
    let response = sim
        .http
        .get(sim.url("/_control/notifications"))
        .send()
        .await
        .expect("log");
    let body: Value = response.json().await.expect("log body");
    body["deliveries"].as_array().expect("deliveries").clone()
}

/// Waits until the delivery log has an entry matching `wanted`; the log.
async fn wait_for_delivery(sim: &Sim, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
    for _ in 0..200 {
        let log = deliveries(sim).await;
        if log.iter().any(&wanted) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no such delivery in {:?}", deliveries(sim).await);
}

fn change_types(notifications: &[Value]) -> Vec<&str> {
    notifications
        .iter()
        .map(|n| n["changeType"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_event_change_is_posted_in_graphs_shape() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let subscription =
        subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    let body = event_body("Plan", "2026-03-02T09:00:00", "2026-03-02T10:00:00");
    let event = create_event(&sim, &token, "/v1.0/me/events", body).await;
    let id = event["id"].as_str().unwrap();
    let item = format!("/v1.0/me/events/{id}");
    let (status, updated) = sim
        .send_json(Method::PATCH, &item, &token, json!({"subject": "Plan B"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sim
        .send_json(Method::DELETE, &item, &token, json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let notifications = receiver.wait_for("/notify", 3).await;
    assert_eq!(
        change_types(&notifications),
        ["created", "updated", "deleted"]
    );
    let resource = format!("Users/{adele}/Events/{id}");
    assert_eq!(
        notifications[1],
        json!({
            "subscriptionId": subscription["id"],
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "changeType": "updated",
            "resource": resource,
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Event",
                "@odata.id": resource,
                "@odata.etag": updated["@odata.etag"],
                "id": id,
            },
            "clientState": "secret-client-state",
            "tenantId": TENANT,
        })
    );
    let posted = receiver
        .received()
        .into_iter()
        .find(|request| {
            request.path == "/notify" && request.query.as_deref() == Some("source=graph")
        })
        .expect("notificationUrl's query is kept");
    assert_eq!(posted.content_type, "application/json; charset=utf-8");
}

#[tokio::test]
async fn changes_through_other_routes_and_calendars_are_matched_by_resource_and_change_type() {
    let sim = Sim::with_app_roles(&["Calendars.ReadWrite"]).await;
    let receiver = Receiver::start().await;
    let (_, organizer) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let alex = sim.add_user(TENANT, "alex", "alex").await;
    let app = sim.app_token().await;
    let mut deletions_only = subscription_body(&receiver, &format!("/users/{alex}/events"), 60);
    deletions_only["changeType"] = json!("deleted");
    deletions_only["notificationUrl"] = json!(receiver.url("/deleted"));
    subscribe(&sim, &app, deletions_only).await;
    let (status, calendar) = sim
        .send_json(
            Method::POST,
            &format!("/v1.0/users/{alex}/calendars"),
            &app,
            json!({"name": "Side"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let side = calendar["id"].as_str().unwrap();
    let default_only = subscription_body(&receiver, &format!("/users/{alex}/calendar/events"), 60);
    subscribe(&sim, &app, default_only).await;

    // Adele invites Alex: the copy lands in Alex's default calendar.
    let meeting = create_event(
        &sim,
        &organizer,
        "/v1.0/me/events",
        meeting_body(
            "Sync",
            "2026-03-02T09:00:00",
            "2026-03-02T10:00:00",
            &["alex"],
        ),
    )
    .await;
    // An event in Alex's side calendar is not the default calendar's.
    create_event(
        &sim,
        &app,
        &format!("/v1.0/users/{alex}/calendars/{side}/events"),
        event_body("Side", "2026-03-03T09:00:00", "2026-03-03T10:00:00"),
    )
    .await;
    // Adele cancels: Alex's copy is updated (cancelled).
    let (status, _) = sim
        .send_json(
            Method::POST,
            &format!("/v1.0/me/events/{}/cancel", meeting["id"].as_str().unwrap()),
            &organizer,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // Deleting the side calendar deletes its event.
    let (status, _) = sim
        .send_json(
            Method::DELETE,
            &format!("/v1.0/users/{alex}/calendars/{side}"),
            &app,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let default_calendar = receiver.wait_for("/notify", 2).await;
    assert_eq!(change_types(&default_calendar), ["created", "updated"]);
    let deleted = receiver.wait_for("/deleted", 1).await;
    assert_eq!(change_types(&deleted), ["deleted"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.accepted("/notify").len(), 2, "nothing else");
    assert_eq!(receiver.accepted("/deleted").len(), 1, "nothing else");
}

#[tokio::test]
async fn user_subscriptions_report_created_updated_and_deleted_users() {
    let sim = Sim::with_app_roles(&["User.ReadWrite.All"]).await;
    let receiver = Receiver::start().await;
    let app = sim.app_token().await;
    subscribe(&sim, &app, subscription_body(&receiver, "/users", 60)).await;
    let adele = sim.add_user(TENANT, "adele", "Adele").await;
    let (status, _) = sim
        .send_json(
            Method::PATCH,
            &format!("/v1.0/users/{adele}"),
            &app,
            json!({"jobTitle": "Lead"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = sim
        .send_json(
            Method::DELETE,
            &format!("/v1.0/users/{adele}"),
            &app,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let notifications = receiver.wait_for("/notify", 3).await;
    assert_eq!(
        change_types(&notifications),
        ["created", "updated", "deleted"]
    );
    assert_eq!(notifications[0]["resource"], format!("Users/{adele}"));
    assert_eq!(
        notifications[0]["resourceData"]["@odata.type"],
        "#Microsoft.Graph.User"
    );
}

#[tokio::test]
async fn failed_deliveries_are_redelivered_with_backoff_then_abandoned() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    sim.control(
        "/_control/change-feed/settings",
        json!({"firstRetryMs": 100, "maxAttempts": 3}),
    )
    .await;
    subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    receiver.answer_with(&[503, 500]);
    let started = std::time::Instant::now();
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Plan", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let notifications = receiver.wait_for("/notify", 1).await;
    assert_eq!(change_types(&notifications), ["created"]);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited 100 ms, then 200 ms"
    );
    let attempts: Vec<Value> = receiver
        .received()
        .into_iter()
        .filter(|request| request.path == "/notify" && request.query.is_some())
        .filter(|request| {
            !request
                .query
                .as_deref()
                .unwrap()
                .contains("validationToken")
        })
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect();
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts.iter().all(|body| body == &attempts[0]),
        "the same batch"
    );
    // The receiver sees the third attempt before the simulator logs its outcome.
    let log = wait_for_delivery(&sim, |entry| {
        entry["kind"] == "change" && entry["outcome"] == "delivered"
    })
    .await;
    let changes: Vec<(u64, &str)> = log
        .iter()
        .filter(|entry| entry["kind"] == "change")
        .map(|entry| {
            (
                entry["attempt"].as_u64().unwrap(),
                entry["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(changes, [(1, "failed"), (2, "failed"), (3, "delivered")]);

    // Always failing: abandoned after the third attempt.
    receiver.answer_with(&[500, 500, 500]);
    sim.http
        .delete(sim.url("/_control/notifications"))
        .send()
        .await
        .unwrap();
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Lost", "2026-03-03T09:00:00", "2026-03-03T10:00:00"),
    )
    .await;
    let log = wait_for_delivery(&sim, |entry| entry["outcome"] == "abandoned").await;
    let statuses: Vec<&Value> = log
        .iter()
        .filter(|entry| entry["kind"] == "change")
        .map(|entry| &entry["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(500)]);
    // Then Graph tells the subscriber that notifications were missed.
    let lifecycle = receiver.wait_for("/lifecycle", 1).await;
    assert_eq!(lifecycle[0]["lifecycleEvent"], "missed");
}

#[tokio::test]
async fn lifecycle_notifications_on_demand_with_their_effects() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let subscription =
        subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    let id = subscription["id"].as_str().unwrap();
    let control = |what: &str| format!("/_control/subscriptions/{id}/{what}");
    let create = |subject: &'static str| {
        create_event(
            &sim,
            &token,
            "/v1.0/me/events",
            event_body(subject, "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
        )
    };

    // reauthorizationRequired, pausing delivery until the app reauthorizes.
    sim.control(
        &control("lifecycle"),
        json!({"lifecycleEvent": "reauthorizationRequired", "pauseDelivery": true}),
    )
    .await;
    let lifecycle = receiver.wait_for("/lifecycle", 1).await;
    assert_eq!(
        lifecycle[0],
        json!({
            "subscriptionId": id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "tenantId": TENANT,
            "clientState": "secret-client-state",
            "lifecycleEvent": "reauthorizationRequired",
        })
    );
    create("while paused").await;
    wait_for_delivery(&sim, |entry| entry["outcome"] == "lost").await;
    let (status, _) = sim
        .send_json(
            Method::POST,
            &format!("/v1.0/subscriptions/{id}/reauthorize"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    create("after reauthorizing").await;
    let delivered = receiver.wait_for("/notify", 1).await;
    assert_eq!(delivered.len(), 1, "the paused change was lost");

    // Losing the next two changes, then `missed`.
    sim.control(&control("lose"), json!({"count": 2})).await;
    create("lost 1").await;
    create("lost 2").await;
    let lifecycle = receiver.wait_for("/lifecycle", 2).await;
    assert_eq!(lifecycle[1]["lifecycleEvent"], "missed");
    create("delivered again").await;
    receiver.wait_for("/notify", 2).await;

    // subscriptionRemoved removes it.
    sim.control(
        &control("lifecycle"),
        json!({"lifecycleEvent": "subscriptionRemoved"}),
    )
    .await;
    let lifecycle = receiver.wait_for("/lifecycle", 3).await;
    assert_eq!(lifecycle[2]["lifecycleEvent"], "subscriptionRemoved");
    let (status, _) = sim
        .get_json(&format!("/v1.0/subscriptions/{id}"), &token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    create("unsubscribed").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.accepted("/notify").len(), 2);
}

#[tokio::test]
async fn a_silently_removed_subscription_answers_renewal_with_404() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", &["Calendars.Read"]).await;
    let subscription =
        subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    let id = subscription["id"].as_str().unwrap();
    sim.control(&format!("/_control/subscriptions/{id}/remove"), json!({}))
        .await;
    let (status, body) = sim
        .send_json(
            Method::PATCH,
            &format!("/v1.0/subscriptions/{id}"),
            &token,
            json!({"expirationDateTime": in_minutes(120)}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(receiver.accepted("/lifecycle").is_empty());
    let (status, _) = sim
        .send_json(
            Method::POST,
            &format!("/_control/subscriptions/{id}/lifecycle"),
            &token,
            json!({"lifecycleEvent": "missed"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_changes_after_the_subscription_are_reported() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let before = create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Before", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    let (status, _) = sim
        .send_json(
            Method::PATCH,
            &format!("/v1.0/me/events/{}", before["id"].as_str().unwrap()),
            &token,
            json!({"subject": "Changed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let notifications = receiver.wait_for("/notify", 1).await;
    assert_eq!(change_types(&notifications), ["updated"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.accepted("/notify").len(), 1);
}

#[tokio::test]
async fn an_answer_later_than_the_delivery_timeout_is_a_failure_and_redelivered() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    sim.control(
        "/_control/change-feed/settings",
        json!({"firstRetryMs": 50, "deliveryTimeoutMs": 300}),
    )
    .await;
    subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    receiver.answer_after(&[1_000]);
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Plan", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let log = wait_for_delivery(&sim, |entry| {
        entry["outcome"] == "delivered" && entry["kind"] == "change"
    })
    .await;
    let attempts: Vec<(&Value, &Value, &Value)> = log
        .iter()
        .filter(|entry| entry["kind"] == "change")
        .map(|entry| (&entry["attempt"], &entry["outcome"], &entry["error"]))
        .collect();
    assert_eq!(
        attempts,
        [
            (&json!(1), &json!("failed"), &json!("timeout")),
            (&json!(2), &json!("delivered"), &Value::Null),
        ]
    );
}
