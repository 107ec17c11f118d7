//! The sign-in functions (`auth-start`, `auth-callback`, `auth-status`, `auth-revoke`) as real Lambda
//! binaries under a Runtime API, against moto and the Microsoft simulator. A browser is played by
//! an HTTP client that does not follow redirects: every hop is read from a `Location` header, from
//! `auth-start` through the simulator's `/authorize` to `auth-callback` and on to the app.

use shared::support::table_keys::{link_key, sign_in_state_key};
use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use e2e::demo_directory::{ADELE, ALEX, DEMO_CLIENT_SECRET, MEGAN};

use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::settings::{CALLBACK_URL, FAILURE_URL};
use e2e::sign_in::{adapters, parsed_settings};
use e2e::stack::{TEST_REDIRECT_URI, TestStack};
use reqwest::Url;
use serde_json::{Value, json};
use shared::adapters::dynamodb_table::{PARTITION_KEY, TTL_ATTRIBUTE};
use shared::sign_in::pending_states::VERIFIER_PURPOSE;
use shared::support::deadline::Deadline;
use shared::support::secret::Secret;
use shared::tokens::cipher::{Sealed, TokenCipher};
use shared::tokens::delegated_tokens::{ACCESS_PURPOSE, REFRESH_PURPOSE};

/// A return URL the tests add to the allowed list, besides the callback URL.
const WELCOME_URL: &str = "http://localhost/app/welcome?tab=calendar";

type Item = HashMap<String, AttributeValue>;

/// The query-string parameters of an API Gateway event, as a JSON object.
fn query_object<K: AsRef<str>, V: AsRef<str>>(query: &[(K, V)]) -> Value {
    Value::Object(
        query
            .iter()
            .map(|(k, v)| (k.as_ref().to_string(), json!(v.as_ref())))
            .collect(),
    )
}

fn query_of(url: &str) -> HashMap<String, String> {
    Url::parse(url)
        .unwrap_or_else(|_| panic!("not a URL: {url}"))
        .query_pairs()
        .into_owned()
        .collect()
}

/// The `Location` of a 302 answered in API Gateway style.
fn location(answer: &Value) -> String {
    assert_eq!(answer["statusCode"], 302, "{answer}");
    answer["headers"]["location"]
        .as_str()
        .unwrap_or_else(|| panic!("no location: {answer}"))
        .to_string()
}

fn failure_location(code: &str) -> String {
    format!("{FAILURE_URL}?f={code}")
}

/// The functions of one test, all running against its stack.
struct SignInFunctions {
    start: FunctionProcess,
    callback: FunctionProcess,
    status: FunctionProcess,
    revoke: FunctionProcess,
    browser: reqwest::Client,
}

impl SignInFunctions {
    async fn spawn(stack: &TestStack) -> Self {
        Self::spawn_with(stack, &[]).await
    }

