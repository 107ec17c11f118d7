//! The one Lambda runtime loop every function runs: logging, configuration, the function's
//! [`Handler`], and per invocation one summary log line and one metrics document.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
use serde_json::Value;
use tracing::Level;

use crate::runtime::config::{Config, DirectErrors};
use crate::runtime::functions::handler_for;
use crate::runtime::handler::Handler;
use crate::runtime::invocation_summary::InvocationSummary;
use crate::runtime::logging;
use crate::support::upstream_record::recording;

/// What the loop keeps between invocations of one container.
struct Container {
    handler: Box<dyn Handler>,
    service: String,
    name: String,
    function_errors: bool,
    cold: AtomicBool,
}

/// Runs the function `name` (a catalog operation, a sign-in function, `token-keeper` or
/// `cache-clear`) until the runtime stops it. Each binary is `shared::run(env!("CARGO_BIN_NAME"))`.
pub async fn run(name: &str) -> Result<(), Error> {
    logging::init();
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let container = Arc::new(Container {
        handler: handler_for(name, &config, &aws)?,
        service: config.service.clone(),
        function_errors: config.direct_errors == DirectErrors::FunctionError,
        name: name.to_string(),
        cold: AtomicBool::new(true),
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let container = container.clone();
        async move { container.invoke(event).await }
    }))
    .await
}

impl Container {
    async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
        let started = Instant::now();
        let cold_start = self.cold.swap(false, Ordering::Relaxed);
        let context = event.context.clone();
        let (mut outcome, upstream) = recording(self.handler.handle(event)).await;
        if self.function_errors {
            outcome = outcome.with_function_error();
        }
        let summary = InvocationSummary {
            service: &self.service,
            operation: &self.name,
            function_name: &context.env_config.function_name,
            function_request_id: &context.request_id,
            xray_trace_id: context.xray_trace_id.as_deref(),
            cold_start,
            duration: started.elapsed(),
            upstream: &upstream,
            outcome: &outcome,
        };
        let level = if summary.failed() {
            Level::WARN
        } else {
            Level::INFO
        };
        logging::write_line(level, summary.log_fields());
        println!("{}", summary.metrics_document());
        outcome.answer
    }
}
