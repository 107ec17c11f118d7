//! Users: get, create, update, delete, manager, directReports, memberOf and photo.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{
    Sim, TENANT, TENANT_DOMAIN, assert_aadsts, assert_graph_error, status_and_json,
};

const DEFAULT_PROPERTIES: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|key| !key.starts_with('@'))
        .collect()
}

fn new_user(local: &str) -> Value {
    json!({
        "accountEnabled": true,
        "displayName": "Nestor Wilke",
        "mailNickname": local,
        "userPrincipalName": format!("{local}@{TENANT_DOMAIN}"),
        "passwordProfile": { "forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d" },
    })
}

#[tokio::test]
async fn get_by_id_user_principal_name_or_me_returns_the_default_properties() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.user_token(&adele, &["User.Read"]).await;
    for path in [
        format!("/v1.0/users/{adele}"),
        format!("/v1.0/users/ADELE@{TENANT_DOMAIN}"),
        "/v1.0/me".to_string(),
    ] {
        let (status, body) = sim.get_json(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(keys(&body), DEFAULT_PROPERTIES, "{path}");
        assert_eq!(body["id"], adele);
        assert_eq!(body["displayName"], "Adele Vance");
        assert_eq!(
            body["@odata.context"],
            format!("{}/v1.0/$metadata#users/$entity", sim.base_url())
        );
    }
}

#[tokio::test]
async fn select_returns_exactly_the_chosen_properties() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.app_token().await;
    let (status, body) = sim
        .get_json(
            &format!("/v1.0/users/{adele}?$select=displayName,accountEnabled,mailNickname"),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&body),
        ["accountEnabled", "displayName", "mailNickname"]
    );
    assert_eq!(body["accountEnabled"], true);
    assert_eq!(body["mailNickname"], "adele");
    let unknown = sim
        .graph(
            Method::GET,
            &format!("/v1.0/users/{adele}?$select=shoeSize"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(unknown, StatusCode::BAD_REQUEST, "BadRequest").await;
}

#[tokio::test]
async fn create_then_read_back() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    let response = sim
        .graph(Method::POST, "/v1.0/users", &token)
        .json(&new_user("nestor"))
        .send()
        .await
        .unwrap();
    let (status, created) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(keys(&created), DEFAULT_PROPERTIES);
    let id = created["id"].as_str().unwrap();
    let (_, read) = sim
        .get_json(
            &format!("/v1.0/users/{id}?$select=accountEnabled,passwordProfile"),
            &token,
        )
        .await;
    assert_eq!(read["accountEnabled"], true);
    assert_eq!(
        read["passwordProfile"],
        Value::Null,
        "passwords are never returned"
    );
}

#[tokio::test]
async fn create_refuses_bad_bodies() {
    let sim = Sim::start().await;
    let token = sim.app_token().await;
    sim.graph(Method::POST, "/v1.0/users", &token)
        .json(&new_user("nestor"))
        .send()
        .await
        .unwrap();
    let mut missing_password = new_user("a");
    missing_password["passwordProfile"] = json!({});
    let mut wrong_domain = new_user("b");
    wrong_domain["userPrincipalName"] = json!("b@elsewhere.com");
    let mut unknown = new_user("c");
    unknown["shoeSize"] = json!(44);
    let mut read_only = new_user("d");
    read_only["createdDateTime"] = json!("2020-01-01T00:00:00Z");
    let mut wrong_type = new_user("e");
    wrong_type["accountEnabled"] = json!("yes");
    let mut missing_nickname = new_user("f");
    missing_nickname
        .as_object_mut()
        .unwrap()
        .remove("mailNickname");
    let cases = [
        (
            new_user("nestor"),
            "Request_BadRequest",
            "Another object with the same value for property userPrincipalName already exists.",
        ),
        (
            missing_password,
            "Request_BadRequest",
            "Invalid value specified for property 'passwordProfile' of resource 'User'.",
        ),
        (
            missing_nickname,
            "Request_BadRequest",
            "Invalid value specified for property 'mailNickname' of resource 'User'.",
        ),
        (
            wrong_domain,
            "Request_BadRequest",
            "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
        ),
        (
            unknown,
            "BadRequest",
            "Property 'shoeSize' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.",
        ),
        (
            read_only,
            "Request_BadRequest",
            "Property 'createdDateTime' is read-only and cannot be set.",
        ),
        (
            wrong_type,
            "Request_BadRequest",
            "Invalid value specified for property 'accountEnabled' of resource 'User'.",
        ),
    ];
    for (body, code, message) in cases {
        let response = sim
            .graph(Method::POST, "/v1.0/users", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = assert_graph_error(response, StatusCode::BAD_REQUEST, code).await;
        assert_eq!(error["error"]["message"], message);
    }
    let not_json = sim
        .graph(Method::POST, "/v1.0/users", &token)
        .body("{")
        .send()
        .await
        .unwrap();
    assert_graph_error(not_json, StatusCode::BAD_REQUEST, "BadRequest").await;
}

#[tokio::test]
async fn update_changes_properties_and_null_clears_them() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.app_token().await;
    let patch = json!({ "jobTitle": "Retail Manager", "mail": null, "businessPhones": ["+1 425 555 0109"] });
    let response = sim
        .graph(Method::PATCH, &format!("/v1.0/users/{adele}"), &token)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, user) = sim.get_json(&format!("/v1.0/users/{adele}"), &token).await;
    assert_eq!(user["jobTitle"], "Retail Manager");
    assert_eq!(user["mail"], Value::Null);
    assert_eq!(user["businessPhones"], json!(["+1 425 555 0109"]));
}