    /// The functions, with `overrides` added to the stack's environment.
    async fn spawn_with(stack: &TestStack, overrides: &[(&str, &str)]) -> Self {
        let mut env = stack.env();
        env.extend(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        Self {
            start: spawn_function("auth-start", &env).await,
            callback: spawn_function("auth-callback", &env).await,
            status: spawn_function("auth-status", &env).await,
            revoke: spawn_function("auth-revoke", &env).await,
            browser: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// `POST /auth/start` through API Gateway; returns the authorize URL from the JSON answer.
    async fn start(&self, query: &[(&str, &str)]) -> String {
        let answer = call(
            &self.start,
            api_gateway_event(
                "POST",
                "/auth/start",
                "/auth/start",
                json!({}),
                query_object(query),
                None,
            ),
        )
        .await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        body["authorizeUrl"].as_str().unwrap().to_string()
    }

    /// The browser at Microsoft's authorize URL: returns where Microsoft sends it back to.
    async fn authorize(&self, authorize_url: &str) -> String {
        let response = self.browser.get(authorize_url).send().await.unwrap();
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        let back = response.headers()["location"].to_str().unwrap().to_string();
        assert!(back.starts_with(TEST_REDIRECT_URI), "{back}");
        back
    }

    /// The browser arriving at the redirect URI (`GET /auth/callback?...`): returns where
    /// `auth-callback` sends it next.
    async fn arrive(&self, redirect_uri_location: &str) -> String {
        let url = Url::parse(redirect_uri_location).unwrap();
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let answer = call(
            &self.callback,
            api_gateway_event(
                "GET",
                "/auth/callback",
                url.path(),
                json!({}),
                query_object(&query),
                None,
            ),
        )
        .await;
        location(&answer)
    }

    /// The whole chain, `auth-start` called with `query`, signing in whoever the simulator lets
    /// sign in next; returns where `auth-callback` sends the browser and the `state` the flow used.
    async fn sign_in(&self, query: &[(&str, &str)]) -> (String, String) {
        let authorize_url = self.start(query).await;
        let state = query_of(&authorize_url)["state"].clone();
        let back = self.authorize(&authorize_url).await;
        (self.arrive(&back).await, state)
    }

    /// `GET /auth/status/{authUserId}` through API Gateway.
    async fn status(&self, auth_user_id: &str) -> Value {
        let path = format!("/auth/status/{auth_user_id}");
        let answer = call(
            &self.status,
            api_gateway_event(
                "GET",
                "/auth/status/{authUserId}",
                &path,
                json!({"authUserId": auth_user_id}),
                json!({}),
                None,
            ),
        )
        .await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
        serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
    }

    fn logs(&self) -> String {
        [&self.start, &self.callback, &self.status, &self.revoke]
            .iter()
            .map(|f| f.logs())
            .collect()
    }
}

async fn state_item(stack: &TestStack, state: &str) -> Option<Item> {
    stack
        .dynamodb()
        .get_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(sign_in_state_key(state)))
        .consistent_read(true)
        .send()
        .await
        .expect("reading the state item")
        .item
}

async fn update_state_item(
    stack: &TestStack,
    state: &str,
    set: &str,
    values: Vec<(&str, AttributeValue)>,
) {
    let mut update = stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(sign_in_state_key(state)))
        .update_expression(set);
    for (name, value) in values {
        update = update.expression_attribute_values(name, value);
    }
    update.send().await.expect("updating the state item");
}

async fn link_item(stack: &TestStack, app_user_id: &str) -> Option<Item> {
    stack
        .dynamodb()
        .get_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(link_key(app_user_id)))
        .consistent_read(true)
        .send()
        .await
        .expect("reading the link")
        .item
}

fn sealed(item: &Item, field: &str, key_field: &str) -> Sealed {
    Sealed {
        key_id: item[key_field].as_s().unwrap().clone(),
        bytes: item[field].as_b().unwrap().as_ref().to_vec(),
    }
}

/// The PKCE verifier `auth-start` stored for `state`, decrypted with the stack's key.
async fn stored_verifier(stack: &TestStack, state: &str) -> Secret {
    let item = state_item(stack, state).await.expect("the state is stored");
    let settings = parsed_settings(stack);
    TokenCipher::new(&settings.encryption_keys)
        .open(
            &sealed(&item, "verifier", "verifierKeyId"),
            VERIFIER_PURPOSE,
            &sign_in_state_key(state),
        )
        .unwrap()
}

/// The refresh and access tokens stored for `app_user_id`, decrypted with the stack's key.
async fn stored_tokens(stack: &TestStack, app_user_id: &str) -> [String; 2] {
    let item = link_item(stack, app_user_id)
        .await
        .expect("the link exists");
    let settings = parsed_settings(stack);
    let cipher = TokenCipher::new(&settings.encryption_keys);
    let owner = link_key(app_user_id);
    [
        (
            sealed(&item, "refreshToken", "refreshKeyId"),
            REFRESH_PURPOSE,
        ),
        (sealed(&item, "accessToken", "accessKeyId"), ACCESS_PURPOSE),
    ]
    .map(|(sealed, purpose)| {
        cipher
            .open(&sealed, purpose, &owner)
            .unwrap()
            .expose()
            .to_string()
    })
}

/// Settings allowing [`WELCOME_URL`] and, with `override_default`, dev-mode scopes.
async fn configure(stack: &mut TestStack, override_default: bool) {
    let mut settings = stack.settings().clone();
    settings["allowedReturnUrls"] = json!([CALLBACK_URL, WELCOME_URL]);
    settings["scopes"]["overrideDefault"] = json!(override_default);
    stack.put_settings(settings).await;
}

