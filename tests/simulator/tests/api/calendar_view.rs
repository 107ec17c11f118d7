//! Calendar views and instances: recurring series expanded in a window, required window,
//! paging, occurrences by id.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{
    OWN_CALENDAR, create_event, event_body, subjects, user_with_token, values,
};
use crate::harness::{Sim, assert_graph_error};

fn recurring(subject: &str, start: &str, end: &str, recurrence: Value) -> Value {
    let mut body = event_body(subject, start, end);
    body["recurrence"] = recurrence;
    body
}

fn starts(body: &Value) -> Vec<&str> {
    values(body)
        .iter()
        .map(|event| event["start"]["dateTime"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn calendar_view_expands_daily_and_weekly_series_in_the_window() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let daily = create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        recurring(
            "Standup",
            "2026-03-02T09:00:00",
            "2026-03-02T09:15:00",
            json!({"pattern": {"type": "daily", "interval": 2}, "range": {"type": "endDate", "startDate": "2026-03-02", "endDate": "2026-03-06"}}),
        ),
    )
    .await;
    assert_eq!(daily["type"], "seriesMaster");
    assert_eq!(daily["recurrence"]["pattern"]["type"], "daily");
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        recurring(
            "Sync",
            "2026-03-03T14:00:00",
            "2026-03-03T15:00:00",
            json!({"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday", "thursday"]}, "range": {"type": "numbered", "startDate": "2026-03-03", "numberOfOccurrences": 3}}),
        ),
    )
    .await;
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Lunch", "2026-03-04T12:00:00", "2026-03-04T13:00:00"),
    )
    .await;
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Outside", "2026-04-01T12:00:00", "2026-04-01T13:00:00"),
    )
    .await;

    let (status, view) = sim
        .get_json(
            "/v1.0/me/calendarView?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-31T00:00:00Z&$top=50",
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        subjects(&view),
        [
            "Standup", "Sync", "Standup", "Lunch", "Sync", "Standup", "Sync"
        ]
    );
    assert_eq!(
        starts(&view),
        [
            "2026-03-02T09:00:00.0000000",
            "2026-03-03T14:00:00.0000000",
            "2026-03-04T09:00:00.0000000",
            "2026-03-04T12:00:00.0000000",
            "2026-03-05T14:00:00.0000000",
            "2026-03-06T09:00:00.0000000",
            "2026-03-10T14:00:00.0000000",
        ]
    );
    let occurrence = &values(&view)[0];
    assert_eq!(occurrence["type"], "occurrence");
    assert_eq!(occurrence["seriesMasterId"], daily["id"]);
    assert_ne!(occurrence["id"], daily["id"]);
    assert_eq!(values(&view)[3]["type"], "singleInstance");

    let (_, narrow) = sim
        .get_json(
            "/v1.0/me/calendarView?startDateTime=2026-03-04T09:10:00&endDateTime=2026-03-04T12:00:00",
            &token,
        )
        .await;
    assert_eq!(
        subjects(&narrow),
        ["Standup"],
        "overlapping events count, touching ones do not"
    );
}

#[tokio::test]
async fn the_window_is_required() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let event = create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("x", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let instances = format!(
        "/v1.0/me/events/{}/instances",
        event["id"].as_str().unwrap()
    );
    for path in [
        "/v1.0/me/calendarView".to_string(),
        "/v1.0/me/calendarView?startDateTime=2026-03-01T00:00:00".to_string(),
        format!("{instances}?endDateTime=2026-03-01T00:00:00"),
    ] {
        let response = sim.graph(Method::GET, &path, &token).send().await.unwrap();
        let body =
            assert_graph_error(response, StatusCode::BAD_REQUEST, "ErrorInvalidParameter").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("StartDateTime and EndDateTime"),
            "{body}"
        );
    }
    let (status, answer) = sim
        .get_json(
            "/v1.0/me/calendarView?startDateTime=yesterday&endDateTime=2026-03-01T00:00:00",
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "ErrorInvalidParameter");
}

