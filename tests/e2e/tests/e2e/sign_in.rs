//! The sign-in functions (`auth-start`, `auth-callback`, `auth-complete`, `auth-status`,
//! `auth-revoke`) as real Lambda binaries under a Runtime API, against moto and the Microsoft
//! simulator. A browser is played by an HTTP client that does not follow redirects: every hop is
//! read from a `Location` header, from `auth-start` through the simulator's `/authorize` to
//! `auth-callback` and on to the app, which arrives with a `handle` that the application's backend
//! completes with `auth-complete` in its session of the user. The login-CSRF tests use two such
//! browsers, one per person.

use shared::support::table_keys::{
    ACCOUNT_CLAIM_PREFIX, LINK_PREFIX, SIGN_IN_COMPLETION_PREFIX, link_key, sign_in_completion_key,
    sign_in_state_key,
};
use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use e2e::demo_directory::{ADELE, ALEX, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, MEGAN};

use e2e::counting_proxy::CountingProxy;
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
/// A tenant GUID no demo user belongs to.
const OTHER_TENANT_ID: &str = "0c5d9e2a-7b41-4f38-a6e9-3d8b1c2f4a57";

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

/// The `handle` of a browser that landed on `return_url` after a successful callback; panics when
/// it landed anywhere else, or without a handle.
fn handle_at(landed: &str, return_url: &str) -> String {
    let mut url = Url::parse(landed).unwrap_or_else(|_| panic!("not a URL: {landed}"));
    let mut handle = None;
    let rest: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(name, value)| {
            let is_handle = name == "handle";
            if is_handle {
                handle = Some(value.clone());
            }
            !is_handle
        })
        .collect();
    url.set_query(None);
    if !rest.is_empty() {
        url.query_pairs_mut().extend_pairs(rest);
    }
    assert_eq!(url.as_str(), return_url, "landed on {landed}");
    handle.unwrap_or_else(|| panic!("no handle in {landed}"))
}

/// One person's browser: an HTTP client of its own that does not follow redirects.
struct Browser {
    client: reqwest::Client,
}

impl Browser {
    fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// The browser at Microsoft's authorize URL: returns where Microsoft sends it back to.
    async fn authorize(&self, authorize_url: &str) -> String {
        let response = self.client.get(authorize_url).send().await.unwrap();
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        let back = response.headers()["location"].to_str().unwrap().to_string();
        assert!(back.starts_with(TEST_REDIRECT_URI), "{back}");
        back
    }
}

/// The functions of one test, all running against its stack, and one browser.
struct SignInFunctions {
    start: FunctionProcess,
    callback: FunctionProcess,
    complete: FunctionProcess,
    status: FunctionProcess,
    revoke: FunctionProcess,
    browser: Browser,
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
            complete: spawn_function("auth-complete", &env).await,
            status: spawn_function("auth-status", &env).await,
            revoke: spawn_function("auth-revoke", &env).await,
            browser: Browser::new(),
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

    /// This test's browser at Microsoft's authorize URL.
    async fn authorize(&self, authorize_url: &str) -> String {
        self.browser.authorize(authorize_url).await
    }

    /// A browser arriving at the redirect URI (`GET /auth/callback?...`): returns where
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

    /// The whole browser chain, `auth-start` called with `query`, signing in whoever the simulator
    /// lets sign in next; returns where `auth-callback` sends the browser and the `state` the flow
    /// used.
    async fn sign_in(&self, query: &[(&str, &str)]) -> (String, String) {
        let authorize_url = self.start(query).await;
        let state = query_of(&authorize_url)["state"].clone();
        let back = self.authorize(&authorize_url).await;
        (self.arrive(&back).await, state)
    }

    /// The application's backend, in its session of `auth_user_id`, completing `handle`
    /// (`POST /auth/complete` through API Gateway); returns the status and the JSON body.
    async fn complete(&self, auth_user_id: &str, handle: &str) -> (u16, Value) {
        let answer = call(
            &self.complete,
            api_gateway_event(
                "POST",
                "/auth/complete",
                "/auth/complete",
                json!({}),
                json!({"authUserId": auth_user_id, "handle": handle}),
                None,
            ),
        )
        .await;
        let status = answer["statusCode"].as_u64().unwrap() as u16;
        let body = serde_json::from_str(answer["body"].as_str().unwrap_or("null")).unwrap();
        (status, body)
    }

