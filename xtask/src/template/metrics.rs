//! The CloudWatch metrics the functions emit in the embedded metric format, as the alarms and the
//! dashboard name them. Every invocation writes one metrics document
//! (`shared::runtime::invocation_summary`); the token keeper adds its run's counts
//! (`shared::runtime::keeper_handler`). `tests/e2e/tests/e2e/template.rs` checks these names against
//! what the functions write.

pub use shared::runtime::embedded_metrics::{ERRORS, NAMESPACE};

/// The dimension naming the function: the bundle's name (`users-get`), not the deployed one.
pub const FUNCTION: &str = "Function";
/// The dimension naming the error code of a failed invocation (only on [`ERRORS`]).
pub const ERROR_CODE: &str = "ErrorCode";

/// Invocations (count), per function.
pub const INVOCATIONS: &str = "Invocations";
/// First invocations of a container (count), per function.
pub const COLD_STARTS: &str = "ColdStarts";
/// Time from the event's arrival to the answer (milliseconds), per function.
pub const DURATION: &str = "Duration";
/// Time spent waiting for Microsoft (milliseconds), per function.
pub const UPSTREAM_LATENCY: &str = "UpstreamLatency";

/// The metrics of every invocation, with the dimension [`FUNCTION`]. [`ERRORS`] is 1 for a failed
/// invocation, which also publishes it with the dimensions `[Function, ErrorCode]` and `[ErrorCode]`.
pub const INVOCATION_METRICS: [&str; 5] =
    [INVOCATIONS, ERRORS, COLD_STARTS, DURATION, UPSTREAM_LATENCY];

/// Due links taken up (read from the keeper index and started).
pub const DUE: &str = "Due";
/// Links refreshed.
pub const REFRESHED: &str = "Refreshed";
/// Links someone else refreshed, signed in again, invalidated or removed since the index was read.
pub const NO_LONGER_DUE: &str = "NoLongerDue";
/// Links Microsoft refused to refresh, marked invalid: their users must sign in again.
pub const INVALIDATED: &str = "Invalidated";
/// Links whose refresh failed transiently (Microsoft throttling or unavailable): due again within
/// hours.
pub const DEFERRED: &str = "Deferred";
/// Links the table failed on: left as they were, still due.
pub const FAILED: &str = "Failed";

/// The token keeper's counts of one run, with the dimension `Function=token-keeper`.
pub const KEEPER_METRICS: [&str; 6] =
    [DUE, REFRESHED, NO_LONGER_DUE, INVALIDATED, DEFERRED, FAILED];
