//! Every users operation beyond get/list as a real Lambda binary against moto and the simulator, in
//! every permission mode it allows, with Graph's errors passed through unchanged.

use e2e::demo_directory::{
    ADELE, ALEX, DEMO_APPLICATION_PERMISSIONS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID,
    MEGAN,
};
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::sign_in::sign_in;
use e2e::stack::{TEST_REDIRECT_URI, TestStack};
use serde_json::{Value, json};

/// Application user signed in as Adele with directory write access.
const ADMIN: &str = "adele-admin";
const WRITE_SCOPES: &[&str] = &["User.Read", "User.ReadWrite.All"];

/// A stack whose app also holds `User.ReadWrite.All` as an application permission, and whose
/// application user `adele-admin` signed in with write scopes.
async fn stack_with_writers() -> TestStack {
    let stack = TestStack::start().await;
    let mut permissions: Vec<&str> = DEMO_APPLICATION_PERMISSIONS.to_vec();
    permissions.push("User.ReadWrite.All");
    stack
        .simulator()
        .add_app(&json!({
            "clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET, "tenantId": DEMO_TENANT_ID,
            "redirectUris": [TEST_REDIRECT_URI], "applicationPermissions": permissions,
        }))
        .await
        .unwrap();
    sign_in(&stack, ADMIN, ADELE.id, WRITE_SCOPES).await;
    stack
}

fn new_user(nickname: &str) -> Value {
    json!({
        "accountEnabled": true,
        "displayName": format!("New {nickname}"),
        "mailNickname": nickname,
        "userPrincipalName": format!("{nickname}@contoso.onmicrosoft.com"),
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d"}
    })
}

fn graph_error_code(answer: &Value) -> &str {
    answer["body"]["error"]["code"].as_str().unwrap_or("")
}

async fn get_user(get: &FunctionProcess, id: &str) -> Value {
    call(get, json!({"userId": id})).await
}

#[tokio::test]
async fn create_update_delete_in_both_modes() {
    let stack = stack_with_writers().await;
    let env = stack.env();
    let (create, update, delete, get) = (
        spawn_function("users-create", &env).await,
        spawn_function("users-update", &env).await,
        spawn_function("users-delete", &env).await,
        spawn_function("users-get", &env).await,
    );
    for (nickname, auth) in [("appmade", None), ("delegatedmade", Some(ADMIN))] {
        let mut event = json!({"body": new_user(nickname)});
        if let Some(auth) = auth {
            event["authUserId"] = json!(auth);
        }
        let created = call(&create, event.clone()).await;
        assert_eq!(created["status"], 201, "{created}");
        let id = created["body"]["id"].as_str().unwrap().to_string();
        assert_eq!(created["body"]["displayName"], format!("New {nickname}"));

        let mut patch = json!({"userId": id, "body": {"jobTitle": "Buyer"}});
        if let Some(auth) = auth {
            patch["authUserId"] = json!(auth);
        }
        let updated = call(&update, patch.clone()).await;
        assert_eq!(updated["status"], 204, "{updated}");
        assert_eq!(updated["body"], Value::Null);
        assert_eq!(get_user(&get, &id).await["body"]["jobTitle"], "Buyer");

        let deleted = call(&delete, json!({"userId": id, "authUserId": auth})).await;
        assert_eq!(deleted["status"], 204, "{deleted}");
        let gone = get_user(&get, &id).await;
        assert_eq!(gone["status"], 404, "{gone}");
        assert_eq!(
            graph_error_code(&gone),
            "Request_ResourceNotFound",
            "Graph's error passes through: {gone}"
        );
    }
    // A duplicate userPrincipalName is Graph's 400, passed through.
    call(&create, json!({"body": new_user("twice")})).await;
    let again = call(&create, json!({"body": new_user("twice")})).await;
    assert_eq!(again["status"], 400, "{again}");
    assert!(again["body"]["error"]["code"].is_string(), "{again}");
}

#[tokio::test]
async fn bodies_are_validated_before_anything_is_sent() {
    let stack = stack_with_writers().await;
    let create = spawn_function("users-create", &stack.env()).await;
    let update = spawn_function("users-update", &stack.env()).await;
    stack.simulator().clear_requests().await.unwrap();
    let mut unknown = new_user("bad");
    unknown["favouriteColour"] = json!("teal");
    let mut wrong_type = new_user("bad");
    wrong_type["accountEnabled"] = json!("yes");
    for (function, event, field) in [
        (&create, json!({"body": unknown}), "favouriteColour"),
        (&create, json!({"body": wrong_type}), "accountEnabled"),
        (&create, json!({}), "body"),
        (
            &update,
            json!({"userId": ALEX.id, "body": {"passwordProfile": {"password": 5}}}),
            "passwordProfile.password",
        ),
    ] {
        let answer = call(function, event.clone()).await;
        assert_eq!(answer["status"], 400, "{event} → {answer}");
        let message = answer["body"]["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message} should name {field}");
    }
    assert_eq!(stack.simulator().requests().await.unwrap(), vec![]);
}