    /// The whole sign-in of `auth_user_id` (chain, then `auth-complete` in their session), with
    /// `auth-start` called with `extra` parameters; returns `auth-complete`'s report.
    async fn link(&self, auth_user_id: &str, extra: &[(&str, &str)]) -> Value {
        let mut query = vec![("authUserId", auth_user_id)];
        query.extend_from_slice(extra);
        let (landed, _) = self.sign_in(&query).await;
        let handle = handle_at(&landed, CALLBACK_URL);
        let (status, body) = self.complete(auth_user_id, &handle).await;
        assert_eq!(status, 200, "{body}");
        body
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
        [
            &self.start,
            &self.callback,
            &self.complete,
            &self.status,
            &self.revoke,
        ]
        .iter()
        .map(|f| f.logs())
        .collect()
    }
}

async fn item(stack: &TestStack, key: String) -> Option<Item> {
    stack
        .dynamodb()
        .get_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(key))
        .consistent_read(true)
        .send()
        .await
        .expect("reading an item")
        .item
}

async fn state_item(stack: &TestStack, state: &str) -> Option<Item> {
    item(stack, sign_in_state_key(state)).await
}

async fn update_item(
    stack: &TestStack,
    key: String,
    set: &str,
    values: Vec<(&str, AttributeValue)>,
) {
    let mut update = stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key(PARTITION_KEY, AttributeValue::S(key))
        .update_expression(set);
    for (name, value) in values {
        update = update.expression_attribute_values(name, value);
    }
    update.send().await.expect("updating an item");
}

async fn update_state_item(
    stack: &TestStack,
    state: &str,
    set: &str,
    values: Vec<(&str, AttributeValue)>,
) {
    update_item(stack, sign_in_state_key(state), set, values).await;
}

async fn link_item(stack: &TestStack, app_user_id: &str) -> Option<Item> {
    item(stack, link_key(app_user_id)).await
}

