//! National clouds: the settings' `cloud` decides the Graph resource of the `.default` scope and
//! the hosts (here the simulator, through the `GRAPH_BASE_URL` / `LOGIN_BASE_URL` overrides),
//! against a simulator serving that cloud: its tokens carry that cloud's Graph as `aud`, full scope
//! names carry its prefix, a tenant of another cloud is AADSTS90038 and another cloud's Graph
//! resource AADSTS500011.

use e2e::demo_directory::{DEMO_CLIENT_ID, DEMO_TENANT_ID};
use e2e::function_process::{call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use serde_json::{Value, json};

const CLOUD_TENANT_ID: &str = "0c5a1f9e-3b7d-4e28-9a61-d2f4c8b0e7a3";
const CLOUD_USER_ID: &str = "5e2b8c4a-1d9f-4a37-b6e0-8c3f7a2d9b15";

/// A stack whose settings name `cloud`, with a simulator serving `simulator_cloud` and a tenant of
/// `simulator_cloud` that consented to the app's User.Read.All, holding one user.
async fn stack_in(cloud: &str, simulator_cloud: &str, app_tenant: &str) -> TestStack {
    let mut stack = TestStack::start().await;
    let control = stack.simulator().clone();
    control
        .add_tenant_in_cloud(CLOUD_TENANT_ID, "fabrikam.onmicrosoft.us", simulator_cloud)
        .await
        .unwrap();
    control
        .admin_consent(DEMO_CLIENT_ID, CLOUD_TENANT_ID, &["User.Read.All"])
        .await
        .unwrap();
    control
        .add_user(&json!({
            "tenantId": CLOUD_TENANT_ID, "id": CLOUD_USER_ID,
            "userPrincipalName": "nestor@fabrikam.onmicrosoft.us", "displayName": "Nestor Wilke",
        }))
        .await
        .unwrap();
    control
        .update_settings(&json!({"cloud": simulator_cloud}))
        .await
        .unwrap();
    let mut settings: Value = stack.settings().clone();
    settings["cloud"] = json!(cloud);
    settings["appTenantId"] = json!(app_tenant);
    stack.put_settings(settings).await;
    stack
}

#[tokio::test]
async fn each_cloud_gets_tokens_for_its_own_graph() {
    for cloud in ["usGovL4", "usGovL5", "china", "global"] {
        let stack = stack_in(cloud, cloud, CLOUD_TENANT_ID).await;
        let get = spawn_function("users-get", &stack.env()).await;
        // The simulator accepts only tokens whose `aud` is its cloud's Graph, and issues them
        // only for that cloud's `.default` scope (another cloud's is AADSTS500011).
        let answer = call(&get, json!({"userId": CLOUD_USER_ID})).await;
        assert_eq!(answer["status"], 200, "{cloud}: {answer}");
        assert_eq!(answer["body"]["displayName"], "Nestor Wilke", "{cloud}");
    }
}

#[tokio::test]
async fn a_user_of_a_national_cloud_is_linked_and_served_by_its_graph() {
    let stack = stack_in("usGovL5", "usGovL5", CLOUD_TENANT_ID).await;
    // Granted scopes come back as `https://dod-graph.microsoft.us/...` and are kept by short name,
    // so the scope pre-check passes; the token is for DoD's Graph.
    let (_, link) = sign_in(&stack, "nestor", CLOUD_USER_ID, &["User.Read"]).await;
    assert_eq!(link.scopes, vec!["User.Read"]);
    assert_eq!(link.ms_tenant_id.as_deref(), Some(CLOUD_TENANT_ID));
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "nestor"})).await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["body"]["id"], CLOUD_USER_ID);
}

#[tokio::test]
async fn a_tenant_of_another_cloud_is_tenant_not_found() {
    // The app's tenant lives in the global cloud; the settings and the simulator are US Government:
    // Microsoft answers AADSTS90038.
    let stack = stack_in("usGovL4", "usGovL4", DEMO_TENANT_ID).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": CLOUD_USER_ID})).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(
        answer["body"]["error"]["code"], "TenantNotFound",
        "{answer}"
    );
    assert!(
        answer["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("90038"),
        "{answer}"
    );
}

#[tokio::test]
async fn another_clouds_graph_is_configuration_invalid() {
    // Settings say China, but the tenant and the simulator are US Government L4: the token request
    // names China's Graph, which that cloud has no service principal of (AADSTS500011).
    let stack = stack_in("china", "usGovL4", CLOUD_TENANT_ID).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": CLOUD_USER_ID})).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(
        answer["body"]["error"]["code"], "ConfigurationInvalid",
        "{answer}"
    );
    assert!(
        answer["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("500011"),
        "{answer}"
    );
}
