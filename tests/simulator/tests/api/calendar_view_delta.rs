//! `calendarView/delta`: a first round paged with `$skiptoken`s ending in a `$deltatoken`, later
//! rounds with what changed (and `@removed`), expired sync states, refused options.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{OWN_CALENDAR, create_event, event_body, user_with_token, values};
use crate::harness::{Sim, assert_graph_error};

const WINDOW: &str = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-08T00:00:00Z";

/// Follows a round from `url` (absolute) to its deltaLink, `Prefer: odata.maxpagesize=2`; the
/// items of every page, the number of pages and the deltaLink.
async fn round(sim: &Sim, token: &str, url: &str) -> (Vec<Value>, usize, String) {
    let (mut items, mut pages, mut url) = (Vec::new(), 0, url.to_string());
    loop {
        let response = sim
            .http
            .get(&url)
            .bearer_auth(token)
            .header("Prefer", "odata.maxpagesize=2")
            .send()
            .await
            .expect("delta");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        pages += 1;
        assert!(values(&body).len() <= 2, "{body}");
        items.extend(values(&body).iter().cloned());
        if let Some(next) = body["@odata.nextLink"].as_str() {
            assert!(next.contains("/calendarView/delta?$skiptoken="), "{next}");
            assert!(body.get("@odata.deltaLink").is_none());
            url = next.to_string();
            continue;
        }
        let delta = body["@odata.deltaLink"].as_str().expect("a deltaLink");
        assert!(
            delta.contains("/calendarView/delta?$deltatoken="),
            "{delta}"
        );
        assert!(
            !delta.contains("startDateTime"),
            "the token carries the window"
        );
        return (items, pages, delta.to_string());
    }
}

fn subjects_of(items: &[Value]) -> BTreeSet<&str> {
    items
        .iter()
        .filter_map(|item| item["subject"].as_str())
        .collect()
}

fn removed_ids(items: &[Value]) -> BTreeSet<&str> {
    items
        .iter()
        .filter(|item| item["@removed"] == json!({"reason": "deleted"}))
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn rounds_list_the_window_then_what_changed() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let mut ids = Vec::new();
    for (subject, day) in [("A", 2), ("B", 3), ("C", 4), ("Outside", 20)] {
        let start = format!("2026-03-{day:02}T09:00:00");
        let end = format!("2026-03-{day:02}T10:00:00");
        let event = create_event(
            &sim,
            &token,
            "/v1.0/me/events",
            event_body(subject, &start, &end),
        )
        .await;
        ids.push(event["id"].as_str().unwrap().to_string());
    }
    let first = sim.url(&format!("/v1.0/me/calendarView/delta?{WINDOW}"));
    let (items, pages, delta_link) = round(&sim, &token, &first).await;
    assert_eq!(subjects_of(&items), BTreeSet::from(["A", "B", "C"]));
    assert_eq!(pages, 2);
    assert_eq!(items[0]["start"]["dateTime"], "2026-03-02T09:00:00.0000000");

    let (items, pages, delta_link) = round(&sim, &token, &delta_link).await;
    assert!(items.is_empty(), "nothing changed: {items:?}");
    assert_eq!(pages, 1);

    let item = |id: &str| format!("/v1.0/me/events/{id}");
    sim.send_json(
        Method::PATCH,
        &item(&ids[0]),
        &token,
        json!({"subject": "A2"}),
    )
    .await;
    sim.send_json(Method::DELETE, &item(&ids[1]), &token, json!({}))
        .await;
    sim.send_json(
        Method::PATCH,
        &item(&ids[2]),
        &token,
        json!({"start": {"dateTime": "2026-04-01T09:00:00", "timeZone": "UTC"},
               "end": {"dateTime": "2026-04-01T10:00:00", "timeZone": "UTC"}}),
    )
    .await;
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("D", "2026-03-05T09:00:00", "2026-03-05T10:00:00"),
    )
    .await;
    let (items, _, _) = round(&sim, &token, &delta_link).await;
    assert_eq!(subjects_of(&items), BTreeSet::from(["A2", "D"]));
    assert_eq!(
        removed_ids(&items),
        BTreeSet::from([ids[1].as_str(), ids[2].as_str()]),
        "deleted, and moved out of the window"
    );
    assert_eq!(items.len(), 4);
}

#[tokio::test]
async fn a_named_calendar_has_its_own_rounds() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (_, calendar) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &token,
            json!({"name": "Side"}),
        )
        .await;
    let side = calendar["id"].as_str().unwrap();
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Default", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    create_event(
        &sim,
        &token,
        &format!("/v1.0/me/calendars/{side}/events"),
        event_body("Side", "2026-03-02T11:00:00", "2026-03-02T12:00:00"),
    )
    .await;
    let url = sim.url(&format!(
        "/v1.0/me/calendars/{side}/calendarView/delta?{WINDOW}"
    ));
    let (items, _, side_link) = round(&sim, &token, &url).await;
    assert_eq!(subjects_of(&items), BTreeSet::from(["Side"]));
    // The side calendar's token means nothing for the default calendar.
    let token_part = side_link.split_once('?').unwrap().1;
    let response = sim
        .graph(
            Method::GET,
            &format!("/v1.0/me/calendarView/delta?{token_part}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::GONE, "SyncStateNotFound").await;
}

#[tokio::test]
async fn expired_and_unknown_sync_states_answer_410() {
    let sim = Sim::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("A", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let first = sim.url(&format!("/v1.0/me/calendarView/delta?{WINDOW}"));
    let (_, _, delta_link) = round(&sim, &token, &first).await;
    let expired = sim
        .control("/_control/delta-tokens/expire", json!({"userId": adele}))
        .await;
    assert_eq!(expired["expired"], 1);
    for url in [
        delta_link,
        sim.url("/v1.0/me/calendarView/delta?$deltatoken=unknown"),
        sim.url("/v1.0/me/calendarView/delta?$skiptoken=unknown"),
    ] {
        let response = sim.http.get(&url).bearer_auth(&token).send().await.unwrap();
        let body = assert_graph_error(response, StatusCode::GONE, "SyncStateNotFound").await;
        assert_eq!(
            body["error"]["message"],
            "The sync state generation is not found."
        );
    }
    // Starting over works.
    let (items, _, _) = round(&sim, &token, &first).await;
    assert_eq!(subjects_of(&items), BTreeSet::from(["A"]));
}

#[tokio::test]
async fn a_first_call_needs_the_window_and_takes_no_odata_options() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (_, basic) = user_with_token(&sim, "alex", &["User.Read"]).await;
    let response = sim
        .graph(Method::GET, "/v1.0/me/calendarView/delta", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::BAD_REQUEST, "ErrorInvalidParameter").await;
    let response = sim
        .graph(
            Method::GET,
            &format!("/v1.0/me/calendarView/delta?{WINDOW}&$select=subject"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = sim
        .graph(
            Method::GET,
            &format!("/v1.0/me/calendarView/delta?{WINDOW}"),
            &basic,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::FORBIDDEN, "ErrorAccessDenied").await;
}