#[tokio::test]
async fn default_and_dev_mode_sign_ins_follow_the_redirect_chain() {
    let mut stack = TestStack::start().await;
    configure(&mut stack, true).await;
    let functions = SignInFunctions::spawn(&stack).await;
    let get = spawn_function("users-get", &stack.env()).await;
    let list = spawn_function("users-list", &stack.env()).await;

    // Default mode, JSON answer, the callback URL as return URL.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let asked = query_of(&authorize_url);
    assert!(
        authorize_url.starts_with(&format!(
            "{}/common/oauth2/v2.0/authorize?",
            stack.simulator_url()
        )),
        "{authorize_url}"
    );
    assert_eq!(
        asked["scope"],
        "openid profile offline_access User.Read User.Read.All Calendars.ReadWrite"
    );
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["redirect_uri"], TEST_REDIRECT_URI);
    let back = functions.authorize(&authorize_url).await;
    assert_eq!(query_of(&back)["state"], asked["state"]);
    assert_eq!(functions.arrive(&back).await, CALLBACK_URL);

    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["status"], 200, "{me}");
    assert_eq!(me["body"]["id"], ADELE.id);
    let alice = functions.status("alice").await;
    assert_eq!(alice["linked"], true, "{alice}");
    assert_eq!(alice["status"], "valid");
    assert_eq!(alice["msUserId"], ADELE.id);
    assert_eq!(alice["userPrincipalName"], ADELE.user_principal_name);
    assert_eq!(alice["tenantId"], e2e::demo_directory::DEMO_TENANT_ID);
    assert_eq!(
        alice["scopes"],
        json!(["Calendars.ReadWrite", "User.Read", "User.Read.All"])
    );
    let everyone = call(&list, json!({"authUserId": "alice"})).await;
    assert_eq!(everyone["status"], 200, "{everyone}");

    // Dev mode by direct invocation, redirected, with a login hint and another return URL.
    let answer = call(
        &functions.start,
        json!({"authUserId": "bob", "query": {
            "mode": "dev", "redirect": true, "returnUrl": WELCOME_URL,
            "loginHint": ALEX.user_principal_name
        }}),
    )
    .await;
    assert_eq!(answer["status"], 302, "{answer}");
    let authorize_url = answer["headers"]["location"].as_str().unwrap();
    assert_eq!(
        query_of(authorize_url)["scope"],
        "openid profile offline_access User.Read"
    );
    let back = functions.authorize(authorize_url).await;
    assert_eq!(functions.arrive(&back).await, WELCOME_URL);

    let me = call(&get, json!({"userId": "me", "authUserId": "bob"})).await;
    assert_eq!(me["body"]["id"], ALEX.id, "{me}");
    let bob = functions.status("bob").await;
    assert_eq!(bob["scopes"], json!(["User.Read"]), "{bob}");
    let everyone = call(&list, json!({"authUserId": "bob"})).await;
    assert_eq!(
        everyone["body"]["error"]["code"], "ScopeInvalid",
        "dev scopes do not reach other users: {everyone}"
    );

    let grants: Vec<String> = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| r.grant_type)
        .collect();
    assert_eq!(
        grants.iter().filter(|g| *g == "authorization_code").count(),
        2,
        "{grants:?}"
    );
}

#[tokio::test]
async fn dev_mode_without_override_asks_for_the_default_scopes() {
    let mut stack = TestStack::start().await;
    configure(&mut stack, false).await;
    let functions = SignInFunctions::spawn(&stack).await;
    let authorize_url = functions
        .start(&[("authUserId", "alice"), ("mode", "dev")])
        .await;
    assert_eq!(
        query_of(&authorize_url)["scope"],
        "openid profile offline_access User.Read User.Read.All Calendars.ReadWrite"
    );
}

#[tokio::test]
async fn a_declined_consent_is_access_denied() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, false)
        .await
        .unwrap();
    let (landed, state) = functions.sign_in(&[("authUserId", "alice")]).await;
    assert_eq!(landed, failure_location("access_denied"));
    assert!(
        state_item(&stack, &state).await.is_none(),
        "the state is used up"
    );
    assert_eq!(functions.status("alice").await["linked"], false);
}

