//! What every operation binary runs: logging, configuration, the executor, and the Lambda runtime
//! loop handling API Gateway and direct events alike.

use std::sync::Arc;
use std::time::Instant;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

use crate::runtime::config::Config;
use crate::runtime::event::{decode, encode};
use crate::runtime::logging;
use crate::runtime::wiring::Adapters;
use crate::operations::catalog;
use crate::support::deadline::Deadline;
use crate::operations::executor::Executor;
use crate::operations::operation::Operation;

/// Runs the Lambda function for the catalog operation `name` until the runtime stops it.
pub async fn run(name: &str) -> Result<(), Error> {
    logging::init();
    let operation =
        catalog::find(name).ok_or_else(|| format!("`{name}` is not in the operations catalog"))?;
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let executor = Arc::new(Adapters::new(&config, &aws).executor(&config));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let executor = executor.clone();
        async move { Ok::<Value, Error>(handle(&executor, operation, event).await) }
    }))
    .await
}

/// Handles one invocation; never fails: every error becomes a response in the event's style.
pub async fn handle(
    executor: &Executor,
    operation: &Operation,
    event: LambdaEvent<Value>,
) -> Value {
    let started = Instant::now();
    let request_id = event.context.request_id.clone();
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let (style, raw) = decode(event.payload);
    let result = match raw.and_then(|raw| raw.validate(operation)) {
        Ok(request) => {
            executor
                .execute(operation, request, client_request_id.clone(), deadline)
                .await
        }
        Err(error) => Err(error),
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(response) => tracing::info!(
            operation = operation.name,
            status = response.status,
            client_request_id,
            duration_ms,
            "operation succeeded"
        ),
        Err(error) => tracing::warn!(
            operation = operation.name,
            status = error.status(),
            error = %error,
            client_request_id,
            duration_ms,
            "operation failed"
        ),
    }
    encode(style, &result, &request_id)
}
