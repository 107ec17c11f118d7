//! The token keeper: refreshes the links of some shards that the keeper index lists as due, with
//! bounded concurrency toward Microsoft, inside the invocation's time budget. It stops starting new
//! links when the remaining time runs low and leaves the rest due for the next run; every link is
//! re-read and redeemed conditionally on its version, so overlapping or retried runs change nothing
//! twice.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;

use crate::error::ApiError;
use crate::keeper::due_links::{DueLink, DueLinks};
use crate::keeper::schedule::{KeeperSchedule, shard_key};
use crate::settings::product_settings::Settings;
use crate::support::clock::now_epoch;
use crate::support::deadline::Deadline;
use crate::tokens::delegated_tokens::{DelegatedTokens, KeeperOutcome};

/// Due links read from the index per request.
const PAGE_SIZE: u32 = 100;
/// New links are started only while more than this share of the budget is left...
const STOP_SHARE: u32 = 5;
/// ...and at most this much: in-flight refreshes then have half of it to finish and be recorded.
const MAX_STOP_MARGIN: Duration = Duration::from_secs(10);

/// What one run did, logged and returned as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeeperSummary {
    /// The shard numbers processed.
    pub shards: Vec<u32>,
    /// Due links taken up (read from the index and started).
    pub due: usize,
    /// Links whose refresh token was redeemed and the rotated one stored.
    pub refreshed: usize,
    /// Links someone else refreshed, signed in again, invalidated or removed since the index was read.
    pub no_longer_due: usize,
    /// Links Microsoft rejected for good, now marked invalid.
    pub invalidated: usize,
    /// Links whose refresh failed transiently, now due again within hours.
    pub deferred: usize,
    /// Deferred links by the error code of the failure.
    pub deferral_causes: BTreeMap<String, usize>,
    /// Links the table failed on (left as they were, still due).
    pub failed: usize,
    /// Whether every due link of the shards was taken up; `false` when the time ran low or the
    /// index could not be read (the rest stays due for the next run).
    pub drained: bool,
    /// How long the run took, in milliseconds.
    pub duration_ms: u64,
}

/// What became of one item of the due-link stream.
enum Step {
    /// A due link was handled.
    Kept(KeeperOutcome),
    /// A due link could not be handled because the table failed.
    LinkFailed,
    /// A page of the index could not be read; the shard's remaining links are left for later.
    IndexFailed,
}

impl KeeperSummary {
    fn record(&mut self, step: Step) {
        match step {
            Step::Kept(outcome) => {
                self.due += 1;
                match outcome {
                    KeeperOutcome::Refreshed => self.refreshed += 1,
                    KeeperOutcome::NoLongerDue => self.no_longer_due += 1,
                    KeeperOutcome::Invalidated(_) => self.invalidated += 1,
                    KeeperOutcome::Deferred(error) => {
                        self.deferred += 1;
                        let cause = error.code().map_or("GraphError", |code| code.as_str());
                        *self.deferral_causes.entry(cause.to_string()).or_default() += 1;
                    }
                }
            }
            Step::LinkFailed => {
                self.due += 1;
                self.failed += 1;
            }
            Step::IndexFailed => self.drained = false,
        }
    }
}

/// How long before the deadline no new link is started: a fifth of the budget, at most 10 s.
fn stop_margin(budget: Duration) -> Duration {
    (budget / STOP_SHARE).min(MAX_STOP_MARGIN)
}

/// Keeps the stored refresh tokens of due links alive.
pub struct TokenKeeper {
    tokens: DelegatedTokens,
    due_links: Arc<dyn DueLinks>,
    schedule: KeeperSchedule,
    concurrency: usize,
}

impl TokenKeeper {
    /// A keeper refreshing through `tokens` the links `due_links` lists, due by `schedule`, at most
    /// `concurrency` at a time.
    pub fn new(
        tokens: DelegatedTokens,
        due_links: Arc<dyn DueLinks>,
        schedule: KeeperSchedule,
        concurrency: usize,
    ) -> Self {
        Self {
            tokens,
            due_links,
            schedule,
            concurrency: concurrency.max(1),
        }
    }

