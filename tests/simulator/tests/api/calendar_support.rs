//! What the calendar tests share: a tenant with an organizer and attendees, and event bodies.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Sim, TENANT, TENANT_DOMAIN};

/// Delegated permissions to read and write one's own calendar.
pub const OWN_CALENDAR: &[&str] = &["Calendars.ReadWrite"];

/// The mail address of `{local}@contoso`.
pub fn address(local: &str) -> String {
    format!("{local}@{TENANT_DOMAIN}")
}

/// A user of [`TENANT`] and a delegated token of theirs with `scopes`.
pub async fn user_with_token(sim: &Sim, local: &str, scopes: &[&str]) -> (String, String) {
    let id = sim.add_user(TENANT, local, local).await;
    let token = sim.user_token(&id, scopes).await;
    (id, token)
}

/// An event body from `start` to `end` (UTC wall-clock times).
pub fn event_body(subject: &str, start: &str, end: &str) -> Value {
    json!({
        "subject": subject,
        "body": {"contentType": "html", "content": "<p>Agenda</p>"},
        "start": {"dateTime": start, "timeZone": "UTC"},
        "end": {"dateTime": end, "timeZone": "UTC"},
        "location": {"displayName": "Room 1"},
    })
}

/// An event body with the given attendees (by local part).
pub fn meeting_body(subject: &str, start: &str, end: &str, attendees: &[&str]) -> Value {
    let mut body = event_body(subject, start, end);
    body["attendees"] = attendees
        .iter()
        .map(|local| json!({"type": "required", "emailAddress": {"address": address(local), "name": local}}))
        .collect();
    body
}

/// Creates an event through `POST {path}` (e.g. `/v1.0/me/events`); the created event.
pub async fn create_event(sim: &Sim, token: &str, path: &str, body: Value) -> Value {
    let (status, event) = sim.send_json(Method::POST, path, token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    event
}

/// The `value` of a collection body.
pub fn values(body: &Value) -> &Vec<Value> {
    body["value"].as_array().expect("a collection")
}

/// The `subject`s of a collection body.
pub fn subjects(body: &Value) -> Vec<&str> {
    values(body)
        .iter()
        .map(|event| event["subject"].as_str().expect("subject"))
        .collect()
}
