//! OData on `/v1.0/users`: paging, `$select`, `$filter`, `$orderby`, `$count`, `$search`
//! and the `ConsistencyLevel: eventual` rules.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Sim, TENANT, TENANT_DOMAIN, assert_graph_error, status_and_json};

const PEOPLE: [(&str, &str, &str, bool); 5] = [
    ("adele", "Adele Vance", "Retail Manager", true),
    ("alex", "Alex Wilber", "Marketing Assistant", true),
    ("megan", "Megan Bowen", "Marketing Manager", false),
    ("lee", "Lee Gu", "Director", true),
    ("nestor", "Nestor Wilke", "Director", true),
];

async fn populated() -> (Sim, String) {
    let sim = Sim::start().await;
    for (local, name, title, enabled) in PEOPLE {
        sim.control(
            "/_control/users",
            json!({
                "tenantId": TENANT,
                "userPrincipalName": format!("{local}@{TENANT_DOMAIN}"),
                "displayName": name,
                "jobTitle": title,
                "mail": format!("{local}@{TENANT_DOMAIN}"),
                "accountEnabled": enabled,
            }),
        )
        .await;
    }
    let token = sim.app_token().await;
    (sim, token)
}

fn names(body: &Value) -> Vec<&str> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["displayName"].as_str().unwrap())
        .collect()
}

async fn advanced(sim: &Sim, token: &str, path: &str) -> (StatusCode, Value) {
    status_and_json(
        sim.graph(Method::GET, path, token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn top_pages_through_every_user_with_next_links_on_the_simulator() {
    let (sim, token) = populated().await;
    let mut url = sim.url("/v1.0/users?$top=2&$select=displayName");
    let mut pages = Vec::new();
    loop {
        let (status, body) =
            status_and_json(sim.http.get(&url).bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages.push(
            names(&body)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&sim.url("/v1.0/users?")), "{next}");
                assert!(
                    next.contains("$skiptoken=") && next.contains("$top=2"),
                    "{next}"
                );
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["Adele Vance", "Alex Wilber"],
            vec!["Megan Bowen", "Lee Gu"],
            vec!["Nestor Wilke"]
        ]
    );
}

#[tokio::test]
async fn default_page_size_applies_without_top() {
    let (sim, token) = populated().await;
    sim.control("/_control/settings", json!({ "defaultPageSize": 3 }))
        .await;
    let (_, body) = sim.get_json("/v1.0/users", &token).await;
    assert_eq!(names(&body).len(), 3);
    assert!(body["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn filter_with_eq_startswith_and_and() {
    let (sim, token) = populated().await;
    let cases = [
        (
            "$filter=jobTitle eq 'director'",
            vec!["Lee Gu", "Nestor Wilke"],
        ),
        (
            "$filter=startswith(displayName,'a')",
            vec!["Adele Vance", "Alex Wilber"],
        ),
        (
            "$filter=startswith(jobTitle,'Marketing') and accountEnabled eq false",
            vec!["Megan Bowen"],
        ),
        (
            &format!("$filter=userPrincipalName eq 'lee@{TENANT_DOMAIN}'"),
            vec!["Lee Gu"],
        ),
    ];
    for (query, expected) in cases {
        let (status, body) = sim
            .get_json(
                &format!("/v1.0/users?{}", query.replace(' ', "%20")),
                &token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(names(&body), expected, "{query}");
    }
    let unsupported = sim
        .graph(
            Method::GET,
            "/v1.0/users?$filter=officeLocation%20eq%20'x'",
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(
        unsupported,
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
    )
    .await;
    let broken = sim
        .graph(Method::GET, "/v1.0/users?$filter=displayName%20eq", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(broken, StatusCode::BAD_REQUEST, "BadRequest").await;
}

#[tokio::test]
async fn orderby_sorts_and_needs_advanced_queries_with_a_filter() {
    let (sim, token) = populated().await;
    let (_, body) = sim
        .get_json("/v1.0/users?$orderby=displayName%20desc", &token)
        .await;
    assert_eq!(
        names(&body),
        [
            "Nestor Wilke",
            "Megan Bowen",
            "Lee Gu",
            "Alex Wilber",
            "Adele Vance"
        ]
    );
    let filtered = "/v1.0/users?$filter=jobTitle%20eq%20'Director'&$orderby=displayName%20desc";
    let plain = sim
        .graph(Method::GET, filtered, &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(plain, StatusCode::BAD_REQUEST, "Request_UnsupportedQuery").await;
    let (status, body) = advanced(&sim, &token, &format!("{filtered}&$count=true")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["Nestor Wilke", "Lee Gu"]);
    let unsupported = sim
        .graph(Method::GET, "/v1.0/users?$orderby=jobTitle", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(
        unsupported,
        StatusCode::BAD_REQUEST,
        "Request_UnsupportedQuery",
    )
    .await;
}

#[tokio::test]
async fn count_and_search_require_consistency_level_eventual() {
    let (sim, token) = populated().await;
    for query in ["$count=true", "$search=%22displayName:wil%22"] {
        let response = sim
            .graph(Method::GET, &format!("/v1.0/users?{query}"), &token)
            .send()
            .await
            .unwrap();
        assert_graph_error(
            response,
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
        )
        .await;
    }
    let (status, body) = advanced(&sim, &token, "/v1.0/users?$count=true&$top=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["@odata.count"], 5);
    assert_eq!(names(&body).len(), 2);
    let (status, body) = advanced(
        &sim,
        &token,
        "/v1.0/users?$search=%22displayName:wil%22&$count=true",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["Alex Wilber", "Nestor Wilke"]);
    assert_eq!(body["@odata.count"], 2);
}

#[tokio::test]
async fn skip_bad_top_and_foreign_skip_tokens_are_refused() {
    let (sim, token) = populated().await;
    let skip = sim
        .graph(Method::GET, "/v1.0/users?$skip=2", &token)
        .send()
        .await
        .unwrap();
    let body = assert_graph_error(skip, StatusCode::BAD_REQUEST, "Request_BadRequest").await;
    assert_eq!(
        body["error"]["message"],
        "'$skip' is not supported by the service."
    );
    for top in ["0", "1000", "ten"] {
        let response = sim
            .graph(Method::GET, &format!("/v1.0/users?$top={top}"), &token)
            .send()
            .await
            .unwrap();
        assert_graph_error(response, StatusCode::BAD_REQUEST, "Request_BadRequest").await;
    }
    let token_response = sim
        .graph(Method::GET, "/v1.0/users?$skiptoken=bm9wZQ", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(
        token_response,
        StatusCode::BAD_REQUEST,
        "Directory_ExpiredPageToken",
    )
    .await;
}

#[tokio::test]
async fn collection_select_shapes_every_item_and_the_context() {
    let (sim, token) = populated().await;
    let (_, body) = sim
        .get_json("/v1.0/users?$select=id,mail&$top=1", &token)
        .await;
    assert_eq!(
        body["@odata.context"],
        format!("{}/v1.0/$metadata#users(id,mail)", sim.base_url())
    );
    let item = body["value"][0].as_object().unwrap();
    assert_eq!(item.keys().collect::<Vec<_>>(), ["id", "mail"]);
}