/// The partition keys of every item in the table starting with `prefix`.
async fn keys_with_prefix(stack: &TestStack, prefix: &str) -> Vec<String> {
    let scan = stack
        .dynamodb()
        .scan()
        .table_name(&stack.function_env().table_name)
        .consistent_read(true)
        .send()
        .await
        .expect("scanning the table");
    scan.items()
        .iter()
        .filter_map(|item| item[PARTITION_KEY].as_s().ok())
        .filter(|key| key.starts_with(prefix))
        .cloned()
        .collect()
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

/// Settings with `oneLinkPerMicrosoftAccount` set to `on`.
async fn one_link_per_account(stack: &mut TestStack, on: bool) {
    let mut settings = stack.settings().clone();
    settings["oneLinkPerMicrosoftAccount"] = json!(on);
    stack.put_settings(settings).await;
}

/// The query strings of the `/authorize` requests the simulator received, in order.
async fn authorize_queries(stack: &TestStack) -> Vec<HashMap<String, String>> {
    stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.path.ends_with("/oauth2/v2.0/authorize"))
        .map(|r| query_of(&format!("http://x/?{}", r.query.unwrap_or_default())))
        .collect()
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
    let handle = handle_at(&functions.arrive(&back).await, CALLBACK_URL);

    // Nothing is linked until the application completes the sign-in in alice's session.
    assert_eq!(functions.status("alice").await["linked"], false);
    assert_eq!(
        keys_with_prefix(&stack, SIGN_IN_COMPLETION_PREFIX).await,
        [sign_in_completion_key(&handle)]
    );
    let (status, completed) = functions.complete("alice", &handle).await;
    assert_eq!(status, 200, "{completed}");
    assert_eq!(completed["linked"], true);
    assert_eq!(completed["msUserId"], ADELE.id);
    assert!(
        keys_with_prefix(&stack, SIGN_IN_COMPLETION_PREFIX)
            .await
            .is_empty()
    );

    let me = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(me["status"], 200, "{me}");
    assert_eq!(me["body"]["id"], ADELE.id);
    let alice = functions.status("alice").await;
    assert_eq!(alice, completed, "auth-complete answers the link's status");
    assert_eq!(alice["status"], "valid");
    assert_eq!(alice["userPrincipalName"], ADELE.user_principal_name);
    assert_eq!(alice["tenantId"], DEMO_TENANT_ID);
    assert_eq!(
        alice["scopes"],
        json!(["Calendars.ReadWrite", "User.Read", "User.Read.All"])
    );
    let everyone = call(&list, json!({"authUserId": "alice"})).await;
    assert_eq!(everyone["status"], 200, "{everyone}");

    // Dev mode by direct invocation, redirected, with an expected account, a prompt and another
    // return URL; completed by direct invocation too.
    let answer = call(
        &functions.start,
        json!({"authUserId": "bob", "query": {
            "mode": "dev", "redirect": true, "returnUrl": WELCOME_URL,
            "loginHint": ALEX.user_principal_name, "tenantId": DEMO_TENANT_ID,
            "prompt": "select_account"
        }}),
    )
    .await;
    assert_eq!(answer["status"], 302, "{answer}");
    let authorize_url = answer["headers"]["location"].as_str().unwrap();
    let asked = query_of(authorize_url);
    assert_eq!(asked["scope"], "openid profile offline_access User.Read");
    assert_eq!(asked["login_hint"], ALEX.user_principal_name);
    assert_eq!(asked["domain_hint"], DEMO_TENANT_ID);
    assert_eq!(asked["prompt"], "select_account");
    let back = functions.authorize(authorize_url).await;
    let handle = handle_at(&functions.arrive(&back).await, WELCOME_URL);
    let completed = call(
        &functions.complete,
        json!({"authUserId": "bob", "query": {"handle": handle}}),
    )
    .await;
    assert_eq!(completed["status"], 200, "{completed}");
    assert_eq!(completed["body"]["msUserId"], ALEX.id);

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
    let at_microsoft = authorize_queries(&stack).await;
    assert_eq!(at_microsoft[1]["prompt"], "select_account");
    assert_eq!(at_microsoft[1]["domain_hint"], DEMO_TENANT_ID);
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
    handle_at(&functions.arrive(&back).await, CALLBACK_URL);
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("state_invalid")
    );

    // A state of the shape the bundle issues, but never issued.
    let code = query_of(&back)["code"].clone();
    let never_issued = "N".repeat(43);
    let landed = functions
        .arrive(&format!(
            "{TEST_REDIRECT_URI}?code={code}&state={never_issued}"
        ))
        .await;
    assert_eq!(landed, failure_location("state_invalid"));

    // Missing and malformed states cannot come from a sign-in the bundle started: refused by a
    // fresh (cold) container before any AWS call, not even the settings.
    let aws = CountingProxy::start(&stack.function_env().aws_endpoint_url).await;
    let mut env = stack.env();
    env.insert("AWS_ENDPOINT_URL".into(), aws.url().to_string());
    let cold_callback = spawn_function("auth-callback", &env).await;
    for query in [
        json!({"code": code}),
        json!({"code": code, "state": "never-issued"}),
        json!({"code": code, "state": "../../x"}),
        json!({"state": never_issued}),
    ] {
        let answer = call(
            &cold_callback,
            api_gateway_event(
                "GET",
                "/auth/callback",
                "/auth/callback",
                json!({}),
                query.clone(),
                None,
            ),
        )
        .await;
        assert_eq!(answer["statusCode"], 400, "{query}: {answer}");
    }
    assert_eq!(aws.total(), 0, "no AWS call: {:?}", aws.counts());

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
        json!({"authUserId": "alice", "query": {"tenantId": "contoso.onmicrosoft.com"}}),
        json!({"authUserId": "alice", "query": {"prompt": "none"}}),
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
    functions.link("alice", &[]).await;
    let first = link_item(&stack, "alice").await.unwrap();
    let first_tokens = stored_tokens(&stack, "alice").await;

    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    functions.link("alice", &[]).await;
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
        functions.link(user, &[]).await;
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
async fn no_code_token_verifier_state_or_handle_reaches_a_log() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn_with(&stack, &[("RUST_LOG", "trace")]).await;
    // Secrets that must appear nowhere: neither in a log nor in where the browser is sent.
    let mut secrets = vec![DEMO_CLIENT_SECRET.to_string(), "eyJ".to_string()];
    // Values the browser carries by design (the handle), which must still stay out of the logs.
    let mut handles = Vec::new();
    let mut landings = Vec::new();

    // A successful sign-in, then its replay, then its completion, then that completion's replay.
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
    let landed = functions.arrive(&back).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    landings.push(functions.arrive(&back).await);
    let (status, completed) = functions.complete("alice", &handle).await;
    assert_eq!(status, 200, "{completed}");
    landings.push(completed.to_string());
    let (status, replayed) = functions.complete("alice", &handle).await;
    assert_eq!(status, 400, "{replayed}");
    landings.push(replayed.to_string());
    handles.push(handle);
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

    // A completion refused in another user's session.
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "bob")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    let (status, refused) = functions.complete("alice", &handle).await;
    assert_eq!(status, 403, "{refused}");
    landings.push(refused.to_string());
    handles.push(handle);

    assert_eq!(landings[0], failure_location("state_invalid"));
    assert_eq!(landings[3], failure_location("invalid_grant"));
    let logs = functions.logs();
    assert!(logs.contains("sign-in linked"), "{logs}");
    assert!(logs.contains("\"failure\":\"invalid_grant\""), "{logs}");
    assert!(
        logs.contains("started for another application user"),
        "{logs}"
    );
    for text in landings.iter().chain([&logs]) {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "`{secret}` leaked into:\n{text}"
            );
        }
    }
    for handle in &handles {
        assert!(
            !logs.contains(handle.as_str()),
            "a handle leaked into the logs"
        );
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
    let (one, two) = (handle_at(&one, CALLBACK_URL), handle_at(&two, CALLBACK_URL));
    let (one, two) = tokio::join!(
        first.complete("alice", &one),
        second.complete("alice", &two)
    );
    assert_eq!((one.0, two.0), (200, 200), "{one:?} {two:?}");

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

/// Login CSRF, attack (a): an attacker who is an ordinary application user (mallory, linked to her
/// own Microsoft account, Megan) starts another sign-in for her application user and sends the
/// authorize URL to a victim (alice), who is signed in to Microsoft as Adele. The victim's browser
/// goes through Microsoft and the callback, but the completion happens in the session that browser
/// arrives in, alice's, not mallory's: refused, discarded, nothing linked. Mallory never holds the
/// handle; had she got it, it is used up.
#[tokio::test]
async fn login_csrf_a_victim_finishing_an_attackers_sign_in_links_nothing() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    let (attacker, victim) = (Browser::new(), Browser::new());

    // Mallory links her own account in her own browser, as any user may.
    stack
        .simulator()
        .queue_sign_in(MEGAN.id, true)
        .await
        .unwrap();
    let own = functions.start(&[("authUserId", "mallory")]).await;
    let landed = functions.arrive(&attacker.authorize(&own).await).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    assert_eq!(functions.complete("mallory", &handle).await.0, 200);
    let mallory_before = link_item(&stack, "mallory").await.unwrap();

    // Then she asks for another authorize URL and, instead of following it, sends it to alice.
    let bait = functions.start(&[("authUserId", "mallory")]).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let back = victim.authorize(&bait).await;
    let handle = handle_at(&functions.arrive(&back).await, CALLBACK_URL);
    assert!(
        keys_with_prefix(&stack, SIGN_IN_COMPLETION_PREFIX)
            .await
            .len()
            == 1,
        "the callback only parks the sign-in"
    );

    // The application completes in the session the victim's browser arrived in: alice's.
    let (status, refused) = functions.complete("alice", &handle).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "SignInUserMismatch");
    // Discarded: not even mallory's session can use it afterwards.
    let (status, gone) = functions.complete("mallory", &handle).await;
    assert_eq!(status, 400, "{gone}");
    assert_eq!(gone["error"]["code"], "SignInHandleInvalid");

    assert_eq!(
        link_item(&stack, "mallory").await.unwrap(),
        mallory_before,
        "mallory's link is still her own account"
    );
    assert_eq!(functions.status("mallory").await["msUserId"], MEGAN.id);
    assert_eq!(functions.status("alice").await["linked"], false);
    assert_eq!(
        keys_with_prefix(&stack, LINK_PREFIX).await,
        [link_key("mallory")]
    );
    assert!(
        keys_with_prefix(&stack, SIGN_IN_COMPLETION_PREFIX)
            .await
            .is_empty()
    );
}

