//! A tiny Lambda function for testing the harness's Runtime API without the real functions.
//!
//! It answers every event with the event itself, except:
//! - `{"fail": "<message>"}` → an error response of type `EchoLambda.RequestedFailure` with that message;
//! - `{"sleepMs": N}` → the event, after N milliseconds.
//!
//! Each invocation logs `echo-lambda handling <request id>` to stdout.

use std::time::Duration;

use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
use serde_json::Value;

/// The error type `{"fail": ...}` events produce.
const REQUESTED_FAILURE: &str = "EchoLambda.RequestedFailure";

async fn echo(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    println!("echo-lambda handling {}", event.context.request_id);
    if let Some(message) = event.payload.get("fail").and_then(Value::as_str) {
        return Err(Diagnostic {
            error_type: REQUESTED_FAILURE.to_string(),
            error_message: message.to_string(),
        });
    }
    if let Some(millis) = event.payload.get("sleepMs").and_then(Value::as_u64) {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    Ok(event.payload)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(echo)).await
}
