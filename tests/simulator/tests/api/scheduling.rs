//! findMeetingTimes and getSchedule from the attendees' calendars.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{address, create_event, event_body, user_with_token};
use crate::harness::Sim;

/// Adele (organizer, busy 10-11) and Megan (busy 9-10, tentative 11-12) on Monday 2026-03-02.
async fn busy_day() -> (Sim, String, String) {
    let sim = Sim::with_app_roles(&["Calendars.ReadWrite"]).await;
    let (_, adele) = user_with_token(&sim, "adele", &["Calendars.ReadWrite.Shared"]).await;
    let (_, megan) = user_with_token(&sim, "megan", &["Calendars.ReadWrite"]).await;
    create_event(
        &sim,
        &adele,
        "/v1.0/me/events",
        event_body("Adele busy", "2026-03-02T10:00:00", "2026-03-02T11:00:00"),
    )
    .await;
    create_event(
        &sim,
        &megan,
        "/v1.0/me/events",
        event_body("Megan busy", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let mut tentative = event_body("Megan maybe", "2026-03-02T11:00:00", "2026-03-02T12:00:00");
    tentative["showAs"] = json!("tentative");
    create_event(&sim, &megan, "/v1.0/me/events", tentative).await;
    let mut free = event_body("Megan free", "2026-03-02T08:00:00", "2026-03-02T09:00:00");
    free["showAs"] = json!("free");
    create_event(&sim, &megan, "/v1.0/me/events", free).await;
    (sim, adele, megan)
}

fn find_body(start: &str, end: &str, attendees: &[String]) -> Value {
    json!({
        "attendees": attendees.iter().map(|a| json!({"type": "required", "emailAddress": {"address": a}})).collect::<Vec<_>>(),
        "timeConstraint": {
            "activityDomain": "work",
            "timeSlots": [{"start": {"dateTime": start, "timeZone": "UTC"}, "end": {"dateTime": end, "timeZone": "UTC"}}],
        },
        "meetingDuration": "PT1H",
        "returnSuggestionReasons": true,
        "locationConstraint": {"isRequired": false, "suggestLocation": false, "locations": [{"displayName": "Room 1", "resolveAvailability": false}]},
    })
}

fn slot_starts(result: &Value) -> Vec<&str> {
    result["meetingTimeSuggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|suggestion| {
            suggestion["meetingTimeSlot"]["start"]["dateTime"]
                .as_str()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn find_meeting_times_suggests_when_everyone_is_free() {
    let (sim, adele, _) = busy_day().await;
    let (status, result) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/findMeetingTimes",
            &adele,
            find_body(
                "2026-03-02T08:00:00",
                "2026-03-02T12:00:00",
                &[address("megan")],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(
        result["@odata.context"],
        format!(
            "{}/v1.0/$metadata#microsoft.graph.meetingTimeSuggestionsResult",
            sim.base_url()
        )
    );
    assert_eq!(result["emptySuggestionsReason"], "");
    assert_eq!(
        slot_starts(&result),
        ["2026-03-02T08:00:00.0000000", "2026-03-02T11:00:00.0000000"],
        "all free first, then the tentative slot"
    );
    let best = &result["meetingTimeSuggestions"][0];
    assert_eq!(best["confidence"], 100.0);
    assert_eq!(best["order"], 1);
    assert_eq!(best["organizerAvailability"], "free");
    assert_eq!(best["attendeeAvailability"][0]["availability"], "free");
    assert_eq!(
        best["attendeeAvailability"][0]["attendee"]["emailAddress"]["address"],
        address("megan")
    );
    assert_eq!(best["locations"], json!([{"displayName": "Room 1"}]));
    assert!(best["suggestionReason"].is_string());
    assert_eq!(
        result["meetingTimeSuggestions"][1]["attendeeAvailability"][0]["availability"],
        "tentative"
    );

    let response = sim
        .graph(
            Method::POST,
            "/v1.0/me/microsoft.graph.findMeetingTimes",
            &adele,
        )
        .header("Prefer", "outlook.timezone=\"W. Europe Standard Time\"")
        .json(&find_body(
            "2026-03-02T08:00:00",
            "2026-03-02T09:00:00",
            &[address("megan")],
        ))
        .send()
        .await
        .unwrap();
    let result: Value = response.json().await.unwrap();
    assert_eq!(
        result["meetingTimeSuggestions"][0]["meetingTimeSlot"]["start"],
        json!({"dateTime": "2026-03-02T09:00:00.0000000", "timeZone": "W. Europe Standard Time"})
    );
}

#[tokio::test]
async fn find_meeting_times_explains_empty_results() {
    let (sim, adele, _) = busy_day().await;
    for (start, end, attendees, reason) in [
        (
            "2026-03-02T09:00:00",
            "2026-03-02T10:00:00",
            vec![address("megan")],
            "AttendeesUnavailable",
        ),
        (
            "2026-03-02T09:00:00",
            "2026-03-02T10:00:00",
            vec![address("megan"), "x@elsewhere.example".to_string()],
            "AttendeesUnavailableOrUnknown",
        ),
        (
            "2026-03-02T10:00:00",
            "2026-03-02T11:00:00",
            vec![address("megan")],
            "OrganizerUnavailable",
        ),
        (
            "2026-03-07T10:00:00",
            "2026-03-07T12:00:00",
            vec![address("megan")],
            "Unknown",
        ),
    ] {
        let (status, result) = sim
            .send_json(
                Method::POST,
                "/v1.0/me/findMeetingTimes",
                &adele,
                find_body(start, end, &attendees),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{result}");
        assert_eq!(
            result["emptySuggestionsReason"], reason,
            "{start}: {result}"
        );
        assert_eq!(result["meetingTimeSuggestions"], json!([]));
    }
    let mut bad_duration = find_body("2026-03-02T08:00:00", "2026-03-02T12:00:00", &[]);
    bad_duration["meetingDuration"] = json!("one hour");
    let (status, answer) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/findMeetingTimes",
            &adele,
            bad_duration,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "RequestBodyRead");
}

#[tokio::test]
async fn find_meeting_times_needs_shared_calendar_permissions_and_a_user() {
    let (sim, _, megan) = busy_day().await;
    let body = find_body("2026-03-02T08:00:00", "2026-03-02T12:00:00", &[]);
    let (status, answer) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/findMeetingTimes",
            &megan,
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"]["code"], "ErrorAccessDenied");
    let app = sim.app_token().await;
    let (status, answer) = sim
        .send_json(
            Method::POST,
            &format!("/v1.0/users/{}/findMeetingTimes", address("adele")),
            &app,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn get_schedule_reports_free_busy_per_interval() {
    let (sim, _, _) = busy_day().await;
    let (_, reader) = user_with_token(&sim, "reader", &["Calendars.Read"]).await;
    let body = json!({
        "schedules": [address("megan"), address("adele"), "nobody@elsewhere.example"],
        "startTime": {"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2026-03-02T12:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 60,
    });
    let response = sim
        .graph(Method::POST, "/v1.0/me/calendar/getSchedule", &reader)
        .header("Prefer", "outlook.timezone=\"Pacific Standard Time\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!(
        result["@odata.context"],
        format!(
            "{}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
            sim.base_url()
        )
    );
    let megan = &result["value"][0];
    assert_eq!(megan["scheduleId"], address("megan"));
    assert_eq!(megan["availabilityView"], "0201");
    let items = megan["scheduleItems"].as_array().unwrap();
    assert_eq!(items.len(), 2, "free time is no schedule item: {megan}");
    assert_eq!(items[0]["status"], "busy");
    assert_eq!(items[0]["subject"], "Megan busy");
    assert_eq!(items[0]["location"], "Room 1");
    assert_eq!(
        items[0]["start"],
        json!({"dateTime": "2026-03-02T01:00:00.0000000", "timeZone": "Pacific Standard Time"})
    );
    assert_eq!(items[1]["status"], "tentative");
    assert_eq!(result["value"][1]["availabilityView"], "0020");
    assert_eq!(
        result["value"][2]["error"]["responseCode"],
        "ErrorMailRecipientNotFound"
    );

    let (status, app_result) = sim
        .send_json(
            Method::POST,
            &format!(
                "/v1.0/users/{}/calendar/microsoft.graph.getSchedule",
                address("adele")
            ),
            &sim.app_token().await,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app_result}");
    assert_eq!(app_result["value"][0]["availabilityView"], "0201");
}

#[tokio::test]
async fn get_schedule_checks_its_parameters() {
    let (sim, adele, _) = busy_day().await;
    let window = json!({
        "schedules": [address("megan")],
        "startTime": {"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2026-03-02T12:00:00", "timeZone": "UTC"},
    });
    let with = |name: &str, value: Value| {
        let mut body = window.clone();
        body[name] = value;
        body
    };
    for (body, code) in [
        (
            with("availabilityViewInterval", json!(2)),
            "ErrorInvalidParameter",
        ),
        (with("schedules", json!([])), "ErrorInvalidParameter"),
        (with("endTime", Value::Null), "ErrorInvalidParameter"),
        (with("unknown", json!(1)), "RequestBodyRead"),
    ] {
        let (status, answer) = sim
            .send_json(
                Method::POST,
                "/v1.0/me/calendar/getSchedule",
                &adele,
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    let (_, default_calendar) = sim.get_json("/v1.0/me/calendar", &adele).await;
    let (status, result) = sim
        .send_json(
            Method::POST,
            &format!(
                "/v1.0/me/calendars/{}/getSchedule",
                default_calendar["id"].as_str().unwrap()
            ),
            &adele,
            window,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        result["value"][0]["availabilityView"], "00220011",
        "30-minute intervals by default"
    );
}
