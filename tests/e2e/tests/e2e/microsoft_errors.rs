//! Microsoft's answers end to end through the simulator: each refresh-token rejection the bundle
//! distinguishes, the product code it becomes and whether the link is kept; Graph's
//! `Authorization_IdentityNotFound` passed through as Graph gave it. (AADSTS90038 and 500011 for
//! application tokens: `national_clouds.rs`; claims challenges: `token_renewal.rs`; a `Retry-After` longer than the
//! invocation, at Graph and at the token endpoint: `reliability.rs`.)

use e2e::demo_directory::{ADELE, DEMO_CLIENT_ID};
use e2e::function_process::{call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use e2e::stored_links::{expire_stored_access_token, stored_link};
use serde_json::{Value, json};

const READ_ALL: &[&str] = &["User.Read", "User.Read.All"];

#[tokio::test]
async fn refresh_token_rejections_become_their_codes_and_keep_the_link_only_when_signing_in_cannot_help()
 {
    let stack = TestStack::start().await;
    let mut env = stack.env();
    // Every call reads the link from the table, so an expired access token is seen at once.
    env.insert("TOKEN_CACHE_TTL_SECONDS".into(), "0".into());
    let get = spawn_function("users-get", &env).await;
    let me = json!({"userId": "me", "authUserId": "alice"});
    // (simulator reason, AADSTS, product code, HTTP status, the reason the link is marked invalid with)
    let cases: [(&str, u32, &str, u16, Option<&str>); 4] = [
        // Conditional Access blocks the user: a new sign-in would be blocked too; the link stays.
        (
            "blocked_by_conditional_access",
            53003,
            "BlockedByPolicy",
            403,
            None,
        ),
        // Sign-in frequency: only an interactive sign-in helps.
        (
            "sign_in_frequency",
            70043,
            "RefreshTokenInvalid",
            401,
            Some("interaction_required"),
        ),
        // A single-page application's refresh token reached its fixed lifetime.
        (
            "spa_lifetime",
            700084,
            "RefreshTokenInvalid",
            401,
            Some("revoked"),
        ),
        // Microsoft stopped a request loop: nothing is wrong with the grant; the link stays.
        ("loop_detected", 50196, "UpstreamUnavailable", 503, None),
    ];
    for (reason, aadsts, code, status, invalid_reason) in cases {
        sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
        expire_stored_access_token(&stack, "alice").await;
        stack
            .simulator()
            .invalidate_refresh_tokens(ADELE.id, reason)
            .await
            .unwrap();
        let answer = call(&get, me.clone()).await;
        assert_eq!(answer["status"], status, "AADSTS{aadsts}: {answer}");
        assert_eq!(
            answer["body"]["error"]["code"], code,
            "AADSTS{aadsts}: {answer}"
        );
        let link = stored_link(&stack, "alice").await;
        assert_eq!(
            link.get("invalidReason")
                .and_then(|r| r.as_s().ok())
                .map(String::as_str),
            invalid_reason,
            "AADSTS{aadsts}"
        );
        // A kept link answers the same way again (nothing was lost); an invalidated one keeps
        // saying why.
        let again = call(&get, me.clone()).await;
        assert_eq!(
            again["body"]["error"]["code"], code,
            "AADSTS{aadsts} again: {again}"
        );
    }
}

#[tokio::test]
async fn a_links_tenant_in_another_cloud_is_tenant_not_found_and_keeps_the_link() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    expire_stored_access_token(&stack, "alice").await;
    // The identity platform the bundle reaches serves US Government L4; the link's tenant is a
    // global one: AADSTS90038. A configuration matter, not the grant's: the link stays.
    stack
        .simulator()
        .update_settings(&json!({"cloud": "usGovL4"}))
        .await
        .unwrap();
    let get = spawn_function("users-get", &stack.env()).await;
    let answer = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(
        answer["body"]["error"]["code"], "TenantNotFound",
        "{answer}"
    );
    assert!(
        !stored_link(&stack, "alice")
            .await
            .contains_key("invalidReason")
    );
}

#[tokio::test]
async fn graphs_identity_not_found_passes_through_without_a_new_token() {
    const TENANT: &str = "7d3e9b21-5c84-4f06-a1d2-6e8b0c4f9a57";
    const USER: &str = "9a4c2e7b-3f15-4d68-8b90-1e5d7c3a2f46";
    let mut stack = TestStack::start().await;
    let control = stack.simulator().clone();
    control
        .add_tenant(TENANT, "northwind.onmicrosoft.com")
        .await
        .unwrap();
    control
        .admin_consent(DEMO_CLIENT_ID, TENANT, &["User.Read.All"])
        .await
        .unwrap();
    control
        .add_user(&json!({
            "tenantId": TENANT, "id": USER,
            "userPrincipalName": "diego@northwind.onmicrosoft.com", "displayName": "Diego Siciliani",
        }))
        .await
        .unwrap();
    let mut settings: Value = stack.settings().clone();
    settings["appTenantId"] = json!(TENANT);
    stack.put_settings(settings).await;
    let get = spawn_function("users-get", &stack.env()).await;
    // Client credentials are issued in any tenant whose administrator consented.
    let answer = call(&get, json!({"userId": USER})).await;
    assert_eq!(answer["status"], 200, "{answer}");

    // The customer's administrator removes the app: Graph no longer knows the caller.
    control
        .remove_admin_consent(DEMO_CLIENT_ID, TENANT)
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let answer = call(&get, json!({"userId": USER})).await;
    assert_eq!(answer["status"], 401, "{answer}");
    assert_eq!(
        answer["body"]["error"]["code"], "Authorization_IdentityNotFound",
        "Graph's error, as Graph gave it: {answer}"
    );
    assert_eq!(
        control.requests().await.unwrap().len(),
        1,
        "not a token problem: no new token is asked for"
    );
}