    /// Refreshes the due links of `shards` (interleaved, so a short budget is shared fairly) until
    /// they are all done or the time before `deadline` runs low.
    pub async fn run(
        &self,
        settings: &Settings,
        shards: &[u32],
        deadline: Deadline,
    ) -> KeeperSummary {
        let started = Instant::now();
        let now = now_epoch();
        let margin = stop_margin(deadline.remaining());
        let refresh_deadline = Deadline::after(deadline.remaining().saturating_sub(margin / 2));
        let time_ran_low = AtomicBool::new(false);
        let due = stream::select_all(
            shards
                .iter()
                .map(|&shard| self.due_in(shard_key(shard), now).boxed()),
        );
        let mut steps = due
            .take_while(|_| {
                let go_on = deadline.remaining() > margin;
                if !go_on {
                    time_ran_low.store(true, Ordering::Relaxed);
                }
                futures::future::ready(go_on)
            })
            .map(|item| async {
                match item {
                    Ok(link) => match self
                        .tokens
                        .refresh_due(
                            settings,
                            &link.app_user_id,
                            &self.schedule,
                            refresh_deadline,
                        )
                        .await
                    {
                        Ok(outcome) => Step::Kept(outcome),
                        Err(_) => Step::LinkFailed,
                    },
                    Err(_) => Step::IndexFailed,
                }
            })
            .buffer_unordered(self.concurrency);
        let mut summary = KeeperSummary {
            shards: shards.to_vec(),
            drained: true,
            ..KeeperSummary::default()
        };
        while let Some(step) = steps.next().await {
            summary.record(step);
        }
        if time_ran_low.load(Ordering::Relaxed) {
            summary.drained = false;
        }
        summary.duration_ms = started.elapsed().as_millis() as u64;
        summary
    }

    /// The links of `shard` due at `now`, earliest first, read a page at a time as they are needed.
    /// A failed page read ends the shard with one `Err`.
    fn due_in(
        &self,
        shard: String,
        now: i64,
    ) -> impl Stream<Item = Result<DueLink, ApiError>> + Send + '_ {
        // The state is the cursor of the next page (`Some(None)` for the first), `None` when done.
        stream::unfold(Some(None), move |cursor: Option<Option<DueLink>>| {
            let shard = shard.clone();
            async move {
                let after = cursor?;
                match self
                    .due_links
                    .due_page(&shard, now, after.as_ref(), PAGE_SIZE)
                    .await
                {
                    Ok(page) => {
                        let next = match page.links.last() {
                            Some(last) if page.more => Some(Some(last.clone())),
                            _ => None,
                        };
                        let links: Vec<_> = page.links.into_iter().map(Ok).collect();
                        Some((stream::iter(links), next))
                    }
                    Err(error) => Some((stream::iter(vec![Err(error)]), None)),
                }
            }
        })
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::clock::now_micros;
    use crate::support::secret::Secret;
    use crate::support::table_keys::link_key;
    use crate::test_util::{MemoryStore, ScriptedIdentityPlatform, settings};
    use crate::tokens::cipher::TokenCipher;
    use crate::tokens::delegated_tokens::REFRESH_PURPOSE;
    use crate::tokens::identity_platform::{TokenFailure, TokenRejection};
    use crate::tokens::store::{Link, LinkStatus, TokenStore};

    const DAY: i64 = 24 * 3600;

    struct World {
        store: Arc<MemoryStore>,
        identity_platform: Arc<ScriptedIdentityPlatform>,
        settings: Settings,
    }

    impl World {
        fn new() -> Self {
            Self::with_schedule(KeeperSchedule::default())
        }

        fn with_schedule(schedule: KeeperSchedule) -> Self {
            Self {
                store: Arc::new(MemoryStore {
                    schedule,
                    ..MemoryStore::default()
                }),
                identity_platform: Arc::new(ScriptedIdentityPlatform::default()),
                settings: settings(),
            }
        }

