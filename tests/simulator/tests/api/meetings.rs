//! Meetings: attendees of the tenant get a copy; accept, decline, tentativelyAccept, cancel
//! and forward.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{
    OWN_CALENDAR, address, create_event, meeting_body, user_with_token, values,
};
use crate::harness::Sim;

/// An organizer (Adele) with a meeting inviting Megan, Alex and an outside address.
struct Meeting {
    sim: Sim,
    organizer: String,
    megan: String,
    alex: String,
    event: Value,
}

async fn meeting() -> Meeting {
    let sim = Sim::start().await;
    let (_, organizer) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (_, megan) = user_with_token(&sim, "megan", OWN_CALENDAR).await;
    let (_, alex) = user_with_token(&sim, "alex", OWN_CALENDAR).await;
    let mut body = meeting_body(
        "Review",
        "2026-03-02T09:00:00",
        "2026-03-02T10:00:00",
        &["megan", "alex"],
    );
    body["attendees"]
        .as_array_mut()
        .unwrap()
        .push(json!({"emailAddress": {"address": "someone@elsewhere.example"}}));
    let event = create_event(&sim, &organizer, "/v1.0/me/events", body).await;
    Meeting {
        sim,
        organizer,
        megan,
        alex,
        event,
    }
}

/// The only event in the default calendar of the token's user.
async fn only_event(sim: &Sim, token: &str) -> Value {
    let (status, list) = sim.get_json("/v1.0/me/events", token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(values(&list).len(), 1, "{list}");
    values(&list)[0].clone()
}

async fn act(
    sim: &Sim,
    token: &str,
    event: &Value,
    action: &str,
    body: Value,
) -> (StatusCode, Value) {
    let path = format!("/v1.0/me/events/{}/{action}", event["id"].as_str().unwrap());
    sim.send_json(Method::POST, &path, token, body).await
}

fn attendee_status<'a>(event: &'a Value, local: &str) -> &'a Value {
    &event["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|attendee| attendee["emailAddress"]["address"] == address(local))
        .unwrap_or_else(|| panic!("{local} is no attendee: {event}"))["status"]
}

#[tokio::test]
async fn attendees_of_the_tenant_get_a_copy_not_yet_responded_to() {
    let m = meeting().await;
    assert_eq!(attendee_status(&m.event, "megan")["response"], "none");
    assert_eq!(m.event["attendees"][0]["type"], "required");
    let copy = only_event(&m.sim, &m.megan).await;
    assert_ne!(copy["id"], m.event["id"]);
    assert_eq!(copy["iCalUId"], m.event["iCalUId"]);
    assert_eq!(copy["subject"], "Review");
    assert_eq!(copy["isOrganizer"], false);
    assert_eq!(copy["responseStatus"]["response"], "notResponded");
    assert_eq!(
        copy["organizer"]["emailAddress"]["address"],
        address("adele")
    );
    only_event(&m.sim, &m.alex).await;
}

