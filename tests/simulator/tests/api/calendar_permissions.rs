//! Who may read and write calendars: delegated own vs. shared permissions, application roles.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{address, create_event, event_body, user_with_token, values};
use crate::harness::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Sim, TENANT};

fn new_event() -> Value {
    event_body("Planning", "2026-03-02T09:00:00", "2026-03-02T10:00:00")
}

/// A simulator whose app may write every calendar, with Megan's calendar holding one event.
async fn seeded() -> (Sim, String) {
    let sim = Sim::with_app_roles(&["Calendars.ReadWrite"]).await;
    let megan = sim.add_user(TENANT, "megan", "Megan").await;
    let app = sim.app_token().await;
    create_event(
        &sim,
        &app,
        &format!("/v1.0/users/{megan}/events"),
        new_event(),
    )
    .await;
    (sim, megan)
}

/// Registers the app again with only `roles`; a token with them.
async fn app_token_with(sim: &Sim, roles: &[&str]) -> String {
    sim.control(
        "/_control/apps",
        json!({
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "tenantId": TENANT,
            "redirectUris": [REDIRECT_URI],
            "applicationPermissions": roles,
        }),
    )
    .await;
    sim.app_token().await
}

async fn assert_denied(sim: &Sim, method: Method, path: &str, token: &str) {
    let (status, answer) = sim
        .send_json(method.clone(), path, token, new_event())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    assert_eq!(answer["error"]["code"], "ErrorAccessDenied", "{answer}");
    assert_eq!(
        answer["error"]["message"],
        "Access is denied. Check credentials and try again."
    );
}

#[tokio::test]
async fn read_basic_hides_bodies_and_cannot_write() {
    let (sim, _) = seeded().await;
    let (nestor, basic) = user_with_token(&sim, "nestor", &["Calendars.ReadBasic"]).await;
    let app = sim.app_token().await;
    let event = create_event(
        &sim,
        &app,
        &format!("/v1.0/users/{nestor}/events"),
        new_event(),
    )
    .await;
    let (status, list) = sim.get_json("/v1.0/me/events", &basic).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = &values(&list)[0];
    assert_eq!(listed["subject"], "Planning");
    assert!(
        listed.get("body").is_none() && listed.get("bodyPreview").is_none(),
        "{listed}"
    );
    let (_, fetched) = sim
        .get_json(
            &format!("/v1.0/me/events/{}", event["id"].as_str().unwrap()),
            &basic,
        )
        .await;
    assert!(fetched.get("body").is_none(), "{fetched}");
    let (status, calendars) = sim.get_json("/v1.0/me/calendars", &basic).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(values(&calendars)[0]["canEdit"], false);
    assert_denied(&sim, Method::POST, "/v1.0/me/events", &basic).await;
    let (status, answer) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &basic,
            json!({"name": "Mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn own_calendar_permissions_do_not_reach_other_users() {
    let (sim, megan) = seeded().await;
    let (_, token) = user_with_token(&sim, "adele", &["Calendars.ReadWrite"]).await;
    for path in [
        format!("/v1.0/users/{megan}/events"),
        format!("/v1.0/users/{megan}/calendars"),
        format!("/v1.0/users/{megan}/calendarView?startDateTime=2026-03-01&endDateTime=2026-04-01"),
        "/v1.0/users/nobody@contoso.onmicrosoft.com/events".to_string(),
    ] {
        assert_denied(&sim, Method::GET, &path, &token).await;
    }
    assert_denied(
        &sim,
        Method::POST,
        &format!("/v1.0/users/{megan}/events"),
        &token,
    )
    .await;
    let (status, _) = sim.get_json("/v1.0/me/events", &token).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn shared_permissions_reach_other_users() {
    let (sim, megan) = seeded().await;
    let (_, reader) = user_with_token(&sim, "adele", &["Calendars.Read.Shared"]).await;
    let (status, list) = sim
        .get_json(&format!("/v1.0/users/{}/events", address("megan")), &reader)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(values(&list)[0]["body"]["content"], "<p>Agenda</p>");
    assert_denied(
        &sim,
        Method::POST,
        &format!("/v1.0/users/{megan}/events"),
        &reader,
    )
    .await;

    let (_, writer) = user_with_token(&sim, "alex", &["Calendars.ReadWrite.Shared"]).await;
    let created = create_event(
        &sim,
        &writer,
        &format!("/v1.0/users/{megan}/events"),
        new_event(),
    )
    .await;
    assert_eq!(
        created["organizer"]["emailAddress"]["address"],
        address("megan")
    );
    let (status, answer) = sim
        .get_json("/v1.0/users/nobody@contoso.onmicrosoft.com/events", &writer)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "ErrorInvalidUser");
}

#[tokio::test]
async fn application_roles_decide_for_any_user() {
    let (sim, megan) = seeded().await;
    let events = format!("/v1.0/users/{megan}/events");

    let read = app_token_with(&sim, &["Calendars.Read"]).await;
    let (status, list) = sim.get_json(&events, &read).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(values(&list)[0].get("body").is_some());
    assert_denied(&sim, Method::POST, &events, &read).await;
    let (status, answer) = sim.get_json("/v1.0/me/events", &read).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let basic = app_token_with(&sim, &["Calendars.ReadBasic.All"]).await;
    let (_, list) = sim.get_json(&events, &basic).await;
    assert!(values(&list)[0].get("body").is_none(), "{list}");

    let none = app_token_with(&sim, &["User.Read.All"]).await;
    assert_denied(&sim, Method::GET, &events, &none).await;
    assert_denied(
        &sim,
        Method::GET,
        &format!("/v1.0/users/{megan}/calendar"),
        &none,
    )
    .await;

    let write = app_token_with(&sim, &["Calendars.ReadWrite"]).await;
    create_event(&sim, &write, &events, new_event()).await;
}
