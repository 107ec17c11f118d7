//! The time an invocation has left, so no outbound call outlives the Lambda invocation.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Time kept in reserve to encode and return a response before Lambda's own deadline.
const RESERVE: Duration = Duration::from_millis(250);

/// The instant by which outbound work must be finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Instant);

impl Deadline {
    /// From Lambda's deadline in epoch milliseconds, keeping a reserve for the response.
    pub fn from_epoch_millis(deadline_ms: u64) -> Self {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
        Self(Instant::now() + left.saturating_sub(RESERVE))
    }

    /// A deadline `duration` from now.
    pub fn after(duration: Duration) -> Self {
        Self(Instant::now() + duration)
    }

    /// Time left; zero once passed.
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}
