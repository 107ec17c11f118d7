//! Structured JSON logs on stdout (CloudWatch), one object per line. The level comes from
//! `RUST_LOG`, else from Lambda's advanced logging controls (`AWS_LAMBDA_LOG_LEVEL`), else `info`.
//! Nothing logged ever holds a token or secret: those are [`Secret`]s.
//!
//! [`Secret`]: crate::support::secret::Secret

use serde_json::{Map, Value};
use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Libraries whose `trace` output quotes request and response bodies (the Lambda runtime logs every
/// raw event, e.g. an authorization code in `auth-callback`'s query; the AWS SDK logs DynamoDB items):
/// when the level asks for `trace`, these log at `debug`.
const BODY_LOGGING_TARGETS: [&str; 2] = ["lambda_runtime", "aws_smithy_runtime"];

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
    let mut filter = rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(fallback));
    if filter
        .max_level_hint()
        .is_none_or(|level| level == LevelFilter::TRACE)
    {
        for target in BODY_LOGGING_TARGETS {
            filter = filter.add_directive(
                format!("{target}=debug")
                    .parse()
                    .expect("a static, valid directive"),
            );
        }
    }
    filter
}

/// Installs the JSON subscriber.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter(
            std::env::var("RUST_LOG").ok(),
            std::env::var("AWS_LAMBDA_LOG_LEVEL").ok(),
        ))
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_ansi(false)
        .try_init();
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
    fn trace_keeps_body_logging_libraries_at_debug() {
        let text = filter(Some("trace".into()), None).to_string();
        assert!(text.contains("lambda_runtime=debug"), "{text}");
        assert!(text.contains("aws_smithy_runtime=debug"), "{text}");
    }
}
