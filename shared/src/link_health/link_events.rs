//! The transitions that announce link events, and their publishing. Each transition is computed
//! from the link as read and written conditionally on its `version` together with the event (the
//! link's outbox, [`LinkHealth::event_pending`]): only the writer whose write wins publishes, so
//! six containers and the keeper seeing the same failure announce it once. After the write the
//! event is published and the outbox cleared; if publishing fails or the function stops in
//! between, the event stays pending, and the link is due for the keeper at once (see the token
//! store), whose next run publishes it with the same `eventId`: at least once, never lost.
//! Without an event bus nothing is recorded and nothing is published.

use std::sync::Arc;

use crate::error::{ApiError, ErrorCode};
use crate::events::publisher::EventPublisher;
use crate::link_health::at_risk::AtRiskPolicy;
use crate::link_health::health::LinkHealth;
use crate::link_health::link_event::{LinkEventKind, LinkEventRecord};
use crate::link_health::reason::LinkReason;
use crate::tokens::store::{Link, TokenStore};

/// Who saw a refresh fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureSeen {
    /// A call for the user: only a policy block is recorded (a passing 429 or 5xx is not news).
    OnDemand,
    /// The token keeper: every failure is recorded, so a link failing for days is announced at
    /// risk, and recovered when it works again.
    ByKeeper,
}

/// Announces link transitions on the application's bus.
#[derive(Clone, Default)]
pub struct LinkEvents {
    publisher: Option<Arc<dyn EventPublisher>>,
    at_risk: AtRiskPolicy,
}

impl LinkEvents {
    /// Announces through `publisher` (none: nothing is recorded or published), at risk by `at_risk`.
    pub fn new(publisher: Option<Arc<dyn EventPublisher>>, at_risk: AtRiskPolicy) -> Self {
        Self { publisher, at_risk }
    }

    /// Whether there is a bus to announce on.
    pub fn enabled(&self) -> bool {
        self.publisher.is_some()
    }

    /// The health of `link`'s successor written at `version` after a successful refresh at `now`:
    /// `Link Recovered` when it had been failing.
    pub fn after_refresh(&self, link: &Link, version: u64, now: i64) -> LinkHealth {
        if self.publisher.is_none() || link.health.failing_since.is_none() {
            return link.health.clone();
        }
        let record = LinkEventRecord::new(
            LinkEventKind::Recovered,
            LinkReason::RefreshWorksAgain,
            &link.app_user_id,
            version,
            now,
        );
        LinkHealth {
            failing_since: None,
            ..link.health.clone()
        }
        .announcing(record)
    }

    /// The health of `link`'s successor written at `version`, invalid for `stored_reason` after
    /// Microsoft answered `error_codes` at `now`: `Link Invalidated`.
    pub fn after_invalidation(
        &self,
        link: &Link,
        version: u64,
        stored_reason: &str,
        error_codes: &[u32],
        now: i64,
    ) -> LinkHealth {
        if self.publisher.is_none() {
            return link.health.clone();
        }
        let reason = LinkReason::of_invalidation(stored_reason, error_codes);
        let record = LinkEventRecord::new(
            LinkEventKind::Invalidated,
            reason,
            &link.app_user_id,
            version,
            now,
        );
        LinkHealth::default().announcing(record)
    }

    /// The health of `link`, written by a sign-in at `now` (its `version` names the event) in place
    /// of `previous`: `Link Relinked` when `previous` linked the same Microsoft account (in the
    /// same tenant), else `Link Linked`.
    pub fn after_sign_in(&self, previous: Option<&Link>, link: &Link, now: i64) -> LinkHealth {
        if self.publisher.is_none() {
            return LinkHealth::default();
        }
        let same_account = previous.is_some_and(|previous| {
            previous.ms_user_id == link.ms_user_id && previous.ms_tenant_id == link.ms_tenant_id
        });
        let kind = if same_account {
            LinkEventKind::Relinked
        } else {
            LinkEventKind::Linked
        };
        let record = LinkEventRecord::new(
            kind,
            LinkReason::SignedIn,
            &link.app_user_id,
            link.version,
            now,
        );
        LinkHealth::default().announcing(record)
    }

