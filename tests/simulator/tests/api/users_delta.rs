//! `GET /v1.0/users/delta`: initial synchronisation, then only what changed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{OTHER_TENANT, Sim, TENANT, status_and_json};

/// Follows next links from `url` until a delta link; every item seen and the delta link.
async fn sync(sim: &Sim, token: &str, url: String) -> (Vec<Value>, String) {
    let mut url = url;
    let mut items = Vec::new();
    loop {
        let response = sim
            .http
            .get(&url)
            .bearer_auth(token)
            .header("Prefer", "odata.maxpagesize=2")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["preference-applied"],
            "odata.maxpagesize=2"
        );
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = body["value"].as_array().unwrap();
        assert!(page.len() <= 2);
        items.extend(page.iter().cloned());
        if let Some(next) = body["@odata.nextLink"].as_str() {
            assert!(next.contains("$skiptoken="), "{next}");
            url = next.to_string();
            continue;
        }
        let delta = body["@odata.deltaLink"]
            .as_str()
            .expect("a delta link at the end of a round");
        let segment = delta
            .strip_prefix(&sim.url("/v1.0/users/"))
            .and_then(|rest| rest.split_once('?'))
            .map(|(segment, _)| segment);
        assert!(
            matches!(
                segment,
                Some(
                    "delta"
                        | "delta()"
                        | "microsoft.graph.delta()"
                        | "delta%28%29"
                        | "microsoft.graph.delta%28%29"
                )
            ) && delta.contains("$deltatoken="),
            "one of Graph's forms of the delta function: {delta}"
        );
        return (items, delta.to_string());
    }
}

#[tokio::test]
async fn delta_lists_everything_then_only_changes() {
    let sim = Sim::start().await;
    let mut ids = Vec::new();
    for (local, name) in [
        ("adele", "Adele Vance"),
        ("alex", "Alex Wilber"),
        ("megan", "Megan Bowen"),
    ] {
        ids.push(sim.add_user(TENANT, local, name).await);
    }
    let token = sim.app_token().await;
    let (initial, delta_link) = sync(
        &sim,
        &token,
        sim.url("/v1.0/users/delta?$select=displayName"),
    )
    .await;
    let names: Vec<&str> = initial
        .iter()
        .map(|user| user["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Adele Vance", "Alex Wilber", "Megan Bowen"]);
    assert_eq!(
        initial[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["displayName", "id"],
        "id always comes along"
    );

    let (unchanged, delta_link) = sync(&sim, &token, delta_link).await;
    assert!(unchanged.is_empty(), "{unchanged:?}");

    let created = sim.add_user(TENANT, "lee", "Lee Gu").await;
    let rename = json!({ "displayName": "Adele V." });
    let patched = sim
        .graph(Method::PATCH, &format!("/v1.0/users/{}", ids[0]), &token)
        .json(&rename)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::NO_CONTENT);
    let deleted = sim
        .graph(Method::DELETE, &format!("/v1.0/users/{}", ids[1]), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    sim.add_user(OTHER_TENANT, "other", "Other Tenant").await;

    let (changes, _) = sync(&sim, &token, delta_link).await;
    assert_eq!(
        changes,
        [
            json!({ "id": created, "displayName": "Lee Gu" }),
            json!({ "id": ids[0], "displayName": "Adele V." }),
            json!({ "id": ids[1], "@removed": { "reason": "changed" } }),
        ]
    );
}