        /// Stores a valid link for `app_user_id` last refreshed `days_ago`.
        async fn link(&self, app_user_id: &str, days_ago: i64) {
            let cipher = TokenCipher::new(&self.settings.encryption_keys);
            let refreshed = now_epoch() - days_ago * DAY;
            let link = Link {
                app_user_id: app_user_id.into(),
                ms_user_id: format!("ms-{app_user_id}"),
                ms_tenant_id: None,
                user_principal_name: None,
                refresh_token: cipher.seal(
                    &Secret::new(format!("refresh-of-{app_user_id}")),
                    REFRESH_PURPOSE,
                    &link_key(app_user_id),
                ),
                access_token: None,
                access_expires_at: 0,
                scopes: vec!["User.Read".into()],
                version: now_micros(),
                status: LinkStatus::Valid,
                linked_at: refreshed,
                last_refresh_at: refreshed,
                health: Default::default(),
            };
            self.store.put_link(&link).await.unwrap();
        }

        fn stored(&self, app_user_id: &str) -> Link {
            self.store.links.lock().unwrap()[app_user_id].clone()
        }

        fn keeper(&self, concurrency: usize) -> TokenKeeper {
            TokenKeeper::new(
                DelegatedTokens::new(
                    self.store.clone(),
                    self.identity_platform.clone(),
                    Duration::from_secs(300),
                ),
                self.store.clone(),
                self.store.schedule,
                concurrency,
            )
        }

        async fn run(&self, shards: &[u32]) -> KeeperSummary {
            self.keeper(4)
                .run(
                    &self.settings,
                    shards,
                    Deadline::after(Duration::from_secs(30)),
                )
                .await
        }
    }

    fn all_shards() -> Vec<u32> {
        (0..KeeperSchedule::default().shards).collect()
    }

    fn dead(code: u32) -> Result<crate::tokens::identity_platform::TokenGrant, TokenFailure> {
        Err(TokenFailure::Rejected(TokenRejection {
            status: 400,
            error: "invalid_grant".into(),
            error_codes: vec![code],
            suberror: None,
        }))
    }

    #[tokio::test]
    async fn refreshes_only_the_due_links_of_the_given_shards() {
        let world = World::new();
        for i in 0..40 {
            world.link(&format!("due-{i}"), 20).await;
            world.link(&format!("fresh-{i}"), 3).await;
        }
        let summary = world.run(&all_shards()).await;
        assert_eq!(summary.due, 40, "{summary:?}");
        assert_eq!(summary.refreshed, 40);
        assert!(summary.drained);
        assert_eq!(world.store.listed_due.load(Ordering::SeqCst), 40);
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 40);
        let due = world.stored("due-7");
        assert!(due.last_refresh_at >= now_epoch() - 5);
        assert!(due.access_token.is_some());
        assert_eq!(
            world.stored("fresh-7").last_refresh_at,
            now_epoch() - 3 * DAY
        );

