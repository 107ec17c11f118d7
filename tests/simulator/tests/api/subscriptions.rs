//! The subscriptions API: creation with the validation handshake, expiration limits,
//! permissions, get, list, renew, delete and reauthorize.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::user_with_token;
use crate::harness::{Sim, TENANT};
use crate::webhook_receiver::{Receiver, Validation};

/// `minutes` from now, as Graph's clients write it.
pub fn in_minutes(minutes: i64) -> String {
    (Utc::now() + Duration::minutes(minutes)).to_rfc3339()
}

/// A subscription request body for `resource`, notifications to the receiver's `/notify` and
/// lifecycle notifications to its `/lifecycle`.
pub fn subscription_body(receiver: &Receiver, resource: &str, minutes: i64) -> Value {
    json!({
        "changeType": "created,updated,deleted",
        "notificationUrl": receiver.url("/notify?source=graph"),
        "lifecycleNotificationUrl": receiver.url("/lifecycle"),
        "resource": resource,
        "expirationDateTime": in_minutes(minutes),
        "clientState": "secret-client-state",
        "latestSupportedTlsVersion": "v1_2",
    })
}

/// Creates a subscription that must succeed; the subscription.
pub async fn subscribe(sim: &Sim, token: &str, body: Value) -> Value {
    let (status, subscription) = sim
        .send_json(Method::POST, "/v1.0/subscriptions", token, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{subscription}");
    subscription
}

#[tokio::test]
async fn create_validates_both_endpoints_then_answers_201() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (adele, token) = user_with_token(&sim, "adele", &["Calendars.Read"]).await;
    let subscription = subscribe(
        &sim,
        &token,
        subscription_body(&receiver, "/me/events", 4_000),
    )
    .await;
    assert_eq!(subscription["resource"], "/me/events");
    assert_eq!(subscription["changeType"], "created,updated,deleted");
    assert_eq!(subscription["clientState"], "secret-client-state");
    assert_eq!(subscription["creatorId"], adele.as_str());
    assert_eq!(subscription["latestSupportedTlsVersion"], "v1_2");
    assert_eq!(
        subscription["@odata.context"],
        format!("{}/v1.0/$metadata#subscriptions/$entity", sim.base_url())
    );
    let expiration = subscription["expirationDateTime"].as_str().unwrap();
    assert_eq!(
        expiration.len(),
        "2026-12-01T10:00:00.0000000Z".len(),
        "{expiration}"
    );

    let validations = receiver.validations();
    assert_eq!(validations.len(), 2);
    assert_eq!(validations[0].path, "/notify");
    assert_eq!(validations[1].path, "/lifecycle");
    assert!(
        validations[0]
            .query
            .as_deref()
            .unwrap()
            .starts_with("source=graph&validationToken=Validation%3A%20"),
        "{:?}",
        validations[0].query
    );
    assert_eq!(validations[0].content_type, "text/plain; charset=utf-8");

    let id = subscription["id"].as_str().unwrap();
    let (status, got) = sim
        .get_json(&format!("/v1.0/subscriptions/{id}"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["id"], id);
    let (status, list) = sim.get_json("/v1.0/subscriptions", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_validation_creates_nothing() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", &["Calendars.Read"]).await;
    sim.control(
        "/_control/change-feed/settings",
        json!({"validationTimeoutMs": 300}),
    )
    .await;
    let cases = [
        (
            Validation::EchoEncoded,
            "ValidationError",
            "Subscription validation request failed. Response must exactly match validationToken query parameter.",
        ),
        (
            Validation::Status(500),
            "ValidationError",
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        ),
        (
            Validation::Slow(1_000),
            "InvalidRequest",
            "Subscription validation request timed out.",
        ),
    ];
    for (validation, code, message) in cases {
        receiver.validate_with(validation);
        let (status, body) = sim
            .send_json(
                Method::POST,
                "/v1.0/subscriptions",
                &token,
                subscription_body(&receiver, "/me/events", 60),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{validation:?}: {body}");
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["message"], message);
    }
    let unreachable = json!({
        "changeType": "created",
        "notificationUrl": "http://127.0.0.1:9/notify",
        "resource": "/me/events",
        "expirationDateTime": in_minutes(60),
    });
    let (status, body) = sim
        .send_json(Method::POST, "/v1.0/subscriptions", &token, unreachable)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "ValidationError");
    let (_, list) = sim.get_json("/v1.0/subscriptions", &token).await;
    assert_eq!(list["value"], json!([]));
}

#[tokio::test]
async fn expiration_is_limited_per_resource_at_creation_and_renewal() {
    let sim = Sim::with_app_roles(&["User.Read.All", "Calendars.Read"]).await;
    let receiver = Receiver::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele").await;
    let token = sim.app_token().await;
    let events = format!("/users/{adele}/events");
    let (status, body) = sim
        .send_json(
            Method::POST,
            "/v1.0/subscriptions",
            &token,
            subscription_body(&receiver, &events, 4_231),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "ExtensionError");
    assert_eq!(
        body["error"]["message"],
        "Subscription expiration can only be 4230 minutes in the future."
    );
    let (status, body) = sim
        .send_json(
            Method::POST,
            "/v1.0/subscriptions",
            &token,
            subscription_body(&receiver, "/users", 41_761),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Subscription expiration can only be 41760 minutes in the future."
    );
    subscribe(&sim, &token, subscription_body(&receiver, "/users", 41_700)).await;

    let subscription = subscribe(&sim, &token, subscription_body(&receiver, &events, 60)).await;
    let path = format!(
        "/v1.0/subscriptions/{}",
        subscription["id"].as_str().unwrap()
    );
    let renewal = in_minutes(4_200);
    let (status, renewed) = sim
        .send_json(
            Method::PATCH,
            &path,
            &token,
            json!({"expirationDateTime": renewal}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let renewed_at =
        chrono::DateTime::parse_from_rfc3339(renewed["expirationDateTime"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        renewed_at.timestamp(),
        chrono::DateTime::parse_from_rfc3339(&renewal)
            .unwrap()
            .timestamp()
    );
    let (status, body) = sim
        .send_json(
            Method::PATCH,
            &path,
            &token,
            json!({"expirationDateTime": in_minutes(5_000)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = sim.send_json(Method::PATCH, &path, &token, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value."
    );
}

#[tokio::test]
async fn creating_needs_read_access_to_the_resource() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, basic) = user_with_token(&sim, "adele", &["Calendars.ReadBasic"]).await;
    let (_, reader) = user_with_token(&sim, "alex", &["Calendars.ReadWrite"]).await;
    let megan = sim.add_user(TENANT, "megan", "Megan").await;
    let app = sim.app_token().await;
    let attempts = [
        (&basic, "/me/events".to_string()),
        (&reader, format!("/users/{megan}/events")),
        (&app, format!("/users/{megan}/events")),
        (&reader, "/users".to_string()),
    ];
    for (token, resource) in attempts {
        let (status, body) = sim
            .send_json(
                Method::POST,
                "/v1.0/subscriptions",
                token,
                subscription_body(&receiver, &resource, 60),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{resource}: {body}");
        assert_eq!(body["error"]["code"], "ExtensionError");
        assert_eq!(
            body["error"]["message"],
            "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access denied]"
        );
    }
    assert!(
        receiver.validations().is_empty(),
        "refused before validating"
    );

    let mut long_state = subscription_body(&receiver, "/me/events", 60);
    long_state["clientState"] = json!("x".repeat(129));
    let mut unknown_calendar =
        subscription_body(&receiver, "/me/calendars/AAMkAGunknown/events", 60);
    unknown_calendar["clientState"] = json!("x".repeat(128));
    let mut plain_http = subscription_body(&receiver, "/me/events", 60);
    plain_http["notificationUrl"] = json!("http://example.com/notify");
    let mut missing = subscription_body(&receiver, "/me/events", 60);
    missing
        .as_object_mut()
        .unwrap()
        .remove("expirationDateTime");
    for (body, status) in [
        (long_state, StatusCode::BAD_REQUEST),
        (unknown_calendar, StatusCode::NOT_FOUND),
        (plain_http, StatusCode::BAD_REQUEST),
        (missing, StatusCode::BAD_REQUEST),
    ] {
        let (actual, answer) = sim
            .send_json(Method::POST, "/v1.0/subscriptions", &reader, body)
            .await;
        assert_eq!(actual, status, "{answer}");
    }
}

#[tokio::test]
async fn deleted_subscriptions_are_gone_and_others_cannot_see_them() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let (_, token) = user_with_token(&sim, "adele", &["Calendars.Read"]).await;
    let (_, other) = user_with_token(&sim, "alex", &["Calendars.Read"]).await;
    let subscription =
        subscribe(&sim, &token, subscription_body(&receiver, "/me/events", 60)).await;
    let path = format!(
        "/v1.0/subscriptions/{}",
        subscription["id"].as_str().unwrap()
    );

    let (status, _) = sim.get_json(&path, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another user's subscription");
    let reauthorize = format!("{path}/reauthorize");
    let (status, _) = sim
        .send_json(Method::POST, &reauthorize, &token, json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, _) = sim
        .send_json(Method::DELETE, &path, &token, json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = sim.get_json(&path, &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "ResourceNotFound");
    for (method, path) in [
        (Method::PATCH, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::POST, reauthorize),
    ] {
        let (status, _) = sim
            .send_json(
                method,
                &path,
                &token,
                json!({"expirationDateTime": in_minutes(60)}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
