//! `DIRECT_INVOCATION_ERRORS=function-error`: a failed direct invocation is a Lambda function
//! error whose `errorType` is the error code, reported through the Runtime API's error path (what
//! Step Functions' `Retry` and `Catch` match on); API Gateway invocations keep their HTTP answers.

use e2e::demo_directory::ADELE;
use e2e::function_process::{call, spawn_function};
use e2e::lambda_events::api_gateway_event;
use e2e::runtime_api::InvokeError;
use e2e::stack::TestStack;
use serde_json::{Value, json};

#[tokio::test]
async fn failed_direct_invocations_become_function_errors_named_by_their_code() {
    let stack = TestStack::start().await;
    let mut env = stack.env();
    env.insert("DIRECT_INVOCATION_ERRORS".into(), "function-error".into());
    let get = spawn_function("users-get", &env).await;

    let invalid = get.invoke(json!({"userId": "me"})).await;
    let Err(InvokeError::Function(error)) = invalid else {
        panic!("a function error expected: {invalid:?}")
    };
    assert_eq!(error.error_type, "InvalidRequest");
    let cause: Value = serde_json::from_str(&error.error_message).unwrap();
    assert_eq!(cause["error"]["code"], "InvalidRequest");

    let missing = get
        .invoke(json!({"userId": "nobody@contoso.onmicrosoft.com"}))
        .await;
    let Err(InvokeError::Function(error)) = missing else {
        panic!("a function error expected: {missing:?}")
    };
    assert_eq!(error.error_type, "Request_ResourceNotFound");

    let gateway = call(
        &get,
        api_gateway_event(
            "GET",
            "/users/{userId}",
            "/users/me",
            json!({"userId": "me"}),
            json!({}),
            None,
        ),
    )
    .await;
    assert_eq!(gateway["statusCode"], 400, "{gateway}");

    let found = call(&get, json!({"userId": ADELE.id})).await;
    assert_eq!(found["status"], 200, "successes answer as always: {found}");
}