#[tokio::test]
async fn update_refuses_taken_user_principal_names_and_read_only_properties() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    sim.add_user(TENANT, "megan", "Megan Bowen").await;
    let token = sim.app_token().await;
    let path = format!("/v1.0/users/{adele}");
    let taken = json!({ "userPrincipalName": format!("megan@{TENANT_DOMAIN}") });
    let response = sim
        .graph(Method::PATCH, &path, &token)
        .json(&taken)
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::BAD_REQUEST, "Request_BadRequest").await;
    let response = sim
        .graph(Method::PATCH, &path, &token)
        .json(&json!({ "id": "x" }))
        .send()
        .await
        .unwrap();
    assert_graph_error(response, StatusCode::BAD_REQUEST, "Request_BadRequest").await;
}

#[tokio::test]
async fn a_users_own_password_change_keeps_their_refresh_tokens() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let refresh_token = sim.refresh_token(&adele, &["User.ReadWrite"]).await;
    let redeemed: Value = sim
        .redeem_refresh_token(&refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let own_token = redeemed["access_token"].as_str().unwrap().to_string();
    let response = sim
        .graph(Method::PATCH, "/v1.0/me", &own_token)
        .json(&json!({ "passwordProfile": { "password": "n3w-Pa55word!" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sim.redeem_refresh_token(&refresh_token).await.status(),
        StatusCode::OK,
        "a confidential client's refresh token stays alive"
    );
}

#[tokio::test]
async fn an_administrators_password_reset_revokes_refresh_tokens() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let refresh_token = sim.refresh_token(&adele, &["User.Read"]).await;
    let token = sim.app_token().await;
    let patch = json!({ "passwordProfile": { "password": "n3w-Pa55word!" } });
    let response = sim
        .graph(Method::PATCH, &format!("/v1.0/users/{adele}"), &token)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_aadsts(
        sim.redeem_refresh_token(&refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        50173,
    )
    .await;
}

#[tokio::test]
async fn a_disabled_users_refresh_tokens_fail_until_enabled_again() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let refresh_token = sim.refresh_token(&adele, &["User.Read"]).await;
    let token = sim.app_token().await;
    let set_enabled = |enabled: bool| {
        sim.graph(Method::PATCH, &format!("/v1.0/users/{adele}"), &token)
            .json(&json!({ "accountEnabled": enabled }))
            .send()
    };
    assert_eq!(
        set_enabled(false).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_aadsts(
        sim.redeem_refresh_token(&refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        50057,
    )
    .await;
    assert_eq!(
        set_enabled(true).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.redeem_refresh_token(&refresh_token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn own_profile_updates_need_user_read_write() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let megan = sim.add_user(TENANT, "megan", "Megan Bowen").await;
    let token = sim.user_token(&adele, &["User.ReadWrite"]).await;
    let patch = json!({ "officeLocation": "18/2111" });
    let own = sim
        .graph(Method::PATCH, "/v1.0/me", &token)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    let other = sim
        .graph(Method::PATCH, &format!("/v1.0/users/{megan}"), &token)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_graph_error(other, StatusCode::FORBIDDEN, "Authorization_RequestDenied").await;
    let delete_self = sim
        .graph(Method::DELETE, "/v1.0/me", &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(
        delete_self,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
    )
    .await;
}

#[tokio::test]
async fn delete_removes_the_user() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.app_token().await;
    let path = format!("/v1.0/users/{adele}");
    assert_eq!(
        sim.graph(Method::DELETE, &path, &token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_graph_error(
        sim.graph(Method::GET, &path, &token).send().await.unwrap(),
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
    )
    .await;
    assert_graph_error(
        sim.graph(Method::DELETE, &path, &token)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
    )
    .await;
}

#[tokio::test]
async fn manager_and_direct_reports() {
    let sim = Sim::start().await;
    let boss = sim.add_user(TENANT, "boss", "Patti Fernandez").await;
    let report = sim
        .control(
            "/_control/users",
            json!({ "tenantId": TENANT, "userPrincipalName": format!("lee@{TENANT_DOMAIN}"), "displayName": "Lee Gu", "managerId": format!("boss@{TENANT_DOMAIN}") }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = sim.app_token().await;
    let (status, manager) = sim
        .get_json(
            &format!("/v1.0/users/{report}/manager?$select=id,displayName"),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{manager}");
    assert_eq!(manager["@odata.type"], "#microsoft.graph.user");
    assert_eq!(manager["id"], boss);
    assert_eq!(keys(&manager), ["displayName", "id"]);
    let none = sim
        .graph(Method::GET, &format!("/v1.0/users/{boss}/manager"), &token)
        .send()
        .await
        .unwrap();
    assert_graph_error(none, StatusCode::NOT_FOUND, "Request_ResourceNotFound").await;
    let (_, reports) = sim
        .get_json(&format!("/v1.0/users/{boss}/directReports"), &token)
        .await;
    assert_eq!(reports["value"].as_array().unwrap().len(), 1);
    assert_eq!(reports["value"][0]["id"], report);
    assert_eq!(reports["value"][0]["@odata.type"], "#microsoft.graph.user");
    let lee = sim.user_token(&report, &["User.Read"]).await;
    assert_eq!(sim.get_json("/v1.0/me/manager", &lee).await.1["id"], boss);
}

#[tokio::test]
async fn member_of_lists_the_users_groups() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let megan = sim.add_user(TENANT, "megan", "Megan Bowen").await;
    let group = sim
        .control(
            "/_control/groups",
            json!({ "tenantId": TENANT, "displayName": "Sales", "memberIds": [adele] }),
        )
        .await;
    sim.control(
        "/_control/groups",
        json!({ "tenantId": TENANT, "displayName": "Retail", "memberIds": [megan] }),
    )
    .await;
    let token = sim.app_token().await;
    let (status, body) = sim
        .get_json(&format!("/v1.0/users/{adele}/memberOf"), &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let groups = body["value"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["@odata.type"], "#microsoft.graph.group");
    assert_eq!(groups[0]["id"], group["id"]);
    assert_eq!(groups[0]["displayName"], "Sales");
    assert_eq!(
        body["@odata.context"],
        format!("{}/v1.0/$metadata#directoryObjects", sim.base_url())
    );
}

#[tokio::test]
async fn photo_metadata_and_bytes() {
    let sim = Sim::start().await;
    let bytes: Vec<u8> = (0u8..=255).collect();
    let adele = sim
        .control(
            "/_control/users",
            json!({
                "tenantId": TENANT,
                "userPrincipalName": format!("adele@{TENANT_DOMAIN}"),
                "displayName": "Adele Vance",
                "photo": { "contentType": "image/png", "base64": STANDARD.encode(&bytes) },
            }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let megan = sim.add_user(TENANT, "megan", "Megan Bowen").await;
    let token = sim.user_token(&adele, &["User.ReadBasic.All"]).await;
    let (status, metadata) = sim
        .get_json(&format!("/v1.0/users/{adele}/photo"), &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{metadata}");
    assert_eq!(metadata["@odata.mediaContentType"], "image/png");
    let response = sim
        .graph(Method::GET, "/v1.0/me/photo/$value", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().to_vec(), bytes);
    let none = sim
        .graph(
            Method::GET,
            &format!("/v1.0/users/{megan}/photo/$value"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(none, StatusCode::NOT_FOUND, "ImageNotFound").await;
}

#[tokio::test]
async fn ne_in_a_filter_needs_an_advanced_query() {
    let sim = Sim::start().await;
    sim.add_user(TENANT, "adele", "Adele Vance").await;
    let token = sim.app_token().await;
    let plain = sim
        .graph(
            Method::GET,
            "/v1.0/users?$filter=displayName ne 'Nobody'",
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_graph_error(plain, StatusCode::BAD_REQUEST, "Request_UnsupportedQuery").await;
    let advanced = sim
        .graph(
            Method::GET,
            "/v1.0/users?$filter=displayName ne 'Nobody'&$count=true",
            &token,
        )
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), StatusCode::OK);
}