#[tokio::test]
async fn replayed_unknown_expired_and_tampered_states_are_state_invalid() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;

    // Replay: the same callback twice.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let back = functions.authorize(&authorize_url).await;
    assert_eq!(functions.arrive(&back).await, CALLBACK_URL);
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("state_invalid")
    );

    // Unknown, missing and malformed states.
    let code = query_of(&back)["code"].clone();
    for query in [
        format!("code={code}&state=never-issued"),
        format!("code={code}"),
        format!("code={code}&state=..%2F..%2Fx"),
    ] {
        let landed = functions
            .arrive(&format!("{TEST_REDIRECT_URI}?{query}"))
            .await;
        assert_eq!(landed, failure_location("state_invalid"), "{query}");
    }

    // Expired: DynamoDB's TTL has not removed the item yet.
    stack
        .simulator()
        .queue_sign_in(MEGAN.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "carol")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    update_state_item(
        &stack,
        &state,
        &format!("SET {TTL_ATTRIBUTE} = :past"),
        vec![(":past", AttributeValue::N("1".into()))],
    )
    .await;
    let back = functions.authorize(&authorize_url).await;
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("state_invalid")
    );

    // A stored verifier that no longer decrypts.
    stack
        .simulator()
        .queue_sign_in(MEGAN.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "carol")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    let mut verifier = sealed(
        &state_item(&stack, &state).await.unwrap(),
        "verifier",
        "verifierKeyId",
    );
    verifier.bytes[14] ^= 0x20;
    update_state_item(
        &stack,
        &state,
        "SET verifier = :corrupt",
        vec![(":corrupt", AttributeValue::B(Blob::new(verifier.bytes)))],
    )
    .await;
    let back = functions.authorize(&authorize_url).await;
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("state_invalid")
    );

    assert_eq!(functions.status("carol").await["linked"], false);
    let redeemed = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.grant_type.as_deref() == Some("authorization_code"))
        .count();
    assert_eq!(redeemed, 1, "only the first callback reached Microsoft");
}

#[tokio::test]
async fn a_pkce_mismatch_or_a_used_code_is_invalid_grant() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    let settings = parsed_settings(&stack);

    // The stored verifier is replaced by another, validly encrypted one: AADSTS501481.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    let other = TokenCipher::new(&settings.encryption_keys).seal(
        &Secret::new("x".repeat(43)),
        VERIFIER_PURPOSE,
        &sign_in_state_key(&state),
    );
    update_state_item(
        &stack,
        &state,
        "SET verifier = :other",
        vec![(":other", AttributeValue::B(Blob::new(other.bytes)))],
    )
    .await;
    let back = functions.authorize(&authorize_url).await;
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("invalid_grant")
    );

    // Someone redeemed the code first (with the right verifier): AADSTS54005.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    let verifier = stored_verifier(&stack, &state).await;
    let back = functions.authorize(&authorize_url).await;
    let (_, adapters) = adapters(&stack);
    let first = adapters
        .identity_platform
        .redeem_code(
            &settings,
            &Secret::new(query_of(&back)["code"].clone()),
            &verifier,
            TEST_REDIRECT_URI,
            &["openid".to_string(), "offline_access".to_string()],
            Deadline::after(Duration::from_secs(10)),
        )
        .await;
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("invalid_grant")
    );

    assert_eq!(functions.status("alice").await["linked"], false);
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let mut stack = TestStack::start().await;
    let functions = SignInFunctions::spawn_with(&stack, &[("SETTINGS_TTL_SECONDS", "0")]).await;
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let mut settings = stack.settings().clone();
    settings["clientSecret"] = json!("not-the-client-secret");
    stack.put_settings(settings).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let back = functions.authorize(&authorize_url).await;

    // Microsoft's callback handed over by direct invocation this time.
    let answer = call(&functions.callback, json!({"query": query_of(&back)})).await;
    assert_eq!(answer["status"], 302, "{answer}");
    assert_eq!(
        answer["headers"]["location"],
        failure_location("invalid_client")
    );
    assert!(link_item(&stack, "alice").await.is_none());
}

#[tokio::test]
async fn a_token_endpoint_outage_is_access_token_failed() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let back = functions.authorize(&authorize_url).await;
    stack
        .simulator()
        .add_fault(&json!({
            "method": "POST", "path": "/common/oauth2/v2.0/token", "count": 10,
            "fault": {"kind": "status", "status": 503}
        }))
        .await
        .unwrap();
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("access_token_failed")
    );
    assert_eq!(functions.status("alice").await["linked"], false);
}

