//! Structured JSON logs on stdout (CloudWatch), one object per line, carrying the Lambda request id
//! from the runtime's span. Nothing logged ever holds a token or secret: those are [`Secret`]s.
//!
//! [`Secret`]: crate::support::secret::Secret

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Libraries whose `trace` output quotes request and response bodies (the Lambda runtime logs every
/// raw event, e.g. an authorization code in `auth-callback`'s query; the AWS SDK logs DynamoDB items):
/// when `RUST_LOG` asks for `trace`, these log at `debug`.
const BODY_LOGGING_TARGETS: [&str; 2] = ["lambda_runtime", "aws_smithy_runtime"];

/// Installs the JSON subscriber; the level comes from `RUST_LOG` (default `info`).
pub fn init() {
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
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
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_ansi(false)
        .try_init();
}
