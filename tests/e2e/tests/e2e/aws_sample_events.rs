//! AWS's own published API Gateway HTTP API (payload format 2.0) sample events, vendored unchanged
//! in `tests/e2e/fixtures/aws-events/` (see its README for repository, path, commit and license), decoded
//! through `shared::runtime::event::decode`, then adapted to real operations (only the route, path
//! parameters, query, claims or body named at each step) and handed to the function binaries.

use std::path::PathBuf;

use base64::Engine;
use e2e::demo_directory::{ADELE, ALEX};
use e2e::function_process::{call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use reqwest::Url;
use serde_json::{Value, json};
use shared::error::ErrorCode;
use shared::operations::request::RawRequest;
use shared::runtime::event::{EventStyle, decode};

/// lambda-events (awslabs/aws-lambda-rust-runtime, MIT).
const RUST_IAM: &str = "aws-lambda-rust-runtime/example-apigw-v2-request-iam.json";
const RUST_JWT: &str = "aws-lambda-rust-runtime/example-apigw-v2-request-jwt-authorizer.json";
const RUST_LAMBDA_AUTHORIZER: &str =
    "aws-lambda-rust-runtime/example-apigw-v2-request-lambda-authorizer.json";
const RUST_MULTI_VALUE: &str =
    "aws-lambda-rust-runtime/example-apigw-v2-request-multi-value-parameters.json";
const RUST_NO_AUTHORIZER: &str =
    "aws-lambda-rust-runtime/example-apigw-v2-request-no-authorizer.json";
/// aws/aws-lambda-go (Apache-2.0).
const GO_IAM: &str = "aws-lambda-go/apigw-v2-request-iam.json";
const GO_JWT: &str = "aws-lambda-go/apigw-v2-request-jwt-authorizer.json";
const GO_URL_BASE64: &str =
    "aws-lambda-go/function-url-domain-only-request-with-base64-encoded-body.json";
const GO_URL_TEXT: &str =
    "aws-lambda-go/function-url-request-with-headers-and-cookies-and-text-body.json";

/// Every vendored event.
const ALL: [&str; 9] = [
    RUST_IAM,
    RUST_JWT,
    RUST_LAMBDA_AUTHORIZER,
    RUST_MULTI_VALUE,
    RUST_NO_AUTHORIZER,
    GO_IAM,
    GO_JWT,
    GO_URL_BASE64,
    GO_URL_TEXT,
];

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/aws-events")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The keys of a raw query string given more than once, decoded as form-urlencoded.
fn repeated_keys(raw: &str) -> Vec<String> {
    let url = Url::parse(&format!("http://x.invalid/?{raw}")).expect("a URL");
    let keys: Vec<String> = url.query_pairs().map(|(key, _)| key.into_owned()).collect();
    let mut repeated: Vec<String> = keys
        .iter()
        .filter(|key| keys.iter().filter(|other| other == key).count() > 1)
        .cloned()
        .collect();
    repeated.dedup();
    repeated
}

fn decoded(event: Value) -> Result<RawRequest, shared::error::ApiError> {
    let (style, raw) = decode(event);
    assert_eq!(style, EventStyle::ApiGateway);
    raw
}

#[test]
fn every_sample_is_read_as_an_api_gateway_event_and_repeated_keys_are_refused() {
    for name in ALL {
        let event = fixture(name);
        let raw_query = event["rawQueryString"].as_str().unwrap_or_default();
        let repeated = repeated_keys(raw_query);
        match decoded(event.clone()) {
            Err(error) => {
                let key = repeated.first().unwrap_or_else(|| {
                    panic!("{name} has no repeated key, yet is refused: {error}")
                });
                assert_eq!(error.code(), Some(ErrorCode::InvalidRequest), "{name}");
                assert!(
                    error
                        .to_string()
                        .contains(&format!("`{key}` is given more than once")),
                    "{name}: {error}"
                );
            }
            Ok(raw) => {
                assert!(repeated.is_empty(), "{name} repeats {repeated:?}: {raw:?}");
                assert_eq!(raw.verified_subject, None, "{name}");
            }
        }
    }
    // The six samples whose rawQueryString repeats a key (API Gateway joined the values with commas).
    let refused: Vec<&str> = ALL
        .into_iter()
        .filter(|name| decoded(fixture(name)).is_err())
        .collect();
    assert_eq!(
        refused,
        [
            RUST_IAM,
            RUST_JWT,
            RUST_LAMBDA_AUTHORIZER,
            RUST_MULTI_VALUE,
            GO_IAM,
            GO_JWT
        ]
    );
}

#[test]
fn real_function_url_requests_decode_their_query_and_bodies() {
    // Captured with `awscurl -X POST -d '<idk/>'`: the body arrives base64-encoded.
    let raw = decoded(fixture(GO_URL_BASE64)).unwrap();
    assert_eq!(raw.body.as_deref(), Some("<idk/>"));
    assert!(raw.query.is_empty() && raw.params.is_empty() && raw.user_id.is_none());
    // `?hello=world&foo=bar` with a JSON text body.
    let raw = decoded(fixture(GO_URL_TEXT)).unwrap();
    assert_eq!(
        raw.query.iter().collect::<Vec<_>>(),
        [
            (&"foo".to_string(), &"bar".to_string()),
            (&"hello".to_string(), &"world".to_string())
        ]
    );
    assert_eq!(raw.body.as_deref(), Some(r#"{"hello": "world"}"#));
    // A curl GET with nothing: no query, no body.
    let raw = decoded(fixture(RUST_NO_AUTHORIZER)).unwrap();
    assert!(raw.query.is_empty() && raw.body.is_none() && raw.auth_user_id.is_none());
}

/// `event` with its repeated query keys replaced by `raw_query` (both `rawQueryString` and the
/// `queryStringParameters` API Gateway would send beside it).
fn with_query(mut event: Value, raw_query: &str) -> Value {
    let url = Url::parse(&format!("http://x.invalid/?{raw_query}")).expect("a URL");
    let parameters: serde_json::Map<String, Value> = url
        .query_pairs()
        .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
        .collect();
    event["rawQueryString"] = json!(raw_query);
    event["queryStringParameters"] = Value::Object(parameters);
    event
}

#[test]
fn the_query_comes_from_raw_query_string_not_the_comma_joined_map() {
    for name in [RUST_IAM, GO_IAM, RUST_LAMBDA_AUTHORIZER] {
        // API Gateway's map says `parameter1: "value1,value2"`; the raw query, one value.
        let mut event = fixture(name);
        event["rawQueryString"] = json!("parameter1=value1&parameter2=value");
        let raw = decoded(event).unwrap();
        assert_eq!(raw.query["parameter1"], "value1", "{name}");
        assert_eq!(raw.query["parameter2"], "value", "{name}");
    }
    // An event built by hand without rawQueryString: the map's values are taken whole, commas and all.
    let mut event = fixture(RUST_MULTI_VALUE);
    event.as_object_mut().unwrap().remove("rawQueryString");
    assert_eq!(decoded(event).unwrap().query["Parameter1"], "value1,value2");
}

#[test]
fn iam_and_lambda_authorizer_events_are_accepted_without_a_verified_subject() {
    for name in [RUST_IAM, GO_IAM, RUST_LAMBDA_AUTHORIZER] {
        let event = with_query(fixture(name), "parameter2=value&authUserId=app-user-42");
        let raw = decoded(event).unwrap_or_else(|error| panic!("{name}: {error}"));
        // The caller signed the request (IAM) or an authorizer let it through: `authUserId` is theirs to give.
        assert_eq!(raw.verified_subject, None, "{name}");
        // The IAM principal is the caller the summary line names; a Lambda authorizer names none.
        let principal =
            (name != RUST_LAMBDA_AUTHORIZER).then_some("arn:aws:iam::1234567890:user/Admin");
        assert_eq!(raw.caller_identity.as_deref(), principal, "{name}");
        assert_eq!(raw.auth_user_id.as_deref(), Some("app-user-42"), "{name}");
        // The `{proxy+}` path parameter and the GET body are kept for validation to judge.
        assert_eq!(raw.params["proxy"], "hello/world", "{name}");
        assert_eq!(raw.body.as_deref(), Some("{\r\n\t\"a\": 1\r\n}"), "{name}");
    }
}

#[test]
fn jwt_claims_give_the_verified_subject() {
    for name in [RUST_JWT, GO_JWT] {
        let event = with_query(fixture(name), "parameter2=value");
        // AWS's samples carry `claim1`/`claim2` but no `sub`: nobody to act as.
        let error = decoded(event.clone()).unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Forbidden), "{name}: {error}");
        // With the subject a real token has, it is the caller.
        let mut with_subject = event;
        with_subject["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!("adele");
        let raw = decoded(with_subject).unwrap();
        assert_eq!(raw.verified_subject.as_deref(), Some("adele"), "{name}");
        assert_eq!(raw.query["parameter2"], "value", "{name}");
    }
}

/// `event` adapted to `method route`, requested at `path` with `path_parameters`.
fn routed(
    mut event: Value,
    method: &str,
    route: &str,
    path: &str,
    path_parameters: Value,
) -> Value {
    let route_key = format!("{method} {route}");
    event["routeKey"] = json!(route_key);
    event["requestContext"]["routeKey"] = json!(route_key);
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(path);
    event["pathParameters"] = path_parameters;
    event
}

#[tokio::test]
async fn sample_events_adapted_to_real_operations_run_the_functions() {
    let stack = TestStack::start().await;
    sign_in(
        &stack,
        "adele",
        ADELE.id,
        &["User.Read", "Calendars.ReadWrite"],
    )
    .await;
    let env = stack.env();
    let users_get = spawn_function("users-get", &env).await;
    let users_list = spawn_function("users-list", &env).await;
    let calendars_create = spawn_function("calendars-create", &env).await;
    let graph_requests = || async {
        stack
            .simulator()
            .requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|request| request.path.starts_with("/v1.0/"))
            .map(|request| (request.method, request.path, request.query))
            .collect::<Vec<_>>()
    };
    let user_path = format!("/users/{}", ADELE.id);

    // IAM sample → users-get with application permissions (the sample's GET body dropped).
    let mut event = routed(
        with_query(fixture(RUST_IAM), "%24select=id,displayName"),
        "GET",
        "/users/{userId}",
        &user_path,
        json!({"userId": ADELE.id}),
    );
    event["body"] = Value::Null;
    stack.simulator().clear_requests().await.unwrap();
    let answer = call(&users_get, event).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["displayName"], ADELE.display_name, "{body}");
    assert_eq!(
        graph_requests().await,
        [(
            "GET".to_string(),
            format!("/v1.0{user_path}"),
            Some("%24select=id%2CdisplayName".to_string())
        )]
    );
    // Kept as AWS wrote it, the GET body is refused before Graph.
    let with_body = routed(
        with_query(fixture(GO_IAM), ""),
        "GET",
        "/users/{userId}",
        &user_path,
        json!({"userId": ADELE.id}),
    );
    let refused = call(&users_get, with_body).await;
    assert_eq!(refused["statusCode"], 400, "{refused}");

    // JWT sample with a `sub` → users-get of `me`, delegated as that application user.
    let mut jwt = routed(
        with_query(fixture(GO_JWT), "$select=id,displayName"),
        "GET",
        "/users/{userId}",
        "/users/me",
        json!({"userId": "me"}),
    );
    jwt["body"] = Value::Null;
    jwt["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!("adele");
    let answer = call(&users_get, jwt.clone()).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert!(
        answer["body"].as_str().unwrap().contains(ADELE.id),
        "{answer}"
    );
    // Another authUserId than the token's subject is Forbidden, before Graph.
    stack.simulator().clear_requests().await.unwrap();
    let other = with_query(jwt.clone(), "$select=id&authUserId=alex");
    let answer = call(&users_get, other).await;
    assert_eq!(answer["statusCode"], 403, "{answer}");
    // Exactly as AWS published it (no `sub`): Forbidden too, never application permissions.
    let mut no_subject = jwt;
    no_subject["requestContext"]["authorizer"] =
        fixture(GO_JWT)["requestContext"]["authorizer"].clone();
    let answer = call(&users_get, no_subject).await;
    assert_eq!(answer["statusCode"], 403, "{answer}");
    assert_eq!(graph_requests().await, [], "refused before Graph");

    // No-authorizer curl sample → users-list with application permissions.
    let list = routed(
        with_query(
            fixture(RUST_NO_AUTHORIZER),
            "$filter=startswith(displayName,'A')&$select=id,displayName",
        ),
        "GET",
        "/users",
        "/users",
        Value::Null,
    );
    let answer = call(&users_list, list).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    let mut names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["displayName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, [ADELE.display_name, ALEX.display_name], "{body}");

    // The captured base64 function URL request → calendars-create: its own body (`<idk/>`) is not
    // JSON and is refused; a base64 JSON body creates the calendar.
    let captured = routed(
        fixture(GO_URL_BASE64),
        "POST",
        "/users/{userId}/calendars",
        &format!("{user_path}/calendars"),
        json!({"userId": ADELE.id}),
    );
    stack.simulator().clear_requests().await.unwrap();
    let answer = call(&calendars_create, captured.clone()).await;
    assert_eq!(answer["statusCode"], 400, "{answer}");
    assert!(
        answer["body"].as_str().unwrap().contains("not valid JSON"),
        "{answer}"
    );
    assert_eq!(graph_requests().await, [], "refused before Graph");
    let mut json_body = captured;
    json_body["body"] =
        json!(base64::engine::general_purpose::STANDARD.encode(r#"{"name": "Falcon, base64"}"#));
    json_body["headers"]["content-type"] = json!("application/json");
    let answer = call(&calendars_create, json_body).await;
    assert_eq!(answer["statusCode"], 201, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["name"], "Falcon, base64", "{body}");
    assert_eq!(
        graph_requests().await,
        [(
            "POST".to_string(),
            format!("/v1.0{user_path}/calendars"),
            None
        )]
    );
}
