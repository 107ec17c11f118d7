//! When the token keeper must next refresh a link, and which shard of the keeper index it sits in.

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

    /// The shard key (`shard#NN`) of a user: a stable FNV-1a hash of the id modulo the shard count.
    pub fn shard_of(&self, app_user_id: &str) -> String {
        let hash = app_user_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("shard#{:02}", hash % u64::from(self.shards.max(1)))
    }
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
        assert_eq!(schedule.due_at(100), 100 + 14 * 24 * 3600);
    }
}
