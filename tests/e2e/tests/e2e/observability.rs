//! What a function tells operators about each invocation: one summary log line with the
//! Powertools-style fields and one CloudWatch embedded-metrics document, for a success and for an
//! error, read from a real function process's stdout.

use e2e::demo_directory::ADELE;
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use serde_json::{Value, json};

/// The JSON log lines of `function` whose `field` is `value`.
fn lines_with(function: &FunctionProcess, field: &str, value: &str) -> Vec<Value> {
    function
        .logs()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line[field] == value)
        .collect()
}

#[tokio::test]
async fn every_invocation_writes_one_summary_line_and_one_metrics_document() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, &["User.Read.All"]).await;
    let get = spawn_function("users-get", &stack.env()).await;

    let found = call(&get, json!({"userId": "me", "authUserId": "alice"})).await;
    assert_eq!(found["status"], 200, "{found}");
    let missing = call(&get, json!({"userId": "nobody@contoso.onmicrosoft.com"})).await;
    assert_eq!(missing["status"], 404, "{missing}");
    let invalid = call(&get, json!({"userId": "me", "authUserId": "a b"})).await;
    assert_eq!(invalid["status"], 400, "{invalid}");

    let summaries = lines_with(&get, "operation", "users-get");
    let [success, graph_error, own_error] = &summaries[..] else {
        panic!("three summary lines expected:\n{}", get.logs())
    };
    assert_eq!(success["message"], "invocation succeeded", "{success}");
    assert_eq!(success["level"], "INFO");
    assert_eq!(success["cold_start"], true);
    assert_eq!(success["service"], "graph-functions");
    assert_eq!(success["mode"], "delegated");
    assert_eq!(success["status"], 200);
    assert_eq!(success["error_code"], Value::Null);
    assert!(
        success["function_request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(success["function_name"].is_string(), "{success}");
    assert!(
        success["graph_request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{success}"
    );
    assert!(
        success["client_request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(
        success["upstream_requests"].as_u64().unwrap() >= 1,
        "{success}"
    );
    assert!(success["upstream_ms"].as_f64().unwrap() > 0.0, "{success}");
    assert!(success["duration_ms"].as_f64().unwrap() >= success["upstream_ms"].as_f64().unwrap());

    assert_eq!(graph_error["message"], "invocation failed", "{graph_error}");
    assert_eq!(graph_error["level"], "WARN");
    assert_eq!(graph_error["cold_start"], false);
    assert_eq!(graph_error["mode"], "application");
    assert_eq!(graph_error["status"], 404);
    assert_eq!(graph_error["error_code"], "Request_ResourceNotFound");
    assert!(graph_error["graph_request_id"].is_string(), "{graph_error}");

    assert_eq!(own_error["error_code"], "InvalidRequest", "{own_error}");
    assert_eq!(own_error["status"], 400);
    assert_eq!(
        own_error["mode"],
        Value::Null,
        "an invalid request has no mode"
    );
    assert_eq!(
        own_error["upstream_requests"], 0,
        "nothing was sent: {own_error}"
    );
    assert_ne!(
        success["function_request_id"], graph_error["function_request_id"],
        "each invocation has its own request id"
    );

    let metrics = lines_with(&get, "Function", "users-get");
    let [success, graph_error, own_error] = &metrics[..] else {
        panic!("three metrics documents expected:\n{}", get.logs())
    };
    let directives = |document: &Value| {
        document["_aws"]["CloudWatchMetrics"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(
        success["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "GraphFunctions"
    );
    assert_eq!(success["Invocations"], 1.0);
    assert_eq!(success["Errors"], 0.0);
    assert_eq!(success["ColdStarts"], 1.0);
    assert!(success["UpstreamLatency"].as_f64().unwrap() > 0.0);
    assert_eq!(directives(success), 1, "no error dimension on success");
    assert_eq!(graph_error["Errors"], 1.0);
    assert_eq!(graph_error["ColdStarts"], 0.0);
    assert_eq!(graph_error["ErrorCode"], "Request_ResourceNotFound");
    assert_eq!(directives(graph_error), 2);
    assert_eq!(own_error["ErrorCode"], "InvalidRequest");
    assert_eq!(
        own_error["_aws"]["CloudWatchMetrics"][1]["Dimensions"],
        json!([["Function", "ErrorCode"], ["ErrorCode"]])
    );
}