/// Login CSRF, attack (b): alice's authorize URL leaks; frank, who finds it, signs in with his own
/// Microsoft account (Alex) in his own browser. The handle lands in frank's browser, and his
/// session is frank's, not alice's: refused, discarded, nothing linked to alice.
#[tokio::test]
async fn a_leaked_authorize_url_cannot_link_the_finders_account() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    let (owner, finder) = (Browser::new(), Browser::new());

    let leaked = functions.start(&[("authUserId", "alice")]).await;
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let back = finder.authorize(&leaked).await;
    let handle = handle_at(&functions.arrive(&back).await, CALLBACK_URL);
    let (status, refused) = functions.complete("frank", &handle).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "SignInUserMismatch");
    // The leaked URL's state is used up: alice's own browser cannot use it any more either.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let back = owner.authorize(&leaked).await;
    assert_eq!(
        functions.arrive(&back).await,
        failure_location("state_invalid")
    );

    assert!(keys_with_prefix(&stack, LINK_PREFIX).await.is_empty());
    assert_eq!(functions.status("alice").await["linked"], false);
    assert_eq!(functions.status("frank").await["linked"], false);
    // Alice signing in herself still works.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let alice = functions.link("alice", &[]).await;
    assert_eq!(alice["msUserId"], ADELE.id);
}

