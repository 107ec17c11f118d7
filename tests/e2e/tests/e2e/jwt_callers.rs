//! Callers behind API Gateway's JWT authorizer: the configured claim names the caller, and a token
//! without it is `Forbidden` on every route, before anything is read or sent; a function whose
//! writes need a scope refuses a token without it; the summary log line names the caller (the JWT
//! subject, or the IAM principal) beside the application user the call acted for.

use e2e::demo_directory::ADELE;
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use serde_json::{Value, json};
use shared::operations::catalog::CATALOG;
use shared::sign_in::functions::SIGN_IN_FUNCTIONS;

/// An event for `method route` whose path parameters are filled with harmless values, carrying a
/// JWT authorizer context with `claims`.
fn jwt_event(method: &str, route: &str, claims: Value) -> Value {
    let parameters: serde_json::Map<String, Value> = route
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            (
                name.to_string(),
                json!(if name == "userId" { "me" } else { "x" }),
            )
        })
        .collect();
    let mut event = api_gateway_event(
        method,
        route,
        route,
        Value::Object(parameters),
        json!({}),
        None,
    );
    event["requestContext"]["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    event
}

fn summary_lines(function: &FunctionProcess) -> Vec<Value> {
    function
        .logs()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("invocation "))
        })
        .collect()
}

#[tokio::test]
async fn a_token_without_the_configured_claim_is_forbidden_on_every_route() {
    let stack = TestStack::start().await;
    let mut env = stack.env();
    env.insert("JWT_SUBJECT_CLAIM".into(), "oid".into());
    stack.simulator().clear_requests().await.unwrap();
    let routes = CATALOG
        .iter()
        .map(|op| (op.name, op.method.as_str(), op.route))
        .chain(
            SIGN_IN_FUNCTIONS
                .iter()
                // The callback is public: no authorizer ever vouches for its callers.
                .filter(|function| function.name != "auth-callback")
                .map(|function| (function.name, function.method.as_str(), function.route)),
        );
    for (name, method, route) in routes {
        let function = spawn_function(name, &env).await;
        // A token that names its subject in `sub`, not in the configured `oid`.
        let answer = call(&function, jwt_event(method, route, json!({"sub": "alice"}))).await;
        assert_eq!(answer["statusCode"], 403, "{name}: {answer}");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "Forbidden", "{name}: {body}");
    }
    assert_eq!(
        stack.simulator().requests().await.unwrap(),
        vec![],
        "nothing reached Microsoft"
    );
}

#[tokio::test]
async fn writes_need_the_configured_scope_and_the_caller_is_named_in_the_logs() {
    let stack = TestStack::start().await;
    sign_in(
        &stack,
        "alice",
        ADELE.id,
        &["User.Read.All", "Calendars.ReadWrite"],
    )
    .await;
    let mut env = stack.env();
    env.insert("JWT_REQUIRED_SCOPES".into(), "calendar.write".into());
    let create = spawn_function("events-create", &env).await;
    let event = |scope: &str| {
        let mut event = api_gateway_event(
            "POST",
            "/users/{userId}/events",
            "/users/me/events",
            json!({"userId": "me"}),
            json!({}),
            Some(
                r#"{"subject": "Plan review", "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-12-01T09:30:00", "timeZone": "UTC"}}"#,
            ),
        );
        event["requestContext"]["authorizer"] =
            json!({"jwt": {"claims": {"sub": "alice", "scope": scope}, "scopes": null}});
        event
    };
    let refused = call(&create, event("calendar.read")).await;
    assert_eq!(refused["statusCode"], 403, "{refused}");
    let created = call(&create, event("calendar.read calendar.write")).await;
    assert_eq!(created["statusCode"], 201, "{created}");
    let summaries = summary_lines(&create);
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert_eq!(summaries[1]["caller"], "jwt:alice", "{}", summaries[1]);
    assert_eq!(summaries[1]["app_user_id"], "alice");

    // Behind IAM, the principal is the caller.
    let get = spawn_function("users-get", &stack.env()).await;
    let principal = "arn:aws:sts::123456789012:assumed-role/app-backend/session";
    let mut event = api_gateway_event(
        "GET",
        "/users/{userId}",
        "/users/me",
        json!({"userId": "me"}),
        json!({"authUserId": "alice"}),
        None,
    );
    event["requestContext"]["authorizer"] =
        json!({"iam": {"userArn": principal, "callerId": "AROAEXAMPLE:session"}});
    let found = call(&get, event).await;
    assert_eq!(found["statusCode"], 200, "{found}");
    let summary = summary_lines(&get).pop().unwrap();
    assert_eq!(summary["caller"], principal, "{summary}");
    assert_eq!(summary["app_user_id"], "alice");
}
