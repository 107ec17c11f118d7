//! `/authorize` and the authorization code grant with PKCE.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::harness::{
    CLIENT_ID, CLIENT_SECRET, OTHER_TENANT, REDIRECT_URI, Sim, TENANT, TENANT_DOMAIN,
    assert_aadsts, jwt_claims, status_and_json,
};

const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";
const SCOPES: &str =
    "openid profile email offline_access User.Read https://graph.microsoft.com/Calendars.Read";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn sign_in_params(extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("client_id", CLIENT_ID.to_string()),
        ("response_type", "code".to_string()),
        ("redirect_uri", REDIRECT_URI.to_string()),
        ("scope", SCOPES.to_string()),
        ("state", "opaque-state".to_string()),
        ("nonce", "n-0S6_WzA2Mj".to_string()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_string()),
    ];
    for (name, value) in extra {
        params.retain(|(existing, _)| existing != name);
        params.push((name, (*value).to_string()));
    }
    params
}

async fn authorize(sim: &Sim, tenant: &str, params: &[(&'static str, String)]) -> Response {
    let url = sim.url(&format!("/{tenant}/oauth2/v2.0/authorize"));
    sim.http
        .get(url)
        .query(params)
        .send()
        .await
        .expect("authorize")
}

/// The query of the redirect back to the app.
fn redirected_to_app(response: &Response) -> HashMap<String, String> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    assert_eq!(
        format!("{}{}", url.origin().ascii_serialization(), url.path()),
        REDIRECT_URI
    );
    url.query_pairs().into_owned().collect()
}

async fn assert_error_page(response: Response, code: u32) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("AADSTS{code}")), "{page}");
}

async fn queue(sim: &Sim, user_id: &str, outcome: &str) {
    sim.control(
        "/_control/sign-in",
        json!({ "userId": user_id, "outcome": outcome }),
    )
    .await;
}

async fn code_for(sim: &Sim, user_id: &str) -> String {
    queue(sim, user_id, "approve").await;
    redirected_to_app(&authorize(sim, "organizations", &sign_in_params(&[])).await)["code"].clone()
}

async fn redeem(sim: &Sim, code: &str, verifier: Option<&str>, redirect_uri: &str) -> Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    sim.token("organizations", &form).await
}

#[tokio::test]
async fn approved_sign_in_redirects_with_a_code_that_redeems_for_tokens() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let code = code_for(&sim, &adele).await;
    let (status, body) =
        status_and_json(redeem(&sim, &code, Some(VERIFIER), REDIRECT_URI).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["scope"],
        "https://graph.microsoft.com/Calendars.Read https://graph.microsoft.com/User.Read openid profile email offline_access"
    );
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["ext_expires_in"], 3600);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|token| !token.is_empty())
    );
    let access = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], "https://graph.microsoft.com");
    assert_eq!(access["tid"], TENANT);
    assert_eq!(access["oid"], adele);
    assert_eq!(access["appid"], CLIENT_ID);
    assert_eq!(access["scp"], "Calendars.Read User.Read");
    assert!(access["exp"].as_i64() > access["iat"].as_i64());
    let id = jwt_claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], CLIENT_ID);
    assert_eq!(id["iss"], format!("{}/{TENANT}/v2.0", sim.base_url()));
    assert_eq!(id["oid"], adele);
    assert_eq!(id["tid"], TENANT);
    assert_eq!(id["preferred_username"], format!("adele@{TENANT_DOMAIN}"));
    assert_eq!(id["name"], "Adele Vance");
    assert_eq!(id["email"], format!("adele@{TENANT_DOMAIN}"));
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
}

#[tokio::test]
async fn redirect_carries_the_state() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    queue(&sim, &adele, "approve").await;
    let query = redirected_to_app(&authorize(&sim, TENANT, &sign_in_params(&[])).await);
    assert_eq!(query["state"], "opaque-state");
    assert!(query["code"].len() > 20);
}

