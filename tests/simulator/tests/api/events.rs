//! Events: create, get, update, delete, transactionId, collections, time zones, body checks.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{
    OWN_CALENDAR, create_event, event_body, subjects, user_with_token, values,
};
use crate::harness::{Sim, assert_graph_error};

#[tokio::test]
async fn create_returns_the_event_as_graph_shows_it() {
    let sim = Sim::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let mut body = event_body("Plan", "2026-03-02T09:00:00", "2026-03-02T10:00:00");
    body["categories"] = json!(["Blue"]);
    let event = create_event(&sim, &token, "/v1.0/me/events", body).await;
    assert_eq!(
        event["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users('{adele}')/events/$entity",
            sim.base_url()
        )
    );
    assert!(event["id"].as_str().unwrap().starts_with("AAMk"));
    assert_eq!(
        event["@odata.etag"],
        format!("W/\"{}\"", event["changeKey"].as_str().unwrap())
    );
    assert_eq!(event["subject"], "Plan");
    assert_eq!(
        event["body"],
        json!({"contentType": "html", "content": "<p>Agenda</p>"})
    );
    assert_eq!(event["bodyPreview"], "Agenda");
    assert_eq!(
        event["start"],
        json!({"dateTime": "2026-03-02T09:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(
        event["end"],
        json!({"dateTime": "2026-03-02T10:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(event["location"]["displayName"], "Room 1");
    assert_eq!(event["type"], "singleInstance");
    assert_eq!(event["isOrganizer"], true);
    assert_eq!(event["isCancelled"], false);
    assert_eq!(event["responseStatus"]["response"], "organizer");
    assert_eq!(
        event["organizer"]["emailAddress"]["address"],
        "adele@contoso.onmicrosoft.com"
    );
    assert_eq!(event["seriesMasterId"], Value::Null);
    assert_eq!(event["recurrence"], Value::Null);
    assert_eq!(event["categories"], json!(["Blue"]));
    assert_eq!(event["showAs"], "busy");
    assert_eq!(event["originalStartTimeZone"], "UTC");
    assert!(
        event["iCalUId"]
            .as_str()
            .unwrap()
            .starts_with("040000008200E00074C5B7101A82E008")
    );
    assert!(
        event["webLink"]
            .as_str()
            .unwrap()
            .starts_with("https://outlook.office365.com/owa/?itemid=")
    );
    assert!(event["createdDateTime"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn get_update_and_delete_through_both_paths() {
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
    let calendar_id = calendar["id"].as_str().unwrap();
    let event = create_event(
        &sim,
        &token,
        &format!("/v1.0/me/calendars/{calendar_id}/events"),
        event_body("Side event", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let id = event["id"].as_str().unwrap();
    for path in [
        format!("/v1.0/me/events/{id}"),
        format!("/v1.0/me/calendars/{calendar_id}/events/{id}"),
    ] {
        let (status, fetched) = sim.get_json(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {fetched}");
        assert_eq!(fetched["subject"], "Side event");
    }
    let (_, default_calendar) = sim.get_json("/v1.0/me/calendar", &token).await;
    let (status, _) = sim
        .get_json(
            &format!(
                "/v1.0/me/calendars/{}/events/{id}",
                default_calendar["id"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an event is only found in its own calendar"
    );
    let (_, default_events) = sim.get_json("/v1.0/me/events", &token).await;
    assert!(
        values(&default_events).is_empty(),
        "/events lists the default calendar"
    );

    let (status, updated) = sim
        .send_json(
            Method::PATCH,
            &format!("/v1.0/me/events/{id}"),
            &token,
            json!({"subject": "Moved", "start": {"dateTime": "2026-03-02T11:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-03-02T12:00:00", "timeZone": "UTC"}, "location": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["subject"], "Moved");
    assert_eq!(updated["start"]["dateTime"], "2026-03-02T11:00:00.0000000");
    assert_eq!(updated["location"]["displayName"], "");
    assert_eq!(
        updated["body"]["content"], "<p>Agenda</p>",
        "unchanged properties stay"
    );
    assert_ne!(updated["changeKey"], event["changeKey"]);

    let response = sim
        .graph(
            Method::DELETE,
            &format!("/v1.0/me/calendars/{calendar_id}/events/{id}"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = sim
        .graph(Method::GET, &format!("/v1.0/me/events/{id}"), &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::NOT_FOUND, "ErrorItemNotFound").await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_transaction_id_returns_the_original() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let mut body = event_body("Once", "2026-03-02T09:00:00", "2026-03-02T10:00:00");
    body["transactionId"] = json!("7E163156-7762-4BEB-A1C6-729EA81755A7");
    let first = create_event(&sim, &token, "/v1.0/me/events", body.clone()).await;
    body["subject"] = json!("Twice");
    let second = create_event(&sim, &token, "/v1.0/me/events", body).await;
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["subject"], "Once");
    assert_eq!(
        second["transactionId"],
        "7E163156-7762-4BEB-A1C6-729EA81755A7"
    );
    let (_, list) = sim.get_json("/v1.0/me/events", &token).await;
    assert_eq!(subjects(&list), ["Once"]);
}

#[tokio::test]
async fn prefer_outlook_timezone_converts_returned_times() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let body = json!({
        "subject": "Berlin morning",
        "start": {"dateTime": "2026-07-01T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-07-01T10:00:00", "timeZone": "Europe/Berlin"},
    });
    let event = create_event(&sim, &token, "/v1.0/me/events", body).await;
    assert_eq!(
        event["start"],
        json!({"dateTime": "2026-07-01T07:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(event["originalStartTimeZone"], "W. Europe Standard Time");
    let path = format!("/v1.0/me/events/{}", event["id"].as_str().unwrap());
    for (zone, start) in [
        ("Pacific Standard Time", "2026-07-01T00:00:00.0000000"),
        ("America/New_York", "2026-07-01T03:00:00.0000000"),
        ("UTC", "2026-07-01T07:00:00.0000000"),
    ] {
        let response = sim
            .graph(Method::GET, &path, &token)
            .header("Prefer", format!("outlook.timezone=\"{zone}\""))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["preference-applied"],
            format!("outlook.timezone=\"{zone}\"").as_str()
        );
        let fetched: Value = response.json().await.unwrap();
        assert_eq!(
            fetched["start"],
            json!({"dateTime": start, "timeZone": zone})
        );
    }
    let response = sim
        .graph(Method::GET, &path, &token)
        .header("Prefer", "outlook.timezone=\"Nowhere Standard Time\"")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("preference-applied").is_none());
    let fetched: Value = response.json().await.unwrap();
    assert_eq!(fetched["start"]["timeZone"], "UTC");
}

#[tokio::test]
async fn refuses_bodies_graph_refuses() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let valid = event_body("x", "2026-03-02T09:00:00", "2026-03-02T10:00:00");
    let with = |name: &str, value: Value| {
        let mut body = valid.clone();
        body[name] = value;
        body
    };
    for (body, code) in [
        (with("colour", json!("red")), "RequestBodyRead"),
        (with("importance", json!("urgent")), "RequestBodyRead"),
        (with("isAllDay", json!(3)), "RequestBodyRead"),
        (
            with("body", json!({"contentType": "text", "text": "x"})),
            "RequestBodyRead",
        ),
        (
            with(
                "start",
                json!({"dateTime": "2026-03-02T09:00:00", "timeZone": "Mars Standard Time"}),
            ),
            "TimeZoneNotSupportedException",
        ),
        (
            with("start", json!({"dateTime": "soon", "timeZone": "UTC"})),
            "RequestBodyRead",
        ),
        (
            with(
                "end",
                json!({"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"}),
            ),
            "ErrorCalendarEndDateIsEarlierThanStartDate",
        ),
        (json!({"subject": "no times"}), "ErrorInvalidRequest"),
        (
            with(
                "recurrence",
                json!({"pattern": {"type": "weekly", "interval": 1}, "range": {"type": "noEnd", "startDate": "2026-03-02"}}),
            ),
            "ErrorInvalidRequest",
        ),
    ] {
        let (status, answer) = sim
            .send_json(Method::POST, "/v1.0/me/events", &token, body.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    let response = sim
        .graph(Method::POST, "/v1.0/me/events", &token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::BAD_REQUEST, "BadRequest").await;
    let (_, list) = sim.get_json("/v1.0/me/events", &token).await;
    assert!(values(&list).is_empty(), "nothing refused was created");
}

#[tokio::test]
async fn event_collections_filter_select_order_and_page() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    for day in 1..=12 {
        let start = format!("2026-03-{day:02}T09:00:00");
        let end = format!("2026-03-{day:02}T10:00:00");
        create_event(
            &sim,
            &token,
            "/v1.0/me/events",
            event_body(&format!("Day {day:02}"), &start, &end),
        )
        .await;
    }
    let (status, first) = sim
        .get_json("/v1.0/me/events?$orderby=start/dateTime desc", &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        values(&first).len(),
        10,
        "Outlook pages hold 10 events by default"
    );
    assert_eq!(values(&first)[0]["subject"], "Day 12");
    let next = first["@odata.nextLink"].as_str().expect("a next link");
    assert!(next.starts_with(sim.base_url()));
    let second: Value = sim
        .http
        .get(next)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(subjects(&second), ["Day 02", "Day 01"]);
    assert!(second.get("@odata.nextLink").is_none());

    let (_, filtered) = sim
        .get_json(
            "/v1.0/me/events?$filter=start/dateTime ge '2026-03-10T00:00:00' and start/dateTime lt '2026-03-12T00:00:00'&$select=subject,start",
            &token,
        )
        .await;
    assert_eq!(subjects(&filtered), ["Day 10", "Day 11"]);
    let keys: Vec<&str> = values(&filtered)[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["@odata.etag", "id", "start", "subject"]);

    let response = sim
        .graph(Method::GET, "/v1.0/me/events", &token)
        .header("Prefer", "odata.maxpagesize=5")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["preference-applied"],
        "odata.maxpagesize=5"
    );
    let page: Value = response.json().await.unwrap();
    assert_eq!(values(&page).len(), 5);

    let (status, answer) = sim
        .get_json("/v1.0/me/events?$filter=bodyPreview eq 'x'", &token)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "ErrorInvalidUrlQueryFilter");
}

#[tokio::test]
async fn faults_and_the_request_log_cover_calendar_requests() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    sim.control(
        "/_control/faults",
        json!({"method": "POST", "path": "/v1.0/me/events", "fault": {"kind": "status", "status": 429, "retryAfter": 3}}),
    )
    .await;
    let body = event_body("Throttled", "2026-03-02T09:00:00", "2026-03-02T10:00:00");
    let response = sim
        .graph(Method::POST, "/v1.0/me/events", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["retry-after"], "3");
    assert_graph_error(response, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests").await;
    let (_, list) = sim.get_json("/v1.0/me/events", &token).await;
    assert!(
        values(&list).is_empty(),
        "a faulted request changes nothing"
    );
    create_event(&sim, &token, "/v1.0/me/events", body).await;
    let log: Vec<(String, String, Value)> = sim
        .requests()
        .await
        .into_iter()
        .filter(|request| request["path"] == "/v1.0/me/events")
        .map(|request| {
            (
                request["method"].as_str().unwrap().to_string(),
                request["path"].as_str().unwrap().to_string(),
                request["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        log,
        [
            (
                "POST".to_string(),
                "/v1.0/me/events".to_string(),
                json!(429)
            ),
            ("GET".to_string(), "/v1.0/me/events".to_string(), json!(200)),
            (
                "POST".to_string(),
                "/v1.0/me/events".to_string(),
                json!(201)
            ),
        ]
    );
}

#[tokio::test]
async fn the_default_calendar_answers_under_calendar_too() {
    let sim = Sim::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let event = create_event(
        &sim,
        &token,
        &format!("/v1.0/users/{adele}/calendar/events"),
        event_body("Default", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let id = event["id"].as_str().unwrap();
    let window = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z";
    for path in [
        "/v1.0/me/events".to_string(),
        "/v1.0/me/calendar/events".to_string(),
        format!("/v1.0/me/calendar/calendarView?{window}"),
        format!("/v1.0/me/calendar/events/{id}/instances?{window}"),
    ] {
        let (status, list) = sim.get_json(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {list}");
        assert_eq!(subjects(&list), ["Default"], "{path}");
    }
    let (status, fetched) = sim
        .get_json(&format!("/v1.0/me/calendar/events/{id}"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["id"], event["id"]);
}