    /// Records that refreshing `link` failed with `error` at `now` (seen as `seen`): a policy
    /// block is `Link Invalidated` (`blocked_by_policy`, the link kept) the first time; the
    /// keeper's failures start the failing period, and one failing long enough is `Link At
    /// Risk`, once. Returns the version the link has afterwards (`link.version` when nothing
    /// changed or another writer came first). `Err` only when the table failed.
    pub async fn after_failure(
        &self,
        store: &dyn TokenStore,
        link: &Link,
        error: &ApiError,
        seen: FailureSeen,
        now: i64,
    ) -> Result<u64, ApiError> {
        let blocked = error.code() == Some(ErrorCode::BlockedByPolicy);
        if self.publisher.is_none() || (seen == FailureSeen::OnDemand && !blocked) {
            return Ok(link.version);
        }
        let version = link.version + 1;
        let failing_since = link.health.failing_since.unwrap_or(now);
        let mut health = LinkHealth {
            failing_since: Some(failing_since),
            ..link.health.clone()
        };
        if blocked
            && !health.last_announced(LinkEventKind::Invalidated, LinkReason::BlockedByPolicy)
        {
            health = health.announcing(LinkEventRecord::new(
                LinkEventKind::Invalidated,
                LinkReason::BlockedByPolicy,
                &link.app_user_id,
                version,
                now,
            ));
        } else if !health.last_kind_is(LinkEventKind::AtRisk)
            && let Some(reason) = self
                .at_risk
                .at_risk(failing_since, link.last_refresh_at, now)
        {
            health = health.announcing(LinkEventRecord::new(
                LinkEventKind::AtRisk,
                reason,
                &link.app_user_id,
                version,
                now,
            ));
        }
        if health == link.health {
            return Ok(link.version);
        }
        let failing = Link {
            health,
            version,
            ..link.clone()
        };
        if !store
            .replace_link_if_version(&failing, link.version)
            .await?
        {
            return Ok(link.version);
        }
        Ok(self.publish_pending(store, failing).await.version)
    }

    /// Publishes `link`'s pending event, if any, and clears it from the stored link (conditional on
    /// its version). Returns the link as stored afterwards. Never fails: an event that could not be
    /// published stays pending for the next call or keeper run (logged).
    pub async fn publish_pending(&self, store: &dyn TokenStore, link: Link) -> Link {
        let (Some(publisher), Some(record), true) = (
            &self.publisher,
            &link.health.last_event,
            link.health.event_pending,
        ) else {
            return link;
        };
        if let Err(error) = publisher.publish(&[record.to_bus_event(&link)]).await {
            tracing::warn!(error = %error, event_id = %record.id, "link event not published; it stays pending");
            return link;
        }
        tracing::info!(event_id = %record.id, detail_type = record.kind.detail_type(), "link event published");
        let published = Link {
            health: LinkHealth {
                event_pending: false,
                ..link.health.clone()
            },
            version: link.version + 1,
            ..link.clone()
        };
        match store
            .replace_link_if_version(&published, link.version)
            .await
        {
            Ok(true) => published,
            // Another writer came first: the event may be published again, with the same id.
            Ok(false) => link,
            Err(error) => {
                tracing::warn!(error = %error, "a published link event stays marked pending");
                link
            }
        }
    }