/// `auth-start` names the expected account (`loginHint`) or tenant (`tenantId`); Microsoft treats
/// both as hints, and the simulator signs in the queued user despite them, as a person choosing
/// another account would. The callback refuses the other account before storing anything.
#[tokio::test]
async fn another_account_than_expected_is_account_mismatch() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;
    for (expected, prompt) in [
        (("loginHint", ADELE.user_principal_name), "login"),
        (("tenantId", OTHER_TENANT_ID), "consent"),
    ] {
        stack
            .simulator()
            .queue_sign_in(ALEX.id, true)
            .await
            .unwrap();
        let (landed, _) = functions
            .sign_in(&[("authUserId", "alice"), expected, ("prompt", prompt)])
            .await;
        assert_eq!(landed, failure_location("account_mismatch"), "{expected:?}");
    }
    let asked = authorize_queries(&stack).await;
    assert_eq!(asked[0]["login_hint"], ADELE.user_principal_name);
    assert_eq!(asked[0]["prompt"], "login");
    assert_eq!(asked[1]["domain_hint"], OTHER_TENANT_ID);
    assert_eq!(asked[1]["prompt"], "consent");
    assert!(
        keys_with_prefix(&stack, SIGN_IN_COMPLETION_PREFIX)
            .await
            .is_empty(),
        "no completion was stored"
    );
    assert!(keys_with_prefix(&stack, LINK_PREFIX).await.is_empty());

    // The expected account (matched case-insensitively) in the expected tenant is linked.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let hint = ADELE.user_principal_name.to_uppercase();
    let linked = functions
        .link(
            "alice",
            &[("loginHint", &hint), ("tenantId", DEMO_TENANT_ID)],
        )
        .await;
    assert_eq!(linked["msUserId"], ADELE.id);
}

#[tokio::test]
async fn one_link_per_microsoft_account_is_enforced_only_when_configured() {
    let mut stack = TestStack::start().await;
    let functions = SignInFunctions::spawn_with(&stack, &[("SETTINGS_TTL_SECONDS", "0")]).await;

    // Without the setting, two application users may link Adele.
    for user in ["alice", "bob"] {
        stack
            .simulator()
            .queue_sign_in(ADELE.id, true)
            .await
            .unwrap();
        functions.link(user, &[]).await;
    }
    for user in ["alice", "bob"] {
        let revoked = call(&functions.revoke, json!({"authUserId": user})).await;
        assert_eq!(revoked["status"], 204, "{revoked}");
    }

    one_link_per_account(&mut stack, true).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    functions.link("alice", &[]).await;
    assert_eq!(
        keys_with_prefix(&stack, ACCOUNT_CLAIM_PREFIX).await.len(),
        1
    );

    // Bob signs in with Adele's account too: refused, and nothing linked to bob.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "bob")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    let (status, refused) = functions.complete("bob", &handle).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "AccountAlreadyLinked");
    assert!(link_item(&stack, "bob").await.is_none());
    assert_eq!(functions.status("alice").await["msUserId"], ADELE.id);

    // Alice signing in again with her own account is fine.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    functions.link("alice", &[]).await;

    // Revoking alice's link frees Adele's account for bob.
    let revoked = call(&functions.revoke, json!({"authUserId": "alice"})).await;
    assert_eq!(revoked["status"], 204, "{revoked}");
    assert!(
        keys_with_prefix(&stack, ACCOUNT_CLAIM_PREFIX)
            .await
            .is_empty()
    );
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let bob = functions.link("bob", &[]).await;
    assert_eq!(bob["msUserId"], ADELE.id);

    // Bob moving to Alex frees Adele again.
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    functions.link("bob", &[]).await;
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    functions.link("alice", &[]).await;
}

