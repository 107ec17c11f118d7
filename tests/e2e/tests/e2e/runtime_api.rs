//! The harness's Lambda Runtime API, driven by the test-only `echo-lambda` binary.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use e2e::function_process::FunctionProcess;
use e2e::runtime_api::InvokeError;
use serde_json::json;

async fn spawn_echo_lambda() -> FunctionProcess {
    FunctionProcess::spawn(
        Path::new(env!("CARGO_BIN_EXE_echo-lambda")),
        &BTreeMap::new(),
    )
    .await
    .expect("spawning echo-lambda")
}

#[tokio::test]
async fn invocations_return_the_function_response() {
    let function = spawn_echo_lambda().await;

    let first = function
        .invoke(json!({"userId": "me", "query": {"$top": "5"}}))
        .await
        .expect("first invocation");
    let second = function
        .invoke(json!({"n": 2}))
        .await
        .expect("second invocation");

    assert_eq!(first, json!({"userId": "me", "query": {"$top": "5"}}));
    assert_eq!(second, json!({"n": 2}));
}

#[tokio::test]
async fn a_function_error_is_an_invoke_error() {
    let function = spawn_echo_lambda().await;

    let error = function
        .invoke(json!({"fail": "asked to fail"}))
        .await
        .expect_err("the function fails");

    let InvokeError::Function(error) = error else {
        panic!("expected a function error, got {error:?}")
    };
    assert_eq!(error.error_type, "EchoLambda.RequestedFailure");
    assert_eq!(error.error_message, "asked to fail");
    assert_eq!(
        function
            .invoke(json!({"after": "error"}))
            .await
            .expect("next invocation"),
        json!({"after": "error"})
    );
}

#[tokio::test]
async fn a_slow_invocation_times_out_and_the_next_one_still_works() {
    let function = spawn_echo_lambda().await;

    let error = function
        .invoke_within(json!({"sleepMs": 1_000}), Duration::from_millis(200))
        .await
        .expect_err("the function is too slow");

    assert!(
        matches!(error, InvokeError::Timeout(_)),
        "expected a timeout, got {error:?}"
    );
    assert_eq!(
        function
            .invoke(json!({"n": 3}))
            .await
            .expect("next invocation"),
        json!({"n": 3})
    );
}

#[tokio::test]
async fn cold_start_and_logs_are_recorded() {
    let function = spawn_echo_lambda().await;

    let cold_start = function
        .cold_start(Duration::from_secs(10))
        .await
        .expect("echo-lambda polls for work");
    function.invoke(json!({})).await.expect("invocation");

    assert!(
        cold_start > Duration::ZERO && cold_start < Duration::from_secs(10),
        "cold start {cold_start:?}"
    );
    assert!(
        function.logs().contains("echo-lambda handling "),
        "logs: {}",
        function.logs()
    );
}

#[tokio::test]
async fn a_process_that_exits_fails_the_invocation() {
    let function = FunctionProcess::spawn(Path::new("/bin/true"), &BTreeMap::new())
        .await
        .expect("spawning true");

    let error = function
        .invoke(json!({}))
        .await
        .expect_err("nothing answers");

    assert!(
        matches!(error, InvokeError::Exited(_)),
        "expected an exit, got {error:?}"
    );
}

/// The Runtime API as a function sees it, driven over HTTP by the test itself.
mod protocol {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use e2e::runtime_api::{FunctionError, InvokeError, RuntimeApi};
    use serde_json::{Value, json};

    fn runtime_url(api: &RuntimeApi, path: &str) -> String {
        format!("http://{}/2018-06-01/runtime/{path}", api.address())
    }

    #[tokio::test]
    async fn next_invocation_carries_the_lambda_headers() {
        let api = RuntimeApi::start("users-get")
            .await
            .expect("starting the Runtime API");
        let http = reqwest::Client::new();

        let (result, next) = tokio::join!(
            api.invoke(json!({"userId": "me"}), Duration::from_secs(60)),
            async {
                let next = http
                    .get(runtime_url(&api, "invocation/next"))
                    .send()
                    .await
                    .expect("polling");
                let header = |name: &str| {
                    next.headers()[name]
                        .to_str()
                        .expect("text header")
                        .to_string()
                };
                let (request_id, deadline_ms) = (
                    header("lambda-runtime-aws-request-id"),
                    header("lambda-runtime-deadline-ms"),
                );
                let (arn, trace_id) = (
                    header("lambda-runtime-invoked-function-arn"),
                    header("lambda-runtime-trace-id"),
                );
                let event: Value = next.json().await.expect("JSON event");
                http.post(runtime_url(
                    &api,
                    &format!("invocation/{request_id}/response"),
                ))
                .body(r#"{"status":200}"#)
                .send()
                .await
                .expect("responding");
                (event, deadline_ms, arn, trace_id)
            }
        );

        let (event, deadline_ms, arn, trace_id) = next;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis();
        let deadline_ms: u128 = deadline_ms.parse().expect("deadline in epoch milliseconds");
        assert_eq!(result.expect("the posted response"), json!({"status": 200}));
        assert_eq!(event, json!({"userId": "me"}));
        assert!(
            deadline_ms > now_ms + 50_000 && deadline_ms <= now_ms + 60_000,
            "deadline {deadline_ms}, now {now_ms}"
        );
        assert_eq!(
            arn,
            "arn:aws:lambda:us-east-1:123456789012:function:users-get"
        );
        assert!(trace_id.starts_with("Root=1-"), "trace id {trace_id}");
    }

    #[tokio::test]
    async fn an_init_error_fails_pending_and_later_invocations() {
        let api = RuntimeApi::start("broken")
            .await
            .expect("starting the Runtime API");
        let http = reqwest::Client::new();
        let reported = FunctionError {
            error_type: "Runtime.InitError".into(),
            error_message: "no settings".into(),
        };

        let (pending, _) = tokio::join!(api.invoke(json!({}), Duration::from_secs(10)), async {
            http.post(runtime_url(&api, "init/error"))
                .body(r#"{"errorType":"Runtime.InitError","errorMessage":"no settings"}"#)
                .send()
                .await
                .expect("reporting")
        });
        let later = api.invoke(json!({}), Duration::from_secs(10)).await;

        assert!(
            matches!(pending, Err(InvokeError::Init(ref error)) if *error == reported),
            "{pending:?}"
        );
        assert!(
            matches!(later, Err(InvokeError::Init(ref error)) if *error == reported),
            "{later:?}"
        );
    }

    #[tokio::test]
    async fn answers_for_unknown_request_ids_are_refused() {
        let api = RuntimeApi::start("users-get")
            .await
            .expect("starting the Runtime API");

        let answer = reqwest::Client::new()
            .post(runtime_url(&api, "invocation/no-such-request/response"))
            .body("{}")
            .send()
            .await
            .expect("posting");

        assert_eq!(answer.status(), reqwest::StatusCode::NOT_FOUND);
    }
}
