//! Structured JSON logs on stdout (CloudWatch), one object per line, carrying the Lambda request id
//! from the runtime's span. Nothing logged ever holds a token or secret: those are [`Secret`]s.
//!
//! [`Secret`]: crate::domain::secret::Secret

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber; the level comes from `RUST_LOG` (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_ansi(false)
        .try_init();
}