#[tokio::test]
async fn login_hint_signs_the_user_in_when_nobody_is_queued() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let hint = format!("Adele@{TENANT_DOMAIN}");
    let query = redirected_to_app(
        &authorize(&sim, "common", &sign_in_params(&[("login_hint", &hint)])).await,
    );
    let body = status_and_json(redeem(&sim, &query["code"], Some(VERIFIER), REDIRECT_URI).await)
        .await
        .1;
    assert_eq!(
        jwt_claims(body["access_token"].as_str().unwrap())["oid"],
        adele
    );
}

#[tokio::test]
async fn nobody_to_sign_in_is_an_error_page_or_login_required_with_prompt_none() {
    let sim = Sim::start().await;
    assert_error_page(authorize(&sim, TENANT, &sign_in_params(&[])).await, 50058).await;
    let query =
        redirected_to_app(&authorize(&sim, TENANT, &sign_in_params(&[("prompt", "none")])).await);
    assert_eq!(query["error"], "login_required");
    assert_eq!(query["state"], "opaque-state");
}

#[tokio::test]
async fn denied_consent_redirects_with_access_denied() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    queue(&sim, &adele, "deny").await;
    let query = redirected_to_app(&authorize(&sim, TENANT, &sign_in_params(&[])).await);
    assert_eq!(query["error"], "access_denied");
    assert!(
        query["error_description"].starts_with("AADSTS65004:"),
        "{query:?}"
    );
    assert_eq!(query["state"], "opaque-state");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn bad_tenant_client_or_redirect_uri_is_an_error_page_never_a_redirect() {
    let sim = Sim::start().await;
    assert_error_page(
        authorize(&sim, "nowhere.onmicrosoft.com", &sign_in_params(&[])).await,
        90002,
    )
    .await;
    assert_error_page(
        authorize(
            &sim,
            TENANT,
            &sign_in_params(&[("client_id", "unknown-client")]),
        )
        .await,
        700016,
    )
    .await;
    let elsewhere = sign_in_params(&[("redirect_uri", "https://attacker.example/cb")]);
    assert_error_page(authorize(&sim, TENANT, &elsewhere).await, 50011).await;
}

#[tokio::test]
async fn request_errors_are_redirected_back_to_the_app() {
    let sim = Sim::start().await;
    let cases = [
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("scope", "openid Mail.Teleport")], "invalid_scope"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
    ];
    for (extra, error) in cases {
        let query = redirected_to_app(&authorize(&sim, TENANT, &sign_in_params(&extra)).await);
        assert_eq!(query["error"], error, "{extra:?}");
        assert!(
            query["error_description"].starts_with("AADSTS"),
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn a_tenant_authority_admits_only_its_own_users() {
    let sim = Sim::start().await;
    let megan = sim.add_user(OTHER_TENANT, "megan", "Megan Bowen").await;
    queue(&sim, &megan, "approve").await;
    assert_error_page(authorize(&sim, TENANT, &sign_in_params(&[])).await, 50020).await;
    queue(&sim, &megan, "approve").await;
    let query = redirected_to_app(&authorize(&sim, "organizations", &sign_in_params(&[])).await);
    let body = status_and_json(redeem(&sim, &query["code"], Some(VERIFIER), REDIRECT_URI).await)
        .await
        .1;
    assert_eq!(
        jwt_claims(body["access_token"].as_str().unwrap())["tid"],
        OTHER_TENANT
    );
}

#[tokio::test]
async fn a_code_redeems_once() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let code = code_for(&sim, &adele).await;
    assert_eq!(
        redeem(&sim, &code, Some(VERIFIER), REDIRECT_URI)
            .await
            .status(),
        StatusCode::OK
    );
    let again = redeem(&sim, &code, Some(VERIFIER), REDIRECT_URI).await;
    assert_aadsts(again, StatusCode::BAD_REQUEST, "invalid_grant", 54005).await;
}

#[tokio::test]
async fn pkce_verifier_must_match_the_challenge() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let code = code_for(&sim, &adele).await;
    let wrong = redeem(
        &sim,
        &code,
        Some("another-verifier-of-at-least-forty-three-characters"),
        REDIRECT_URI,
    )
    .await;
    assert_aadsts(wrong, StatusCode::BAD_REQUEST, "invalid_grant", 501481).await;
    let missing = redeem(&sim, &code, None, REDIRECT_URI).await;
    assert_aadsts(missing, StatusCode::BAD_REQUEST, "invalid_grant", 501481).await;
    assert_eq!(
        redeem(&sim, &code, Some(VERIFIER), REDIRECT_URI)
            .await
            .status(),
        StatusCode::OK,
        "failed attempts keep the code"
    );
}

