//! When the token keeper must next refresh a link, and which shard of the keeper index it sits in.

/// After a transient failure a link is due again this long later (plus jitter): much sooner than a
/// regular refresh, late enough not to hammer a struggling Microsoft.
const RETRY_AFTER_SECS: i64 = 3600;
/// Up to this much is added to a retry time, so links that failed together do not return together.
const RETRY_JITTER_SECS: i64 = 1800;

/// Refresh age and shard count of the keeper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeeperSchedule {
    /// A link is due this many seconds after its last refresh (well inside Microsoft's 90-day window).
    pub refresh_age_secs: i64,
    /// Number of shards the keeper index is spread over.
    pub shards: u32,
}

impl Default for KeeperSchedule {
    fn default() -> Self {
        Self {
            refresh_age_secs: 14 * 24 * 3600,
            shards: 16,
        }
    }
}

impl KeeperSchedule {
    /// Epoch seconds at which a link last refreshed at `last_refresh_at` is due.
    pub fn due_at(&self, last_refresh_at: i64) -> i64 {
        last_refresh_at + self.refresh_age_secs
    }

    /// Whether a link last refreshed at `last_refresh_at` is due at `now` (both epoch seconds).
    pub fn is_due(&self, last_refresh_at: i64, now: i64) -> bool {
        self.due_at(last_refresh_at) <= now
    }

    /// Epoch seconds at which a link whose refresh failed transiently at `now` is due again.
    pub fn retry_at(&self, now: i64) -> i64 {
        now + RETRY_AFTER_SECS + rand::random_range(0..=RETRY_JITTER_SECS)
    }

    /// The shard number of a user: a stable FNV-1a hash of the id modulo the shard count.
    pub fn shard_number(&self, app_user_id: &str) -> u32 {
        let hash = app_user_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        (hash % u64::from(self.shards.max(1))) as u32
    }

    /// The shard key (`shard#NN`) of a user in the keeper index.
    pub fn shard_of(&self, app_user_id: &str) -> String {
        shard_key(self.shard_number(app_user_id))
    }
}

/// The keeper index partition key of shard number `shard`.
pub fn shard_key(shard: u32) -> String {
    format!("shard#{shard:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        let schedule = KeeperSchedule::default();
        assert_eq!(schedule.shard_of("alice"), schedule.shard_of("alice"));
        let shards: std::collections::HashSet<_> = (0..1000)
            .map(|i| schedule.shard_of(&format!("user-{i}")))
            .collect();
        assert_eq!(shards.len(), 16);
        assert!(shards.contains(&shard_key(0)) && shards.contains(&shard_key(15)));
        assert_eq!(schedule.due_at(100), 100 + 14 * 24 * 3600);
    }

    #[test]
    fn due_times_and_retries() {
        let schedule = KeeperSchedule::default();
        let age = schedule.refresh_age_secs;
        assert!(schedule.is_due(1_000, 1_000 + age));
        assert!(!schedule.is_due(1_000, 1_000 + age - 1));
        for _ in 0..100 {
            let retry = schedule.retry_at(1_000);
            assert!(
                (1_000 + RETRY_AFTER_SECS..=1_000 + RETRY_AFTER_SECS + RETRY_JITTER_SECS)
                    .contains(&retry),
                "{retry}"
            );
        }
    }
}
