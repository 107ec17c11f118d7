//! Calendars: the default calendar, create, get, update, delete, paging.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::calendar_support::{
    OWN_CALENDAR, address, create_event, meeting_body, user_with_token, values,
};
use crate::harness::{Sim, assert_graph_error};

#[tokio::test]
async fn every_user_has_a_default_calendar_that_cannot_be_deleted() {
    let sim = Sim::start().await;
    let (adele, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (status, list) = sim.get_json("/v1.0/me/calendars", &token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(values(&list).len(), 1);
    let calendar = &values(&list)[0];
    assert_eq!(calendar["name"], "Calendar");
    assert_eq!(calendar["isDefaultCalendar"], true);
    assert_eq!(calendar["isRemovable"], false);
    assert_eq!(calendar["canEdit"], true);
    assert_eq!(
        calendar["owner"],
        json!({"name": "adele", "address": address("adele")})
    );
    assert_eq!(
        list["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users('{adele}')/calendars",
            sim.base_url()
        )
    );
    let (status, default) = sim
        .get_json(&format!("/v1.0/users/{adele}/calendar"), &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{default}");
    assert_eq!(default["id"], calendar["id"]);
    let response = sim
        .graph(
            Method::DELETE,
            &format!("/v1.0/me/calendars/{}", calendar["id"].as_str().unwrap()),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(
        response,
        StatusCode::BAD_REQUEST,
        "ErrorDeleteDistinguishedFolder",
    )
    .await;
}

#[tokio::test]
async fn create_get_update_and_delete_a_calendar() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (status, created) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &token,
            json!({"name": "Projects", "color": "lightBlue"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "Projects");
    assert_eq!(created["color"], "lightBlue");
    assert_eq!(created["isDefaultCalendar"], false);
    let path = format!("/v1.0/me/calendars/{}", created["id"].as_str().unwrap());
    let (status, fetched) = sim.get_json(&format!("{path}?$select=name"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["name"], "Projects");
    assert!(fetched.get("color").is_none(), "{fetched}");

    let (status, updated) = sim
        .send_json(
            Method::PATCH,
            &path,
            &token,
            json!({"name": "Renamed", "color": "lightRed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Renamed");
    assert_ne!(updated["changeKey"], created["changeKey"]);

    let (status, duplicate) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &token,
            json!({"name": "renamed"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{duplicate}");
    assert_eq!(duplicate["error"]["code"], "ErrorFolderExists");

    let response = sim
        .graph(Method::DELETE, &path, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = sim.graph(Method::GET, &path, &token).send().await.unwrap();
    assert_graph_error(response, StatusCode::NOT_FOUND, "ErrorItemNotFound").await;
}

#[tokio::test]
async fn refuses_bad_bodies_and_ids() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    for (body, code) in [
        (json!({"name": "A", "shape": "round"}), "RequestBodyRead"),
        (json!({"name": "A", "color": "purple"}), "RequestBodyRead"),
        (json!({"name": 5}), "RequestBodyRead"),
        (json!({"color": "auto"}), "ErrorInvalidParameter"),
    ] {
        let (status, answer) = sim
            .send_json(Method::POST, "/v1.0/me/calendars", &token, body.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    let (status, answer) = sim.get_json("/v1.0/me/calendars/not*an*id", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "ErrorInvalidIdMalformed");
    let (status, answer) = sim
        .get_json("/v1.0/me/calendars?$select=shape", &token)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "RequestBroker--ParseUri");
}

#[tokio::test]
async fn calendars_page_with_next_links_and_filter() {
    let sim = Sim::start().await;
    let (_, token) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    for name in ["B", "C", "D"] {
        sim.send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &token,
            json!({"name": name}),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut next = Some(format!(
        "{}/v1.0/me/calendars?$top=2&$orderby=name",
        sim.base_url()
    ));
    let mut pages = 0;
    while let Some(url) = next {
        let body: serde_json::Value = sim
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        names.extend(
            values(&body)
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string()),
        );
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 2);
    assert_eq!(names, ["B", "C", "Calendar", "D"]);
    let (_, filtered) = sim
        .get_json(
            "/v1.0/me/calendars?$filter=isDefaultCalendar eq false and name ne 'C'",
            &token,
        )
        .await;
    let filtered: Vec<&str> = values(&filtered)
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(filtered, ["B", "D"]);
}

#[tokio::test]
async fn deleting_a_calendar_cancels_the_meetings_it_organizes() {
    let sim = Sim::start().await;
    let (_, adele) = user_with_token(&sim, "adele", OWN_CALENDAR).await;
    let (_, megan) = user_with_token(&sim, "megan", OWN_CALENDAR).await;
    let (_, side) = sim
        .send_json(
            Method::POST,
            "/v1.0/me/calendars",
            &adele,
            json!({"name": "Side"}),
        )
        .await;
    let path = format!("/v1.0/me/calendars/{}", side["id"].as_str().unwrap());
    create_event(
        &sim,
        &adele,
        &format!("{path}/events"),
        meeting_body(
            "Side meeting",
            "2026-03-02T09:00:00",
            "2026-03-02T10:00:00",
            &["megan"],
        ),
    )
    .await;
    let response = sim
        .graph(Method::DELETE, &path, &adele)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, copies) = sim.get_json("/v1.0/me/events", &megan).await;
    assert_eq!(values(&copies)[0]["isCancelled"], true, "{copies}");
}
