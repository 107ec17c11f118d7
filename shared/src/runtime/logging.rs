//! Structured JSON logs on stdout (CloudWatch), one object per line. The level comes from
//! `RUST_LOG`, else from Lambda's advanced logging controls (`AWS_LAMBDA_LOG_LEVEL`), else `info`.
//! Nothing logged ever holds a token or secret: those are [`Secret`]s.
//!
//! [`Secret`]: crate::support::secret::Secret

use serde_json::{Map, Value};
use tracing::Level;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Libraries whose `trace` output quotes what passes through them (the Lambda runtime logs every
/// raw event, e.g. an authorization code in `auth-callback`'s query; the AWS SDK logs request and
/// response bodies: DynamoDB items, the settings secret; the HTTP stack logs headers): they never
/// log below `debug`, whatever `RUST_LOG` says.
const QUOTING_TARGETS: [&str; 11] = [
    "lambda_runtime",
    "lambda_runtime_api_client",
    "aws_smithy_runtime",
    "aws_smithy_http_client",
    "aws_sdk_dynamodb",
    "aws_sdk_secretsmanager",
    "aws_config",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
];

/// The cap no configuration can lift: [`QUOTING_TARGETS`] at `debug` at most.
fn quoting_cap() -> Targets {
    QUOTING_TARGETS.into_iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |cap, target| cap.with_target(target, LevelFilter::DEBUG),
    )
}

/// The filter directive for Lambda's `AWS_LAMBDA_LOG_LEVEL` value (`TRACE` ... `FATAL`).
fn lambda_log_level(value: &str) -> Option<&'static str> {
    match value.to_ascii_uppercase().as_str() {
        "TRACE" => Some("trace"),
        "DEBUG" => Some("debug"),
        "INFO" => Some("info"),
        "WARN" => Some("warn"),
        "ERROR" | "FATAL" => Some("error"),
        _ => None,
    }
}

/// The filter for `rust_log` (`RUST_LOG`) and `lambda_level` (`AWS_LAMBDA_LOG_LEVEL`).
fn filter(rust_log: Option<String>, lambda_level: Option<String>) -> EnvFilter {
    let fallback = lambda_level
        .as_deref()
        .and_then(lambda_log_level)
        .unwrap_or("info");
    rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(fallback))
}

/// Installs the JSON subscriber: the configured filter, and the [`quoting_cap`] on top of it.
pub fn init() {
    let configured = filter(
        std::env::var("RUST_LOG").ok(),
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok(),
    );
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_ansi(false)
        .with_filter(configured.and(quoting_cap()));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Writes one JSON log line of `fields` at `level`, with `timestamp` and `level` first, unless the
/// configured level filters it out. For lines whose fields are only known at run time (the
/// invocation summary).
pub fn write_line(level: Level, fields: Map<String, Value>) {
    if LevelFilter::current() < level {
        return;
    }
    let mut line = Map::new();
    line.insert(
        "timestamp".into(),
        Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
    );
    line.insert("level".into(), Value::String(level.to_string()));
    line.extend(fields);
    println!("{}", Value::Object(line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambdas_log_level_applies_when_rust_log_is_unset() {
        let level = |rust_log: Option<&str>, lambda: Option<&str>| {
            filter(rust_log.map(String::from), lambda.map(String::from)).max_level_hint()
        };
        assert_eq!(level(None, Some("WARN")), Some(LevelFilter::WARN));
        assert_eq!(level(None, Some("FATAL")), Some(LevelFilter::ERROR));
        assert_eq!(level(None, None), Some(LevelFilter::INFO));
        assert_eq!(level(None, Some("LOUD")), Some(LevelFilter::INFO));
        assert_eq!(
            level(Some("error"), Some("DEBUG")),
            Some(LevelFilter::ERROR)
        );
    }

    #[test]
    fn libraries_that_quote_what_passes_through_them_never_log_below_debug() {
        let cap = quoting_cap();
        for target in [
            "lambda_runtime",
            "aws_smithy_runtime::client::orchestrator",
            "hyper_util::client",
            "reqwest::connect",
        ] {
            assert!(!cap.would_enable(target, &Level::TRACE), "{target}");
            assert!(cap.would_enable(target, &Level::DEBUG), "{target}");
        }
        assert!(cap.would_enable("shared::tokens", &Level::TRACE));
    }
}
