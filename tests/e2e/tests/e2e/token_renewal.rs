//! Tokens Graph refuses before they expire: a Continuous Access Evaluation claims challenge (the
//! simulator's session revocation, answered with the real `WWW-Authenticate` format) or a plain 401
//! makes the bundle drop the cached token, ask for a new one once (with the challenge's claims and
//! the `cp1` client capability) and send the call again; a rejected renewal follows the usual
//! mapping. An application token denied with `Authorization_RequestDenied` is replaced once when it
//! is older than the permissions granted since.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::demo_directory::{ADELE, DEMO_APPLICATION_PERMISSIONS, DEMO_CLIENT_ID, DEMO_TENANT_ID};
use e2e::function_process::{call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::simulator_control::RecordedRequest;
use e2e::stack::TestStack;
use e2e::stored_links::{number, stored_link};
use serde_json::{Value, json};
use shared::support::clock::now_epoch;
use shared::support::table_keys::APP_TOKEN_PREFIX;
use shared::tokens::app_tokens::DENIED_RENEWAL_MIN_AGE_SECS;

const READ_ALL: &[&str] = &["User.Read", "User.Read.All"];

fn claims_of(request: &RecordedRequest) -> Value {
    serde_json::from_str(request.claims.as_deref().expect("a claims parameter")).unwrap()
}

/// What each request was and its status; a new container's connection warm-up (`HEAD /`) is left
/// out, it asks Microsoft nothing.
fn statuses(requests: &[RecordedRequest]) -> Vec<(String, Option<u16>)> {
    requests
        .iter()
        .filter(|r| r.method != "HEAD")
        .map(|r| {
            let what = match &r.grant_type {
                Some(grant) => format!("token {grant}"),
                None => format!("{} {}", r.method, r.path),
            };
            (what, r.status)
        })
        .collect()
}

#[tokio::test]
async fn a_claims_challenge_renews_the_delegated_token_once_with_its_claims() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let me = json!({"userId": "me", "authUserId": "alice"});
    assert_eq!(call(&get, me.clone()).await["status"], 200);
    let version = number(&stored_link(&stack, "alice").await, "version");

    let control = stack.simulator();
    control
        .revoke_sessions(&json!({"userId": ADELE.id}))
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let answer = call(&get, me.clone()).await;
    assert_eq!(answer["status"], 200, "{answer}");
    let requests = control.requests().await.unwrap();
    let me_path = format!("/v1.0/users/{}", ADELE.id);
    assert_eq!(
        statuses(&requests),
        vec![
            (format!("GET {me_path}"), Some(401)),
            ("token refresh_token".to_string(), Some(200)),
            (format!("GET {me_path}"), Some(200)),
        ]
    );
    let claims = claims_of(&requests[1]);
    assert_eq!(
        claims["access_token"]["xms_cc"],
        json!({"values": ["cp1"]}),
        "{claims}"
    );
    assert_eq!(
        claims["access_token"]["nbf"]["essential"], true,
        "the challenge's claims are passed back: {claims}"
    );
    let link = stored_link(&stack, "alice").await;
    assert!(!link.contains_key("invalidReason"));
    assert!(
        number(&link, "version") > version,
        "the new token is stored"
    );

    // The renewed token is cached: the next call is one request again.
    control.clear_requests().await.unwrap();
    assert_eq!(call(&get, me).await["status"], 200);
    assert_eq!(control.requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_plain_401_also_renews_once_and_a_rejected_renewal_is_mapped_as_usual() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let me = json!({"userId": "me", "authUserId": "alice"});
    assert_eq!(call(&get, me.clone()).await["status"], 200);
    let control = stack.simulator();

    // Refused without a challenge: renewed all the same, with only the cp1 capability.
    control
        .revoke_sessions(&json!({"userId": ADELE.id, "challenge": false}))
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let answer = call(&get, me.clone()).await;
    assert_eq!(answer["status"], 200, "{answer}");
    let requests = control.requests().await.unwrap();
    assert_eq!(requests.len(), 3, "{:?}", statuses(&requests));
    assert_eq!(
        claims_of(&requests[1]),
        json!({"access_token": {"xms_cc": {"values": ["cp1"]}}})
    );

    // An administrator revokes the user's sessions and refresh tokens: the renewal is refused
    // (AADSTS50173), which is RefreshTokenInvalid and invalidates the link, after one Graph call.
    control
        .revoke_sessions(&json!({"userId": ADELE.id, "refreshTokens": true}))
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let answer = call(&get, me).await;
    assert_eq!(answer["status"], 401, "{answer}");
    assert_eq!(answer["body"]["error"]["code"], "RefreshTokenInvalid");
    let requests = control.requests().await.unwrap();
    assert_eq!(requests.len(), 2, "{:?}", statuses(&requests));
    assert_eq!(
        stored_link(&stack, "alice").await["invalidReason"]
            .as_s()
            .unwrap(),
        "revoked"
    );
}

#[tokio::test]
async fn a_claims_challenge_renews_the_application_token_once() {
    let stack = TestStack::start().await;
    let get = spawn_function("users-get", &stack.env()).await;
    let adele = json!({"userId": ADELE.id});
    assert_eq!(call(&get, adele.clone()).await["status"], 200);

    let control = stack.simulator();
    control
        .revoke_sessions(&json!({"clientId": DEMO_CLIENT_ID, "tenantId": DEMO_TENANT_ID}))
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let answer = call(&get, adele.clone()).await;
    assert_eq!(answer["status"], 200, "{answer}");
    let requests = control.requests().await.unwrap();
    assert_eq!(
        statuses(&requests)
            .into_iter()
            .map(|(what, status)| (what.split(' ').next().unwrap().to_string(), status))
            .collect::<Vec<_>>(),
        vec![
            ("GET".to_string(), Some(401)),
            ("token".to_string(), Some(200)),
            ("GET".to_string(), Some(200)),
        ]
    );
    assert_eq!(
        requests[1].grant_type.as_deref(),
        Some("client_credentials")
    );
    let claims = claims_of(&requests[1]);
    assert_eq!(claims["access_token"]["xms_cc"], json!({"values": ["cp1"]}));
    assert!(claims["access_token"]["nbf"].is_object(), "{claims}");

    // Another container that still holds nothing reads the new token from the table.
    let other = spawn_function("users-get", &stack.env()).await;
    control.clear_requests().await.unwrap();
    assert_eq!(call(&other, adele).await["status"], 200);
    assert_eq!(statuses(&control.requests().await.unwrap()).len(), 1);
}

#[tokio::test]
async fn application_permissions_granted_later_reach_an_old_token_without_an_operator() {
    let stack = TestStack::start().await;
    let update = spawn_function("users-update", &stack.env()).await;
    let patch = json!({"userId": ADELE.id, "body": {"jobTitle": "Buyer"}});
    let control = stack.simulator();

    // The app may not write users: Graph's denial passes through.
    let denied = call(&update, patch.clone()).await;
    assert_eq!(denied["status"], 403, "{denied}");
    assert_eq!(
        denied["body"]["error"]["code"],
        "Authorization_RequestDenied"
    );

    // An administrator grants User.ReadWrite.All. The token in use was issued before, and its
    // roles are fixed (as in Azure): a token younger than the renewal age is not replaced, so the
    // denial stands until it ages (or cache-clear) and no token request is made.
    let mut granted = DEMO_APPLICATION_PERMISSIONS.to_vec();
    granted.push("User.ReadWrite.All");
    control
        .admin_consent(DEMO_CLIENT_ID, DEMO_TENANT_ID, &granted)
        .await
        .unwrap();
    control.clear_requests().await.unwrap();
    let still = call(&update, patch.clone()).await;
    assert_eq!(still["status"], 403, "{still}");
    assert_eq!(control.requests().await.unwrap().len(), 1);

    // Once the cached token is older than that, a container denied with it replaces it once.
    let table = &stack.function_env().table_name;
    let cached = stack
        .dynamodb()
        .scan()
        .table_name(table)
        .filter_expression("begins_with(pk, :prefix)")
        .expression_attribute_values(":prefix", AttributeValue::S(APP_TOKEN_PREFIX.into()))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    assert_eq!(cached.len(), 1, "one cached application token");
    stack
        .dynamodb()
        .update_item()
        .table_name(table)
        .key("pk", cached[0]["pk"].clone())
        .update_expression("SET acquiredAt = :old")
        .expression_attribute_values(
            ":old",
            AttributeValue::N((now_epoch() - DENIED_RENEWAL_MIN_AGE_SECS - 60).to_string()),
        )
        .send()
        .await
        .unwrap();
    let other = spawn_function("users-update", &stack.env()).await;
    control.clear_requests().await.unwrap();
    let answer = call(&other, patch).await;
    assert_eq!(answer["status"], 204, "{answer}");
    assert_eq!(
        statuses(&control.requests().await.unwrap())
            .into_iter()
            .map(|(what, status)| (what.split(' ').next().unwrap().to_string(), status))
            .collect::<Vec<_>>(),
        vec![
            ("PATCH".to_string(), Some(403)),
            ("token".to_string(), Some(200)),
            ("PATCH".to_string(), Some(204)),
        ]
    );
}