#[tokio::test]
async fn a_handle_is_single_use_and_expires() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn(&stack).await;

    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "alice")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    assert_eq!(functions.complete("alice", &handle).await.0, 200);
    let (status, used) = functions.complete("alice", &handle).await;
    assert_eq!(status, 400, "{used}");
    assert_eq!(used["error"]["code"], "SignInHandleInvalid");

    // Expired: DynamoDB's TTL has not removed the item yet.
    stack
        .simulator()
        .queue_sign_in(ALEX.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "bob")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    update_item(
        &stack,
        sign_in_completion_key(&handle),
        &format!("SET {TTL_ATTRIBUTE} = :past"),
        vec![(":past", AttributeValue::N("1".into()))],
    )
    .await;
    let (status, expired) = functions.complete("bob", &handle).await;
    assert_eq!(status, 400, "{expired}");
    assert_eq!(expired["error"]["code"], "SignInHandleInvalid");
    assert!(link_item(&stack, "bob").await.is_none());

    for (user, handle) in [("bob", "never-issued"), ("bob", "../x")] {
        let (status, body) = functions.complete(user, handle).await;
        assert_eq!(body["error"]["code"], "SignInHandleInvalid", "{handle}");
        assert_eq!(status, 400);
    }
    for bad in [
        json!({"query": {"handle": "h"}}),
        json!({"authUserId": "bob"}),
        json!({"authUserId": "bob", "query": {"handle": "h", "state": "s"}}),
        json!({"authUserId": "bob", "query": {"handle": "h"}, "body": {}}),
    ] {
        let answer = call(&functions.complete, bad.clone()).await;
        assert_eq!(answer["status"], 400, "{bad}: {answer}");
        assert_eq!(answer["body"]["error"]["code"], "InvalidRequest");
    }
}

/// Under the optional JWT authorizer the browser's own token names the session's user: the claim
/// the functions are configured with (`JWT_SUBJECT_CLAIM`), not an `authUserId` the caller picks.
#[tokio::test]
async fn under_a_jwt_authorizer_the_tokens_claim_names_who_completes() {
    let stack = TestStack::start().await;
    let functions = SignInFunctions::spawn_with(&stack, &[("JWT_SUBJECT_CLAIM", "app_user")]).await;
    let complete_with = |claims: Value, handle: &str| {
        let mut event = api_gateway_event(
            "POST",
            "/auth/complete",
            "/auth/complete",
            json!({}),
            json!({"handle": handle}),
            None,
        );
        event["requestContext"]["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
        call(&functions.complete, event)
    };

    // Mallory's sign-in, finished in alice's browser; alice's token completes it: refused.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "mallory")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    let without_claim = complete_with(json!({"sub": "mallory"}), &handle).await;
    assert_eq!(without_claim["statusCode"], 403, "{without_claim}");
    let refused = complete_with(json!({"app_user": "alice", "sub": "mallory"}), &handle).await;
    assert_eq!(refused["statusCode"], 403, "{refused}");
    assert!(
        refused["body"]
            .as_str()
            .unwrap()
            .contains("SignInUserMismatch"),
        "{refused}"
    );

    // Alice's own sign-in, completed with her token.
    stack
        .simulator()
        .queue_sign_in(ADELE.id, true)
        .await
        .unwrap();
    let (landed, _) = functions.sign_in(&[("authUserId", "alice")]).await;
    let handle = handle_at(&landed, CALLBACK_URL);
    let completed = complete_with(json!({"app_user": "alice", "sub": "x"}), &handle).await;
    assert_eq!(completed["statusCode"], 200, "{completed}");
    assert_eq!(functions.status("alice").await["msUserId"], ADELE.id);
    assert_eq!(functions.status("mallory").await["linked"], false);
}

#[tokio::test]
async fn dev_mode_sign_ins_can_be_switched_off() {
    let stack = TestStack::start().await;
    let mut env = stack.env();
    env.insert("SIGN_IN_DEV_MODE".into(), "refused".into());
    let start = spawn_function("auth-start", &env).await;
    let event = |mode: &str| {
        api_gateway_event(
            "POST",
            "/auth/start",
            "/auth/start",
            json!({}),
            json!({"authUserId": "alice", "mode": mode}),
            None,
        )
    };
    let refused = call(&start, event("dev")).await;
    assert_eq!(refused["statusCode"], 403, "{refused}");
    let body: Value = serde_json::from_str(refused["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "Forbidden");
    let allowed = call(&start, event("default")).await;
    assert_eq!(allowed["statusCode"], 200, "{allowed}");
}
