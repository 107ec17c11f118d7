//! Entry points: decoding events, encoding responses, and the Lambda runtime loop.

pub mod cache_clear_runtime;
pub mod config;
pub mod embedded_metrics;
pub mod event;
pub mod keeper_event;
pub mod keeper_runtime;
pub mod logging;
pub mod platform_response;
pub mod platform_runtime;
pub mod runtime;
pub mod wiring;