#[tokio::test]
async fn a_failing_profile_read_is_user_profile_failed() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    stack
        .simulator()
        .add_fault(&json!({
            "method": "GET", "path": "/v1.0/me", "count": 10,
            "fault": {"kind": "status", "status": 503}
        }))
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "alice")]).await;
    assert_eq!(landed, failure_location("user_profile_failed"));
    assert_eq!(functions.status("alice").await["linked"], false);
}

#[tokio::test]
async fn a_disallowed_return_url_is_refused_before_anything_is_stored() {
    let mut stack = TestStack::start().await;
    configure(&mut stack, false).await;
    let functions = SignInFunctions::spawn(&stack).await;
    for return_url in [
        "https://evil.example/linked",
        "http://localhost/linked/../admin",
        "http://localhost/linked?next=https://evil.example",
        "http://localhost/app/welcome",
        "//evil.example",
    ] {
        let answer = call(
            &functions.start,
            json!({"authUserId": "alice", "query": {"returnUrl": return_url}}),
        )
        .await;
        assert_eq!(answer["status"], 400, "{return_url}: {answer}");
        assert_eq!(answer["body"]["error"]["code"], "InvalidRequest");
    }
    for bad in [
        json!({"query": {"mode": "dev"}}),
        json!({"authUserId": "alice", "query": {"mode": "admin"}}),
        json!({"authUserId": "alice", "query": {"scope": "Mail.Read"}}),
        json!({"authUserId": "alice", "body": {"returnUrl": CALLBACK_URL}}),
    ] {
        let answer = call(&functions.start, bad.clone()).await;
        assert_eq!(answer["status"], 400, "{bad}: {answer}");
    }
    let items = stack
        .dynamodb()
        .scan()
        .table_name(&stack.function_env().table_name)
        .send()
        .await
        .unwrap()
        .count();
    assert_eq!(items, 0, "no state was stored");
}

#[tokio::test]
async fn a_repeat_sign_in_replaces_the_tokens() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "alice")]).await;
    assert_eq!(landed, CALLBACK_URL);
    let first = link_item(&stack, "alice").await.unwrap();
    let first_tokens = stored_tokens(&stack, "alice").await;

    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "alice")]).await;
    assert_eq!(landed, CALLBACK_URL);
    let second = link_item(&stack, "alice").await.unwrap();
    let second_tokens = stored_tokens(&stack, "alice").await;

    assert_eq!(second["msUserId"].as_s().unwrap(), ALEX.id);
    let version = |item: &Item| item["version"].as_n().unwrap().parse::<u64>().unwrap();
    assert!(version(&second) > version(&first));
    assert_ne!(first_tokens, second_tokens);
    let status = functions.status("alice").await;
    assert_eq!(status["userPrincipalName"], ALEX.user_principal_name);

    let get = spawn_function("users-get", &stack.env()).await;
    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["body"]["id"], ALEX.id, "{me}");
}

