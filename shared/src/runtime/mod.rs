//! The entry layer: the one Lambda runtime loop every function runs ([`invocation`]), the handler
//! each function gets ([`functions`]), decoding events and encoding answers, structured logs and
//! metrics, and the composition root that wires the real adapters to the domain. May import
//! everything.

pub mod cache_clear_handler;
pub mod change_feed_wiring;
pub mod config;
pub mod embedded_metrics;
pub mod event;
pub mod functions;
pub mod handler;
pub mod invocation;
pub mod invocation_summary;
pub mod jwt_rules;
pub mod keeper_event;
pub mod keeper_handler;
pub mod link_events_wiring;
pub mod logging;
pub mod notifications_handler;
pub mod operation_handler;
pub mod outcome;
pub mod query_string;
pub mod renewal_report;
pub mod sign_in_handler;
pub mod sign_in_response;
pub mod subscriptions_handler;
pub mod wiring;

pub use invocation::run;
