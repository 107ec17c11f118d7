//! Every answer fits Lambda's 6 MB synchronous response limit: `all=true` over a 5,000-user tenant
//! stops paging before the limit and hands back the `@odata.nextLink` to go on from, and following
//! those links returns every user exactly once; a photo too large to return is `ResponseTooLarge`.

use std::collections::BTreeSet;

use base64::Engine;
use e2e::demo_directory::{ADELE, DEMO_TENANT_ID};
use e2e::function_process::{call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::stack::TestStack;
use futures::future::join_all;
use serde_json::{Value, json};
use shared::operations::response_limits::{LAMBDA_RESPONSE_LIMIT, MAX_MEDIA_BYTES};

/// Users seeded into the demo tenant.
const USERS: usize = 5_000;

/// Each seeded user's job title: long enough that all users together pass the limit.
fn job_title(index: usize) -> String {
    format!("Engineer {index} \"{}\"", "x".repeat(1_400))
}

async fn seed_users(stack: &TestStack) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(100) {
        let users: Vec<Value> = chunk
            .iter()
            .map(|index| {
                json!({
                    "tenantId": DEMO_TENANT_ID,
                    "userPrincipalName": format!("bulk{index}@contoso.onmicrosoft.com"),
                    "displayName": format!("Bulk User {index}"),
                    "jobTitle": job_title(*index),
                })
            })
            .collect();
        let created = join_all(users.iter().map(|user| stack.simulator().add_user(user))).await;
        for user in created {
            let user = user.expect("the simulator adds the user");
            ids.insert(user["id"].as_str().unwrap().to_string());
        }
    }
    ids
}

#[tokio::test]
async fn all_pages_stop_before_the_limit_and_the_next_link_goes_on() {
    let stack = TestStack::start().await;
    let seeded = seed_users(&stack).await;
    let list = spawn_function("users-list", &stack.env()).await;

    let mut seen = Vec::new();
    let mut answers = 0;
    let mut query = json!({"$top": "999", "all": "true"});
    loop {
        let answer = call(&list, json!({ "query": query })).await;
        assert_eq!(answer["status"], 200, "{}", &answer.to_string()[..300]);
        let size = answer.to_string().len();
        assert!(
            size <= LAMBDA_RESPONSE_LIMIT,
            "direct answer of {size} bytes"
        );
        answers += 1;
        let body = &answer["body"];
        seen.extend(
            body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|user| user["id"].as_str().unwrap().to_string()),
        );
        match body["@odata.nextLink"].as_str() {
            Some(link) => query = json!({"nextLink": link, "all": "true"}),
            None => break,
        }
        assert!(answers < 10, "paging ends");
    }
    assert!(answers >= 2, "5,000 long users do not fit one answer");
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no user twice");
    assert!(seeded.is_subset(&unique), "every user once");

    // Through API Gateway the JSON travels as an escaped string: that form fits too.
    let gateway = call(
        &list,
        api_gateway_event(
            "GET",
            "/users",
            "/users",
            json!({}),
            json!({"$top": "999", "all": "true"}),
            None,
        ),
    )
    .await;
    assert_eq!(gateway["statusCode"], 200);
    let size = gateway.to_string().len();
    assert!(
        size <= LAMBDA_RESPONSE_LIMIT,
        "API Gateway answer of {size} bytes"
    );
    let body: Value = serde_json::from_str(gateway["body"].as_str().unwrap()).unwrap();
    assert!(body["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn a_photo_too_large_for_a_lambda_response_is_refused_unread() {
    let stack = TestStack::start().await;
    let photo = vec![0xd8_u8; MAX_MEDIA_BYTES + 1];
    let user = stack
        .simulator()
        .add_user(&json!({
            "tenantId": DEMO_TENANT_ID,
            "userPrincipalName": "bigphoto@contoso.onmicrosoft.com",
            "displayName": "Big Photo",
            "photo": {
                "contentType": "image/jpeg",
                "base64": base64::engine::general_purpose::STANDARD.encode(&photo),
            },
        }))
        .await
        .unwrap();
    let get_photo = spawn_function("users-photo", &stack.env()).await;
    let answer = call(&get_photo, json!({"userId": user["id"]})).await;
    assert_eq!(answer["status"], 502, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "ResponseTooLarge");
    let fits = call(&get_photo, json!({"userId": ADELE.id})).await;
    assert_ne!(fits["body"]["error"]["code"], "ResponseTooLarge", "{fits}");
}