#[tokio::test]
async fn status_reports_health_and_revoke_forgets_the_tokens() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    let mut env = stack.env();
    env.insert("TOKEN_CACHE_TTL_SECONDS".into(), "0".into());
    let get = spawn_function("users-get", &env).await;

    let before = functions.status("alice").await;
    assert_eq!(before, json!({"authUserId": "alice", "linked": false}));
    for user in ["alice", "dave"] {
        stack
            .simulator()
            .queue_sign_in(ADELE.id, true)
            .await
            .unwrap();
        let (landed, _) = functions.sign_in(&[("authUserId", user)]).await;
        assert_eq!(landed, CALLBACK_URL);
    }
    let linked = functions.status("alice").await;
    assert_eq!(linked["linked"], true, "{linked}");
    assert_eq!(linked["status"], "valid");
    assert!(linked["lastRefreshAt"].as_str().unwrap().ends_with('Z'));
    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["status"], 200, "{me}");

    let revoked = call(
        &functions.revoke,
        api_gateway_event(
            "POST",
            "/auth/revoke",
            "/auth/revoke",
            json!({}),
            json!({"authUserId": "alice"}),
            None,
        ),
    )
    .await;
    assert_eq!(revoked["statusCode"], 204, "{revoked}");
    assert_eq!(functions.status("alice").await["linked"], false);
    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["status"], 401, "{me}");
    assert_eq!(me["body"]["error"]["code"], "RefreshTokenInvalid");
    let again = call(&functions.revoke, json!({"authUserId": "alice"})).await;
    assert_eq!(again, json!({"status": 204, "body": null}));

    // A link Microsoft stopped honouring is reported invalid, with the reason.
    stack
        .simulator()
        .invalidate_refresh_tokens(ADELE.id, "revoked")
        .await
        .unwrap();
    stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(link_key("dave")))
        .update_expression("SET accessExpiresAt = :past")
        .expression_attribute_values(":past", AttributeValue::N("0".into()))
        .send()
        .await
        .unwrap();
    let me = call(&get, json!({"userId": "me", "authUserId": "dave"})).await;
    assert_eq!(me["body"]["error"]["code"], "RefreshTokenInvalid", "{me}");
    let dave = call(&functions.status, json!({"authUserId": "dave"})).await;
    assert_eq!(dave["status"], 200, "{dave}");
    assert_eq!(dave["body"]["status"], "invalid");
    assert_eq!(dave["body"]["reason"], "revoked");

    for bad in [
        json!({}),
        json!({"authUserId": "a/b"}),
        json!({"authUserId": "x", "query": {"all": true}}),
    ] {
        assert_eq!(
            call(&functions.status, bad.clone()).await["status"],
            400,
            "{bad}"
        );
        assert_eq!(
            call(&functions.revoke, bad.clone()).await["status"],
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn no_code_token_verifier_or_state_reaches_a_location_or_a_log() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn_with(&stack, &[("RUST_LOG", "trace")]).await;
    let mut secrets = vec![DEMO_CLIENT_SECRET.to_string(), "eyJ".to_string()];
    let mut landings = Vec::new();

    // A successful sign-in, then its replay.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "alice")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    secrets.push(stored_verifier(&stack, &state).await.expose().to_string());
    let back = functions.authorize(&authorize_url).await;
    secrets.push(query_of(&back)["code"].clone());
    secrets.push(state);
    landings.push(functions.arrive(&back).await);
    landings.push(functions.arrive(&back).await);
    secrets.extend(stored_tokens(&stack, "alice").await);

    // A failed redemption.
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let authorize_url = functions.start(&[("authUserId", "bob")]).await;
    let state = query_of(&authorize_url)["state"].clone();
    let back = functions.authorize(&authorize_url).await;
    let code = query_of(&back)["code"].clone();
    let tampered = format!("{TEST_REDIRECT_URI}?code={code}x&state={state}");
    landings.push(functions.arrive(&tampered).await);
    secrets.extend([code, state]);
    landings.push(functions.status("alice").await.to_string());

    assert_eq!(landings[0], CALLBACK_URL);
    assert_eq!(landings[1], failure_location("state_invalid"));
    assert_eq!(landings[2], failure_location("invalid_grant"));
    let logs = functions.logs();
    assert!(logs.contains("sign-in linked"), "{logs}");
    assert!(logs.contains("\"failure\":\"invalid_grant\""), "{logs}");
    for text in landings.iter().chain([&logs]) {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "`{secret}` leaked into:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn two_sign_ins_racing_for_one_user_leave_one_consistent_link() {
    let stack = TestStack::start().await;
    let (first, second) = (
        SignInFunctions::spawn(&stack).await,
        SignInFunctions::spawn(&stack).await,
    );
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let adele_back = first
        .authorize(&first.start(&[("authUserId", "alice")]).await)
        .await;
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let alex_back = second
        .authorize(&second.start(&[("authUserId", "alice")]).await)
        .await;

    let (one, two) = tokio::join!(first.arrive(&adele_back), second.arrive(&alex_back));
    assert_eq!((one.as_str(), two.as_str()), (CALLBACK_URL, CALLBACK_URL));

    let link = link_item(&stack, "alice").await.unwrap();
    let winner = link["msUserId"].as_s().unwrap().clone();
    assert!([ADELE.id, ALEX.id].contains(&winner.as_str()), "{winner}");
    let get = spawn_function("users-get", &stack.env()).await;
    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(
        me["body"]["id"], winner,
        "the stored tokens belong to the stored account: {me}"
    );
}
