//! The token keeper's subscription step: renews the subscriptions of its shards that are due
//! (found through the keeper's sparse index, so the work grows with what is due), and replaces a
//! subscription Graph no longer has (renewal answered 404) by a new one, announcing `Resync Needed`.
//! A renewal that fails for now is due again an hour later. A subscription whose owner's link is
//! gone or invalid (`RefreshTokenInvalid`: revoked, or rejected by Microsoft for good) cannot be
//! renewed by anyone: its record is forgotten (its notifications are dropped from then on) and
//! Graph lets it expire.

use std::sync::Arc;

use serde::Serialize;

use crate::change_feed::feed_events::{ResyncReason, resync_event};
use crate::change_feed::subscription::renewal_shard_key;
use crate::change_feed::subscriptions::{Renewal, Subscriptions};
use crate::error::{ApiError, ErrorCode};
use crate::events::publisher::EventPublisher;
use crate::support::clock::now_epoch;
use crate::support::deadline::Deadline;

/// Subscriptions read from the index per page.
const PAGE: u32 = 25;
/// A failed renewal is due again this much later.
const RETRY_AFTER_SECS: i64 = 3600;
/// No new renewal starts with less time than this left in the invocation.
const MIN_TIME_LEFT_MS: u64 = 5_000;

/// What one renewal run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RenewalSummary {
    /// Due subscriptions read.
    pub due: usize,
    /// Renewed.
    pub renewed: usize,
    /// Gone at Graph, created anew with `Resync Needed` announced.
    pub recreated: usize,
    /// Failed for now; due again later.
    pub deferred: usize,
    /// Forgotten: the owner's link is revoked or invalid.
    pub retired: usize,
}

/// The keeper's subscription step.
pub struct SubscriptionRenewal {
    subscriptions: Arc<Subscriptions>,
    publisher: Arc<dyn EventPublisher>,
}

impl SubscriptionRenewal {
    /// The step over the subscriptions and the bus `Resync Needed` goes to.
    pub fn new(subscriptions: Arc<Subscriptions>, publisher: Arc<dyn EventPublisher>) -> Self {
        Self {
            subscriptions,
            publisher,
        }
    }

    /// Renews what is due in `shards` while the invocation has time.
    pub async fn run(&self, shards: &[u32], deadline: Deadline) -> RenewalSummary {
        let mut summary = RenewalSummary::default();
        for &shard in shards {
            let key = renewal_shard_key(shard);
            loop {
                if deadline.remaining().as_millis() < u128::from(MIN_TIME_LEFT_MS) {
                    return summary;
                }
                let due = match self
                    .subscriptions
                    .store()
                    .due(&key, now_epoch(), PAGE)
                    .await
                {
                    Ok(due) => due,
                    Err(error) => {
                        tracing::warn!(error = %error, shard, "the renewal index could not be read");
                        break;
                    }
                };
                summary.due += due.len();
                for id in &due {
                    match self.renew_one(id, deadline).await {
                        Ok(Some(Renewal::Renewed)) => summary.renewed += 1,
                        Ok(Some(Renewal::Gone)) => summary.recreated += 1,
                        Ok(None) => {}
                        Err(error) if error.code() == Some(ErrorCode::RefreshTokenInvalid) => {
                            tracing::info!(
                                "a subscription whose owner's link is gone was forgotten"
                            );
                            match self.retire(id).await {
                                Ok(()) => summary.retired += 1,
                                Err(error) => {
                                    tracing::warn!(error = %error, "the subscription could not be forgotten");
                                    summary.deferred += 1;
                                }
                            }
                        }
                        Err(error) => {
                            tracing::warn!(error = %error, "a subscription renewal failed; deferred");
                            summary.deferred += 1;
                            let at = now_epoch() + RETRY_AFTER_SECS;
                            if let Err(error) = self.subscriptions.store().defer(id, at).await {
                                tracing::warn!(error = %error, "the deferral could not be stored");
                                return summary;
                            }
                        }
                    }
                }
                if due.len() < PAGE as usize {
                    break;
                }
            }
        }
        summary
    }

    /// Forgets subscription `id`.
    async fn retire(&self, id: &str) -> Result<(), ApiError> {
        match self.subscriptions.store().get(id).await? {
            Some(record) => self.subscriptions.retire(&record).await,
            None => Ok(()),
        }
    }

    /// Renews subscription `id`, replacing it when Graph no longer has it.
    async fn renew_one(&self, id: &str, deadline: Deadline) -> Result<Option<Renewal>, ApiError> {
        let Some(record) = self.subscriptions.store().get(id).await? else {
            return Ok(None);
        };
        let renewal = self.subscriptions.renew(&record, deadline).await?;
        if renewal == Renewal::Gone {
            let new = self.subscriptions.recreate(&record, deadline).await?;
            let event = resync_event(&new, ResyncReason::SubscriptionExpired, &record.id, "");
            if let Err(error) = self.publisher.publish(&[event]).await {
                let _ = self.subscriptions.remove(&new, deadline).await;
                return Err(error);
            }
            self.subscriptions.retire(&record).await?;
        }
        Ok(Some(renewal))
    }
}
