//! The entry layer: decoding events, encoding answers, the Lambda runtime loop every function runs,
//! structured logs and metrics, and the composition root that wires the real adapters to the
//! domain. May import everything.

pub mod cache_clear_runtime;
pub mod config;
pub mod embedded_metrics;
pub mod event;
pub mod keeper_event;
pub mod keeper_runtime;
pub mod logging;
pub mod operation_runtime;
pub mod sign_in_response;
pub mod sign_in_runtime;
pub mod wiring;

pub use operation_runtime::run;