    /// Announces that the application revoked `link` (at `now`), before it is deleted: if this
    /// fails, the revocation fails and its retry announces it again with the same `eventId`.
    pub async fn revoked(&self, link: &Link, now: i64) -> Result<(), ApiError> {
        let Some(publisher) = &self.publisher else {
            return Ok(());
        };
        let record = LinkEventRecord::new(
            LinkEventKind::Revoked,
            LinkReason::RevokedByApplication,
            &link.app_user_id,
            link.version,
            now,
        );
        publisher.publish(&[record.to_bus_event(link)]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link_health::at_risk::DAY_SECS;
    use crate::sign_in::account_claims::MsAccountId;
    use crate::test_util::{MemoryStore, RecordingPublisher, link_to};
    use crate::tokens::store::LinkStatus;
    use std::sync::atomic::Ordering;

    const NOW: i64 = 1_800_000_000;

    struct World {
        store: Arc<MemoryStore>,
        bus: Arc<RecordingPublisher>,
        events: LinkEvents,
    }

    fn world() -> World {
        let bus = Arc::new(RecordingPublisher::default());
        World {
            store: Arc::new(MemoryStore::default()),
            events: LinkEvents::new(Some(bus.clone()), AtRiskPolicy::days(7)),
            bus,
        }
    }

    fn alice() -> Link {
        Link {
            last_refresh_at: NOW - 14 * DAY_SECS,
            ..link_to(
                "alice",
                &MsAccountId {
                    tenant_id: "tenant-1".into(),
                    ms_user_id: "oid-1".into(),
                },
            )
        }
    }

    impl World {
        fn published(&self) -> Vec<(String, String)> {
            self.bus
                .published
                .lock()
                .unwrap()
                .iter()
                .map(|event| {
                    (
                        event.detail_type.to_string(),
                        event.detail["reason"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        }

        async fn stored(&self) -> Link {
            self.store.get_link("alice").await.unwrap().unwrap()
        }

        async fn fail(&self, error: &ApiError, seen: FailureSeen, now: i64) -> u64 {
            let link = self.stored().await;
            self.events
                .after_failure(&*self.store, &link, error, seen, now)
                .await
                .unwrap()
        }
    }

    fn unavailable() -> ApiError {
        ApiError::unavailable("503", None)
    }

    #[tokio::test]
    async fn a_transient_failure_on_demand_records_nothing_and_the_keepers_starts_the_period() {
        let world = world();
        world.store.put_link(&alice()).await.unwrap();
        assert_eq!(
            world.fail(&unavailable(), FailureSeen::OnDemand, NOW).await,
            1
        );
        assert_eq!(world.stored().await.health, LinkHealth::default());
        assert_eq!(
            world.fail(&unavailable(), FailureSeen::ByKeeper, NOW).await,
            2
        );
        assert_eq!(world.stored().await.health.failing_since, Some(NOW));
        assert_eq!(
            world
                .fail(&unavailable(), FailureSeen::ByKeeper, NOW + 3600)
                .await,
            2,
            "a failing link is written once, not on every failure"
        );
        assert!(world.published().is_empty());
    }

    #[tokio::test]
    async fn at_risk_is_announced_once_after_the_days_then_recovered() {
        let world = world();
        world.store.put_link(&alice()).await.unwrap();
        world.fail(&unavailable(), FailureSeen::ByKeeper, NOW).await;
        for hours in [1, 24, 24 * 6] {
            world
                .fail(&unavailable(), FailureSeen::ByKeeper, NOW + hours * 3600)
                .await;
        }
        assert!(world.published().is_empty());
        for day in [7, 8, 9] {
            world
                .fail(&unavailable(), FailureSeen::ByKeeper, NOW + day * DAY_SECS)
                .await;
        }
        assert_eq!(
            world.published(),
            [("Link At Risk".to_string(), "refresh_failing".to_string())]
        );
        let stored = world.stored().await;
        assert!(!stored.health.event_pending, "published and cleared");
        let health = world
            .events
            .after_refresh(&stored, stored.version + 1, NOW + 10 * DAY_SECS);
        assert_eq!(health.failing_since, None);
        assert_eq!(
            health.last_event.as_ref().unwrap().kind,
            LinkEventKind::Recovered
        );
        assert!(health.event_pending);
    }

    #[tokio::test]
    async fn a_link_near_the_inactivity_limit_is_at_risk_on_its_first_failure() {
        let world = world();
        let old = Link {
            last_refresh_at: NOW - 85 * DAY_SECS,
            ..alice()
        };
        world.store.put_link(&old).await.unwrap();
        world.fail(&unavailable(), FailureSeen::ByKeeper, NOW).await;
        assert_eq!(
            world.published(),
            [(
                "Link At Risk".to_string(),
                "inactivity_limit_near".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_policy_block_is_announced_once_by_the_writer_that_wins() {
        let world = world();
        world.store.put_link(&alice()).await.unwrap();
        let blocked = ApiError::new(ErrorCode::BlockedByPolicy, "policy");
        let link = world.stored().await;
        // Two containers saw the same block on the same version: one write wins.
        let (a, b) = tokio::join!(
            world
                .events
                .after_failure(&*world.store, &link, &blocked, FailureSeen::OnDemand, NOW),
            world
                .events
                .after_failure(&*world.store, &link, &blocked, FailureSeen::OnDemand, NOW),
        );
        assert!(a.is_ok() && b.is_ok());
        world.fail(&blocked, FailureSeen::ByKeeper, NOW + 60).await;
        assert_eq!(
            world.published(),
            [(
                "Link Invalidated".to_string(),
                "blocked_by_policy".to_string()
            )]
        );
        let stored = world.stored().await;
        assert_eq!(stored.status, LinkStatus::Valid, "a blocked link is kept");
        assert_eq!(stored.health.failing_since, Some(NOW));
    }

    #[tokio::test]
    async fn an_event_that_could_not_be_published_stays_pending_with_its_id() {
        let world = world();
        world.bus.failing.store(true, Ordering::SeqCst);
        let link = alice();
        let record = LinkEventRecord::new(
            LinkEventKind::Invalidated,
            LinkReason::Revoked,
            "alice",
            2,
            NOW,
        );
        let invalid = Link {
            health: LinkHealth::default().announcing(record.clone()),
            version: 2,
            ..link
        };
        world.store.put_link(&invalid).await.unwrap();
        let kept = world
            .events
            .publish_pending(&*world.store, invalid.clone())
            .await;
        assert_eq!(kept, invalid);
        assert!(world.stored().await.health.event_pending);

        world.bus.failing.store(false, Ordering::SeqCst);
        let cleared = world
            .events
            .publish_pending(&*world.store, world.stored().await)
            .await;
        assert!(!cleared.health.event_pending);
        assert_eq!(world.stored().await, cleared);
        let ids: Vec<String> = world
            .bus
            .published
            .lock()
            .unwrap()
            .iter()
            .map(|event| event.id.clone())
            .collect();
        assert_eq!(ids, [record.id]);
    }

    #[tokio::test]
    async fn without_a_bus_nothing_is_recorded() {
        let events = LinkEvents::default();
        let store = MemoryStore::default();
        let link = alice();
        store.put_link(&link).await.unwrap();
        let version = events
            .after_failure(&store, &link, &unavailable(), FailureSeen::ByKeeper, NOW)
            .await
            .unwrap();
        assert_eq!(version, link.version);
        assert_eq!(
            events.after_sign_in(None, &link, NOW),
            LinkHealth::default()
        );
        assert_eq!(
            events.after_invalidation(&link, 2, "revoked", &[50173], NOW),
            link.health
        );
        events.revoked(&link, NOW).await.unwrap();
    }

    #[tokio::test]
    async fn a_sign_in_of_the_same_account_is_relinked_and_of_another_linked() {
        let world = world();
        let previous = alice();
        let again = Link {
            version: 99,
            ..alice()
        };
        let relinked = world.events.after_sign_in(Some(&previous), &again, NOW);
        assert_eq!(relinked.last_event.unwrap().kind, LinkEventKind::Relinked);
        let other = Link {
            ms_user_id: "oid-2".into(),
            ..again.clone()
        };
        let linked = world.events.after_sign_in(Some(&previous), &other, NOW);
        assert_eq!(linked.last_event.unwrap().id, "link#alice#99#linked");
        assert_eq!(
            world
                .events
                .after_sign_in(None, &again, NOW)
                .last_event
                .unwrap()
                .kind,
            LinkEventKind::Linked
        );
    }
}
