//! The time an invocation has left, so no outbound call outlives the Lambda invocation.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Time kept in reserve to encode and return a response before Lambda's own deadline.
const RESERVE: Duration = Duration::from_millis(250);

/// Deadlines below this (2001-09-09 in epoch milliseconds) are relative, not epoch times.
const SMALLEST_EPOCH_MILLIS: u64 = 1_000_000_000_000;

/// The instant by which outbound work must be finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Instant);

impl Deadline {
    /// From Lambda's deadline in epoch milliseconds, keeping a reserve for the response.
    /// Values too small to be an epoch time (before 2001) are read as milliseconds from now:
    /// `cargo lambda watch` sends the function timeout that way.
    pub fn from_epoch_millis(deadline_ms: u64) -> Self {
        let left = if deadline_ms < SMALLEST_EPOCH_MILLIS {
            Duration::from_millis(deadline_ms)
        } else {
            let now_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis() as u64;
            Duration::from_millis(deadline_ms.saturating_sub(now_ms))
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_epoch_and_relative_deadlines() {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let epoch = Deadline::from_epoch_millis(now_ms + 3_000).remaining();
        assert!(
            epoch > Duration::from_millis(2_000) && epoch <= Duration::from_millis(3_000),
            "{epoch:?}"
        );
        let relative = Deadline::from_epoch_millis(600_000).remaining();
        assert!(relative > Duration::from_secs(590), "{relative:?}");
        assert_eq!(
            Deadline::from_epoch_millis(now_ms - 1).remaining(),
            Duration::ZERO
        );
    }
}