        let again = world.run(&all_shards()).await;
        assert_eq!(again.due, 0, "refreshed links are no longer due: {again:?}");
    }

    #[tokio::test]
    async fn a_shard_is_read_only_through_its_own_index_partition() {
        let world = World::new();
        for i in 0..40 {
            world.link(&format!("due-{i}"), 20).await;
        }
        let schedule = world.store.schedule;
        let in_shard_3 = (0..40)
            .filter(|i| schedule.shard_number(&format!("due-{i}")) == 3)
            .count();
        assert!(in_shard_3 > 0);
        let summary = world.run(&[3]).await;
        assert_eq!(summary.refreshed, in_shard_3);
        assert_eq!(summary.shards, [3]);
    }

    #[tokio::test]
    async fn pages_are_followed_past_the_page_size() {
        let world = World::with_schedule(KeeperSchedule {
            shards: 3,
            ..KeeperSchedule::default()
        });
        for i in 0..(6 * PAGE_SIZE as usize) {
            world.link(&format!("due-{i}"), 20).await;
        }
        let summary = world
            .keeper(16)
            .run(
                &world.settings,
                &[0, 1],
                Deadline::after(Duration::from_secs(30)),
            )
            .await;
        let in_shards_0_and_1 = world
            .store
            .links
            .lock()
            .unwrap()
            .keys()
            .filter(|id| world.store.schedule.shard_number(id) < 2)
            .count();
        assert!(
            in_shards_0_and_1 > 2 * PAGE_SIZE as usize,
            "{in_shards_0_and_1}"
        );
        assert_eq!(summary.refreshed, in_shards_0_and_1, "{summary:?}");
        assert_eq!(summary.due, in_shards_0_and_1);
    }

    #[tokio::test]
    async fn revoked_links_are_invalidated_and_throttled_ones_deferred() {
        let world = World::new();
        world.link("revoked", 20).await;
        world
            .identity_platform
            .refresh_answers
            .lock()
            .unwrap()
            .push(dead(50173));
        let summary = world.run(&all_shards()).await;
        assert_eq!(summary.invalidated, 1, "{summary:?}");
        assert_eq!(
            world.stored("revoked").status,
            LinkStatus::Invalid {
                reason: "revoked".into()
            }
        );

        let throttled_world = World::new();
        throttled_world.link("throttled", 20).await;
        let before = throttled_world.stored("throttled");
        throttled_world
            .identity_platform
            .refresh_answers
            .lock()
            .unwrap()
            .push(Err(TokenFailure::Unavailable("HTTP 429".into())));
        let summary = throttled_world.run(&all_shards()).await;
        assert_eq!(summary.deferred, 1, "{summary:?}");
        assert_eq!(summary.deferral_causes["UpstreamUnavailable"], 1);
        assert_eq!(
            throttled_world.stored("throttled"),
            before,
            "still valid, unchanged"
        );
        let due_again = throttled_world.store.deferred.lock().unwrap()["throttled"];
        let now = now_epoch();
        assert!(
            due_again > now && due_again < now + DAY,
            "due again within hours, not in {} days",
            world.store.schedule.refresh_age_secs / DAY
        );
        assert_eq!(throttled_world.run(&all_shards()).await.due, 0);

        // An invalid link never comes back until the user signs in again.
        assert_eq!(world.run(&all_shards()).await.due, 0);
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn overlapping_and_repeated_runs_change_each_link_once() {
        let world = World::new();
        for i in 0..30 {
            world.link(&format!("due-{i}"), 20).await;
        }
        let versions: Vec<u64> = (0..30)
            .map(|i| world.stored(&format!("due-{i}")).version)
            .collect();
        let (first, second) = (world.keeper(4), world.keeper(4));
        let deadline = Deadline::after(Duration::from_secs(30));
        let shards = all_shards();
        let (a, b) = tokio::join!(
            first.run(&world.settings, &shards, deadline),
            second.run(&world.settings, &shards, deadline)
        );
        assert_eq!(a.refreshed + b.refreshed, 30, "{a:?} {b:?}");
        assert_eq!(a.failed + b.failed + a.deferred + b.deferred, 0);
        for (i, version) in versions.iter().enumerate() {
            assert_eq!(
                world.stored(&format!("due-{i}")).version,
                version + 1,
                "exactly one rotation was stored"
            );
        }
        assert_eq!(world.run(&shards).await.due, 0, "a retry finds nothing due");
    }

    #[tokio::test]
    async fn no_link_is_started_once_the_time_runs_low() {
        let world = World::new();
        world.link("due", 20).await;
        let summary = world
            .keeper(4)
            .run(
                &world.settings,
                &all_shards(),
                Deadline::after(Duration::ZERO),
            )
            .await;
        assert_eq!(summary.due, 0, "{summary:?}");
        assert!(!summary.drained);
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 0);
        assert_eq!(world.run(&all_shards()).await.refreshed, 1, "still due");
    }

    #[test]
    fn the_stop_margin_is_a_fifth_of_the_budget_at_most_ten_seconds() {
        assert_eq!(stop_margin(Duration::from_secs(5)), Duration::from_secs(1));
        assert_eq!(stop_margin(Duration::from_secs(900)), MAX_STOP_MARGIN);
    }
}