#[tokio::test]
async fn instances_of_a_series_page_with_next_links() {
    let sim = Sim::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let series = create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        recurring(
            "Daily",
            "2026-03-01T08:00:00",
            "2026-03-01T08:30:00",
            json!({"pattern": {"type": "daily", "interval": 1}, "range": {"type": "noEnd", "startDate": "2026-03-01"}}),
        ),
    )
    .await;
    let id = series["id"].as_str().unwrap();
    let mut next = Some(format!(
        "{}/v1.0/users/{adele}/events/{id}/instances?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-26T00:00:00Z",
        sim.base_url()
    ));
    let (mut seen, mut pages) = (Vec::new(), 0);
    while let Some(url) = next {
        let page: Value = sim
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(values(&page).len() <= 10, "{page}");
        seen.extend(starts(&page).into_iter().map(str::to_owned));
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[24], "2026-03-25T08:00:00.0000000");
}

#[tokio::test]
async fn occurrences_can_be_read_and_deleted_by_id() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let series = create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        recurring(
            "Weekly",
            "2026-03-02T16:00:00",
            "2026-03-02T17:00:00",
            json!({"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]}, "range": {"type": "numbered", "startDate": "2026-03-02", "numberOfOccurrences": 3}}),
        ),
    )
    .await;
    let window = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z";
    let instances_path = format!(
        "/v1.0/me/events/{}/instances?{window}",
        series["id"].as_str().unwrap()
    );
    let (_, instances) = sim.get_json(&instances_path, &token).await;
    assert_eq!(values(&instances).len(), 3);
    let second = values(&instances)[1]["id"].as_str().unwrap().to_string();
    let (status, occurrence) = sim
        .get_json(&format!("/v1.0/me/events/{second}"), &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{occurrence}");
    assert_eq!(occurrence["type"], "occurrence");
    assert_eq!(
        occurrence["start"]["dateTime"],
        "2026-03-09T16:00:00.0000000"
    );
    let response = sim
        .graph(Method::DELETE, &format!("/v1.0/me/events/{second}"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, instances) = sim.get_json(&instances_path, &token).await;
    assert_eq!(
        starts(&instances),
        ["2026-03-02T16:00:00.0000000", "2026-03-16T16:00:00.0000000"],
        "a deleted occurrence still counts towards numberOfOccurrences"
    );
    let response = sim
        .graph(Method::GET, &format!("/v1.0/me/events/{second}"), &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::NOT_FOUND, "ErrorItemNotFound").await;
}

#[tokio::test]
async fn a_series_keeps_its_wall_clock_time_across_daylight_saving_and_honours_prefer() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let body = json!({
        "subject": "Pacific standup",
        "start": {"dateTime": "2026-03-06T09:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2026-03-06T09:30:00", "timeZone": "Pacific Standard Time"},
        "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["friday"]}, "range": {"type": "numbered", "startDate": "2026-03-06", "numberOfOccurrences": 2}},
    });
    create_event(&sim, &token, "/v1.0/me/events", body).await;
    let path =
        "/v1.0/me/calendarView?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-31T00:00:00Z";
    let (_, utc) = sim.get_json(path, &token).await;
    assert_eq!(
        starts(&utc),
        ["2026-03-06T17:00:00.0000000", "2026-03-13T16:00:00.0000000"]
    );
    let response = sim
        .graph(Method::GET, path, &token)
        .header("Prefer", "outlook.timezone=\"Pacific Standard Time\"")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["preference-applied"],
        "outlook.timezone=\"Pacific Standard Time\""
    );
    let pacific: Value = response.json().await.unwrap();
    assert_eq!(
        starts(&pacific),
        ["2026-03-06T09:00:00.0000000", "2026-03-13T09:00:00.0000000"]
    );
    assert_eq!(
        values(&pacific)[0]["start"]["timeZone"],
        "Pacific Standard Time"
    );
}

#[tokio::test]
async fn calendar_view_of_another_calendar() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (_, side) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &token,
            json!({"name": "Side"}),
        )
        .await;
    let side_id = side["id"].as_str().unwrap();
    create_event(
        &sim,
        &token,
        &format!("/v1.0/me/calendars/{side_id}/events"),
        event_body("Side", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    create_event(
        &sim,
        &token,
        "/v1.0/me/events",
        event_body("Main", "2026-03-02T09:00:00", "2026-03-02T10:00:00"),
    )
    .await;
    let window = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-31T00:00:00Z";
    let (_, side_view) = sim
        .get_json(
            &format!("/v1.0/me/calendars/{side_id}/calendarView?{window}"),
            &token,
        )
        .await;
    assert_eq!(subjects(&side_view), ["Side"]);
    let (_, main_view) = sim
        .get_json(&format!("/v1.0/me/calendarView?{window}"), &token)
        .await;
    assert_eq!(subjects(&main_view), ["Main"]);
}
