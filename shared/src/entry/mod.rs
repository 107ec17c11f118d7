//! Entry points: decoding events, encoding responses, and the Lambda runtime loop.

pub mod config;
pub mod event;
pub mod logging;
pub mod platform_response;
pub mod platform_runtime;
pub mod runtime;
pub mod wiring;