#[tokio::test]
async fn writes_without_permission_pass_graphs_denial_through() {
    let stack = TestStack::start().await;
    sign_in(
        &stack,
        "reader",
        ALEX.id,
        &["User.Read", "User.ReadWrite.All"],
    )
    .await;
    let create = spawn_function("users-create", &stack.env()).await;
    // The demo app has no User.ReadWrite.All application permission: Graph says no.
    let denied = call(&create, json!({"body": new_user("nope")})).await;
    assert_eq!(denied["status"], 403, "{denied}");
    assert_eq!(graph_error_code(&denied), "Authorization_RequestDenied");
    // A delegated user lacking every needed scope is stopped before Graph.
    sign_in(&stack, "plain", MEGAN.id, &["User.Read"]).await;
    let scope = call(
        &create,
        json!({"authUserId": "plain", "body": new_user("nope")}),
    )
    .await;
    assert_eq!(scope["body"]["error"]["code"], "ScopeInvalid", "{scope}");
}

#[tokio::test]
async fn manager_direct_reports_and_member_of() {
    let stack = TestStack::start().await;
    stack
        .simulator()
        .add_group(
            &json!({"tenantId": DEMO_TENANT_ID, "displayName": "Retail", "memberIds": [ADELE.id]}),
        )
        .await
        .unwrap();
    // Microsoft's permission data lists no `User.Read` for `GET /users/{id}/manager`: reading even
    // one's own manager takes `User.Read.All` (see vendor/graph-permissions).
    sign_in(&stack, "adele", ADELE.id, &["User.Read", "User.Read.All"]).await;
    sign_in(&stack, "megan", MEGAN.id, &["User.Read.All"]).await;
    let env = stack.env();
    let manager = spawn_function("users-manager", &env).await;
    let reports = spawn_function("users-direct-reports", &env).await;
    let member_of = spawn_function("users-member-of", &env).await;

    for event in [
        json!({"userId": ADELE.id}),
        json!({"userId": "me", "authUserId": "adele"}),
    ] {
        let answer = call(&manager, event).await;
        assert_eq!(answer["status"], 200, "{answer}");
        assert_eq!(answer["body"]["id"], MEGAN.id);
    }
    let none = call(&manager, json!({"userId": MEGAN.id})).await;
    assert_eq!(none["status"], 404, "{none}");
    assert_eq!(graph_error_code(&none), "Request_ResourceNotFound");

    for event in [
        json!({"userId": MEGAN.user_principal_name, "query": {"$top": 1, "all": true}}),
        json!({"userId": "me", "authUserId": "megan"}),
    ] {
        let answer = call(&reports, event).await;
        assert_eq!(answer["status"], 200, "{answer}");
        let mut ids: Vec<&str> = answer["body"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        ids.sort();
        let mut expected = vec![ADELE.id, ALEX.id];
        expected.sort();
        assert_eq!(ids, expected);
    }

    let groups = call(&member_of, json!({"userId": ADELE.id})).await;
    assert_eq!(groups["status"], 200, "{groups}");
    assert_eq!(groups["body"]["value"][0]["displayName"], "Retail");
    let by_gateway = call(
        &member_of,
        api_gateway_event(
            "GET",
            "/users/{userId}/memberOf",
            "/users/me/memberOf",
            json!({"userId": "me"}),
            json!({"authUserId": "adele"}),
            None,
        ),
    )
    .await;
    assert_eq!(by_gateway["statusCode"], 200, "{by_gateway}");
}

#[tokio::test]
async fn photos_come_back_binary_with_their_content_type() {
    let stack = TestStack::start().await;
    let jpeg = [
        0xff_u8, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F',
    ];
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let user = stack
        .simulator()
        .add_user(&json!({
            "tenantId": DEMO_TENANT_ID, "userPrincipalName": "PattiF@contoso.onmicrosoft.com", "displayName": "Patti Fernandez",
            "photo": {"contentType": "image/jpeg", "base64": encoded}
        }))
        .await
        .unwrap();
    sign_in(
        &stack,
        "patti",
        user["id"].as_str().unwrap(),
        &["User.Read"],
    )
    .await;
    let photo = spawn_function("users-photo", &stack.env()).await;

    for event in [
        json!({"userId": "PattiF@contoso.onmicrosoft.com"}),
        json!({"userId": "me", "authUserId": "patti"}),
    ] {
        let answer = call(&photo, event).await;
        assert_eq!(answer["status"], 200, "{answer}");
        assert_eq!(answer["contentType"], "image/jpeg");
        assert_eq!(answer["isBase64Encoded"], true);
        assert_eq!(answer["body"], encoded);
    }
    let gateway = call(
        &photo,
        api_gateway_event(
            "GET",
            "/users/{userId}/photo",
            "/users/me/photo",
            json!({"userId": "me"}),
            json!({"authUserId": "patti"}),
            None,
        ),
    )
    .await;
    assert_eq!(gateway["isBase64Encoded"], true, "{gateway}");
    assert_eq!(gateway["headers"]["content-type"], "image/jpeg");
    assert_eq!(gateway["body"], encoded);

    let none = call(&photo, json!({"userId": ADELE.id})).await;
    assert_eq!(none["status"], 404, "{none}");
    assert_eq!(graph_error_code(&none), "ImageNotFound");
}

#[tokio::test]
async fn delta_round_trips_its_links_and_refuses_foreign_ones() {
    let stack = stack_with_writers().await;
    let env = stack.env();
    let delta = spawn_function("users-delta", &env).await;
    let create = spawn_function("users-create", &env).await;

    let first = call(
        &delta,
        json!({"query": {"$select": "id,displayName", "all": true}}),
    )
    .await;
    assert_eq!(first["status"], 200, "{first}");
    assert!(first["body"]["value"].as_array().unwrap().len() >= 3);
    let delta_link = first["body"]["@odata.deltaLink"]
        .as_str()
        .expect("a deltaLink after the last page")
        .to_string();

    let created = call(&create, json!({"body": new_user("latecomer")})).await;
    let new_id = created["body"]["id"].as_str().unwrap();
    for auth in [None, Some(ADMIN)] {
        let changes = call(
            &delta,
            json!({"authUserId": auth, "query": {"deltaLink": delta_link}}),
        )
        .await;
        assert_eq!(changes["status"], 200, "{changes}");
        let ids: Vec<&str> = changes["body"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![new_id], "only the change since the deltaLink");
    }

    stack.simulator().clear_requests().await.unwrap();
    let foreign = delta_link.replace("127.0.0.1", "evil.example");
    for link in [
        foreign.as_str(),
        "https://graph.microsoft.com.evil.example/v1.0/users/delta?$deltatoken=x",
        "not a url",
    ] {
        let refused = call(&delta, json!({"query": {"deltaLink": link}})).await;
        assert_eq!(refused["status"], 400, "{link} → {refused}");
        assert_eq!(refused["body"]["error"]["code"], "InvalidRequest");
    }
    let other_path = delta_link.replace("/users/", "/groups/");
    assert_eq!(
        call(&delta, json!({"query": {"deltaLink": other_path}})).await["status"],
        400
    );
    let graph_requests: Vec<_> = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1.0"))
        .collect();
    assert_eq!(graph_requests, vec![], "refused links are never followed");
}

#[tokio::test]
async fn delta_links_in_each_of_graphs_forms_are_followed() {
    let stack = stack_with_writers().await;
    stack
        .simulator()
        .update_settings(&json!({"defaultPageSize": 1}))
        .await
        .unwrap();
    let delta = spawn_function("users-delta", &stack.env()).await;
    // One user per page: Graph (here the simulator) writes the function segment of each link in
    // another of its equivalent forms (delta, delta(), microsoft.graph.delta(), percent-encoded).
    let mut answer = call(&delta, json!({"query": {"$select": "id"}})).await;
    let mut forms = std::collections::BTreeSet::new();
    loop {
        assert_eq!(answer["status"], 200, "{answer}");
        let (key, link) = match (
            answer["body"]["@odata.nextLink"].as_str(),
            answer["body"]["@odata.deltaLink"].as_str(),
        ) {
            (Some(next), _) => ("nextLink", next.to_string()),
            (None, Some(delta_link)) => ("deltaLink", delta_link.to_string()),
            _ => panic!("no link: {answer}"),
        };
        let path = link.split('?').next().unwrap();
        forms.insert(path.rsplit('/').next().unwrap().to_string());
        answer = call(&delta, json!({"query": {key: link}})).await;
        if key == "deltaLink" {
            assert_eq!(answer["status"], 200, "{answer}");
            break;
        }
    }
    assert!(
        forms.len() >= 3,
        "links in several of Graph's forms were followed: {forms:?}"
    );
}