#[tokio::test]
async fn responses_reach_the_organizer() {
    let m = meeting().await;
    let copy = only_event(&m.sim, &m.megan).await;
    let (status, body) = act(
        &m.sim,
        &m.megan,
        &copy,
        "accept",
        json!({"comment": "See you", "sendResponse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body, Value::Null, "202 with an empty body");
    let copy = only_event(&m.sim, &m.megan).await;
    assert_eq!(copy["responseStatus"]["response"], "accepted");
    assert_ne!(copy["responseStatus"]["time"], "0001-01-01T00:00:00Z");

    let alex_copy = only_event(&m.sim, &m.alex).await;
    let proposal = json!({
        "start": {"dateTime": "2026-03-02T11:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-02T12:00:00", "timeZone": "UTC"},
    });
    let (status, _) = act(
        &m.sim,
        &m.alex,
        &alex_copy,
        "microsoft.graph.tentativelyAccept",
        json!({"proposedNewTime": proposal}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let organizer_view = only_event(&m.sim, &m.organizer).await;
    assert_eq!(
        attendee_status(&organizer_view, "megan")["response"],
        "accepted"
    );
    assert_eq!(
        attendee_status(&organizer_view, "alex")["response"],
        "tentativelyAccepted"
    );
    let alex_entry = organizer_view["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|attendee| attendee["emailAddress"]["address"] == address("alex"))
        .unwrap();
    assert_eq!(alex_entry["proposedNewTime"], proposal);

    let (status, _) = act(
        &m.sim,
        &m.megan,
        &copy,
        "decline",
        json!({"sendResponse": false}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        only_event(&m.sim, &m.megan).await["responseStatus"]["response"],
        "declined"
    );
    let organizer_view = only_event(&m.sim, &m.organizer).await;
    assert_eq!(
        attendee_status(&organizer_view, "megan")["response"],
        "accepted",
        "without sendResponse the organizer is not told"
    );
}

#[tokio::test]
async fn the_organizer_cannot_respond_and_attendees_cannot_cancel() {
    let m = meeting().await;
    let (status, answer) = act(&m.sim, &m.organizer, &m.event, "accept", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "ErrorInvalidRequest");
    let copy = only_event(&m.sim, &m.megan).await;
    let (status, answer) = act(&m.sim, &m.megan, &copy, "cancel", json!({"comment": "no"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["error"]["message"],
        "Your request can't be completed. You need to be an organizer to cancel a meeting."
    );
}

#[tokio::test]
async fn action_bodies_are_checked() {
    let m = meeting().await;
    let copy = only_event(&m.sim, &m.megan).await;
    for (action, body) in [
        ("accept", json!({"proposedNewTime": null})),
        ("accept", json!({"note": "x"})),
        ("decline", json!({"sendResponse": "maybe"})),
        ("forward", json!({"toRecipients": [{"address": "x@y"}]})),
        ("cancel", json!({"Comment": "x", "SendResponse": true})),
    ] {
        let (status, answer) = act(&m.sim, &m.megan, &copy, action, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{action} {body}: {answer}");
        assert_eq!(
            answer["error"]["code"], "RequestBodyRead",
            "{action} {body}: {answer}"
        );
    }
    let (status, answer) = act(
        &m.sim,
        &m.megan,
        &copy,
        "forward",
        json!({"toRecipients": []}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "ErrorInvalidRecipients");
    let (status, answer) = act(&m.sim, &m.megan, &copy, "snooze", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "BadRequest");
    let (status, _) = act(
        &m.sim,
        &m.megan,
        &copy,
        "Accept",
        json!({"Comment": "case-insensitive names"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn cancel_removes_the_organizers_event_and_cancels_the_copies() {
    let m = meeting().await;
    let (status, _) = act(
        &m.sim,
        &m.organizer,
        &m.event,
        "cancel",
        json!({"comment": "Sorry"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, organizer_events) = m.sim.get_json("/v1.0/me/events", &m.organizer).await;
    assert!(values(&organizer_events).is_empty());
    let copy = only_event(&m.sim, &m.megan).await;
    assert_eq!(copy["isCancelled"], true);
    assert_eq!(copy["subject"], "Canceled: Review");
}

#[tokio::test]
async fn organizer_updates_and_deletions_follow_the_copies() {
    let m = meeting().await;
    let path = format!("/v1.0/me/events/{}", m.event["id"].as_str().unwrap());
    let attendees = json!([{"emailAddress": {"address": address("megan")}}]);
    let (status, updated) = m
        .sim
        .send_json(
            Method::PATCH,
            &path,
            &m.organizer,
            json!({"subject": "Review v2", "attendees": attendees}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(only_event(&m.sim, &m.megan).await["subject"], "Review v2");
    let alex_copy = only_event(&m.sim, &m.alex).await;
    assert_eq!(
        alex_copy["isCancelled"], true,
        "removed attendees' copies are cancelled"
    );

    let response = m
        .sim
        .graph(Method::DELETE, &path, &m.organizer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let copy = only_event(&m.sim, &m.megan).await;
    assert_eq!(copy["isCancelled"], true);
}

#[tokio::test]
async fn forwarding_invites_the_recipients() {
    let m = meeting().await;
    let (_, nestor) = user_with_token(&m.sim, "nestor", OWN_CALENDAR).await;
    let copy = only_event(&m.sim, &m.megan).await;
    let (status, _) = act(
        &m.sim,
        &m.megan,
        &copy,
        "forward",
        json!({"toRecipients": [{"emailAddress": {"address": address("nestor"), "name": "Nestor"}}], "comment": "FYI"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let forwarded = only_event(&m.sim, &nestor).await;
    assert_eq!(forwarded["iCalUId"], m.event["iCalUId"]);
    assert_eq!(forwarded["responseStatus"]["response"], "notResponded");
    let organizer_view = only_event(&m.sim, &m.organizer).await;
    assert_eq!(
        attendee_status(&organizer_view, "nestor")["response"],
        "none"
    );
}