#[tokio::test]
async fn unknown_codes_and_other_redirect_uris_are_invalid_grants() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let unknown = redeem(&sim, "0.Anot-a-code", Some(VERIFIER), REDIRECT_URI).await;
    assert_aadsts(unknown, StatusCode::BAD_REQUEST, "invalid_grant", 70000).await;
    let code = code_for(&sim, &adele).await;
    let elsewhere = redeem(&sim, &code, Some(VERIFIER), "http://localhost:3000/other").await;
    assert_aadsts(elsewhere, StatusCode::BAD_REQUEST, "invalid_grant", 70000).await;
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    sim.control(
        "/_control/settings",
        json!({ "authorizationCodeLifetimeSecs": 0 }),
    )
    .await;
    let code = code_for(&sim, &adele).await;
    let expired = redeem(&sim, &code, Some(VERIFIER), REDIRECT_URI).await;
    assert_aadsts(expired, StatusCode::BAD_REQUEST, "invalid_grant", 70008).await;
}

#[tokio::test]
async fn redeeming_for_scopes_beyond_consent_requires_consent() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let code = code_for(&sim, &adele).await;
    let response = sim
        .token(
            "organizations",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", VERIFIER),
                ("scope", "offline_access User.ReadWrite.All"),
            ],
        )
        .await;
    let body = assert_aadsts(response, StatusCode::BAD_REQUEST, "invalid_grant", 65001).await;
    assert_eq!(body["suberror"], "consent_required");
}

#[tokio::test]
async fn only_an_administrator_or_a_tenant_wide_grant_passes_admin_only_permissions() {
    let sim = Sim::start().await;
    let adele = sim.add_user(TENANT, "adele", "Adele Vance").await;
    let admin_only = sign_in_params(&[("scope", "openid offline_access User.Read.All")]);

    // An ordinary user meets Microsoft's "Need admin approval" page: nothing is consented.
    queue(&sim, &adele, "approve").await;
    assert_error_page(authorize(&sim, "organizations", &admin_only).await, 90094).await;

    // An administrator may consent (for themself here).
    sim.control(
        "/_control/sign-in",
        json!({ "userId": adele, "outcome": "approve", "admin": true }),
    )
    .await;
    assert!(
        redirected_to_app(&authorize(&sim, "organizations", &admin_only).await)
            .contains_key("code")
    );

    // After an administrator consented for the whole tenant, every user passes.
    let alex = sim.add_user(TENANT, "alex", "Alex Wilber").await;
    queue(&sim, &alex, "approve").await;
    assert_error_page(authorize(&sim, "organizations", &admin_only).await, 90094).await;
    sim.control(
        &format!("/_control/apps/{CLIENT_ID}/admin-consents"),
        json!({ "tenantId": TENANT, "delegatedPermissions": ["User.Read.All"] }),
    )
    .await;
    queue(&sim, &alex, "approve").await;
    assert!(
        redirected_to_app(&authorize(&sim, "organizations", &admin_only).await)
            .contains_key("code")
    );
}
