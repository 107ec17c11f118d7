//! What the notification endpoint does with a body Graph posted: every notification is checked
//! against the stored subscription (its id, and its `clientState` in constant time); anything else is
//! dropped and counted. Verified changes become `Graph Change` events; lifecycle notifications are
//! acted on (`reauthorizationRequired`: renew, which reauthorizes, and announce `Resync Needed` for
//! what Graph may have held back; `subscriptionRemoved`: create a new subscription and announce
//! `Resync Needed`; `missed`: announce `Resync Needed`). The batch is acknowledged only after
//! EventBridge accepted every event: an error makes Graph deliver the same batch again, and the
//! events' stable ids let consumers drop what they already have.

use std::collections::HashMap;
use std::sync::Arc;

use crate::change_feed::client_state::matches;
use crate::change_feed::feed_events::{ResyncReason, change_event, resync_event};
use crate::change_feed::notification::{
    LifecycleEvent, Notification, NotificationBatch, parse_notifications,
};
use crate::change_feed::subscription::SubscriptionRecord;
use crate::change_feed::subscriptions::{Renewal, Subscriptions};
use crate::error::ApiError;
use crate::events::bus_event::BusEvent;
use crate::events::publisher::EventPublisher;
use crate::support::deadline::Deadline;
use crate::support::table_keys::subscription_key;

/// What one body came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptSummary {
    /// Verified change notifications, published.
    pub changes: usize,
    /// Verified lifecycle notifications, acted on.
    pub lifecycle: usize,
    /// Dropped: malformed, for an unknown subscription, or with a wrong `clientState` or tenant.
    pub dropped: usize,
    /// Subscriptions created anew (removed or gone at Graph).
    pub recreated: usize,
    /// Events accepted by the bus.
    pub published: usize,
}

/// The notification endpoint's logic.
pub struct NotificationReceiver {
    subscriptions: Arc<Subscriptions>,
    publisher: Arc<dyn EventPublisher>,
}

impl NotificationReceiver {
    /// A receiver over the subscriptions and the bus.
    pub fn new(subscriptions: Arc<Subscriptions>, publisher: Arc<dyn EventPublisher>) -> Self {
        Self {
            subscriptions,
            publisher,
        }
    }

    /// The stored subscription `notification` is for, if it is genuinely Graph's: the id is known,
    /// the `clientState` matches and the tenant (when given) is the subscription's.
    async fn verified(
        &self,
        notification: &Notification,
        records: &mut HashMap<String, Option<SubscriptionRecord>>,
    ) -> Result<Option<SubscriptionRecord>, ApiError> {
        let id = notification.subscription_id();
        if !records.contains_key(id) {
            let record = self.subscriptions.store().get(id).await?;
            records.insert(id.to_string(), record);
        }
        let Some(record) = records[id].clone() else {
            return Ok(None);
        };
        let Some(presented) = notification.client_state() else {
            return Ok(None);
        };
        let settings = self.subscriptions.settings().await?;
        if !matches(
            &settings.encryption_keys,
            &record.client_state,
            &subscription_key(&record.id),
            presented,
        )? {
            return Ok(None);
        }
        if notification
            .tenant_id()
            .is_some_and(|tenant| !tenant.eq_ignore_ascii_case(&record.tenant_id))
        {
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// Handles one notification body (already checked to come through the public route).
    pub async fn receive(
        &self,
        body: &str,
        deadline: Deadline,
    ) -> Result<ReceiptSummary, ApiError> {
        let batch = parse_notifications(body)?;
        let mut summary = ReceiptSummary {
            dropped: batch.malformed,
            ..ReceiptSummary::default()
        };
        // Subscriptions replaced in this batch: (old, new).
        let mut replaced: Vec<(SubscriptionRecord, SubscriptionRecord)> = Vec::new();
        let acted = self
            .act(&batch, &mut summary, &mut replaced, deadline)
            .await;
        let published = match acted {
            Ok(events) if events.is_empty() => Ok(0),
            Ok(events) => self.publisher.publish(&events).await.map(|()| events.len()),
            Err(error) => Err(error),
        };
        let published = match published {
            Ok(published) => published,
            Err(error) => {
                // Graph delivers the batch again; the replacements are made again then.
                for (_, new) in &replaced {
                    if let Err(undo) = self.subscriptions.remove(new, deadline).await {
                        tracing::warn!(error = %undo, "a replacement subscription could not be taken back");
                    }
                }
                return Err(error);
            }
        };
        for (old, _) in &replaced {
            self.subscriptions.retire(old).await?;
        }
        summary.recreated = replaced.len();
        summary.published = published;
        Ok(summary)
    }

    /// Verifies every notification of `batch` and acts on it; the events to publish. Replacements
    /// made are in `replaced` even when a later notification fails, so they can be taken back.
    async fn act(
        &self,
        batch: &NotificationBatch,
        summary: &mut ReceiptSummary,
        replaced: &mut Vec<(SubscriptionRecord, SubscriptionRecord)>,
        deadline: Deadline,
    ) -> Result<Vec<BusEvent>, ApiError> {
        let mut records = HashMap::new();
        let mut events: Vec<BusEvent> = Vec::new();
        for notification in &batch.notifications {
            let Some(record) = self.verified(notification, &mut records).await? else {
                summary.dropped += 1;
                continue;
            };
            match notification {
                Notification::Change(change) => {
                    summary.changes += 1;
                    events.push(change_event(&record, change));
                }
                Notification::Lifecycle(lifecycle) => {
                    summary.lifecycle += 1;
                    // Already replaced in this batch (a second lifecycle notification for it): the
                    // replacement's `Resync Needed` covers it, and renewing or replacing the old one
                    // again would fail its own replacement claim and fail the whole batch.
                    if replaced.iter().any(|(old, _)| old.id == record.id) {
                        continue;
                    }
                    let occurrence = lifecycle.expiration.as_deref().unwrap_or("");
                    match lifecycle.event {
                        LifecycleEvent::Missed => events.push(resync_event(
                            &record,
                            ResyncReason::Missed,
                            &record.id,
                            occurrence,
                        )),
                        LifecycleEvent::ReauthorizationRequired => {
                            if self.subscriptions.renew(&record, deadline).await?
                                == Renewal::Renewed
                            {
                                events.push(resync_event(
                                    &record,
                                    ResyncReason::Reauthorized,
                                    &record.id,
                                    occurrence,
                                ));
                            } else {
                                let new = self.subscriptions.recreate(&record, deadline).await?;
                                events.push(resync_event(
                                    &new,
                                    ResyncReason::SubscriptionExpired,
                                    &record.id,
                                    "",
                                ));
                                replaced.push((record.clone(), new));
                            }
                        }
                        LifecycleEvent::SubscriptionRemoved => {
                            let new = self.subscriptions.recreate(&record, deadline).await?;
                            events.push(resync_event(
                                &new,
                                ResyncReason::SubscriptionRemoved,
                                &record.id,
                                "",
                            ));
                            replaced.push((record.clone(), new));
                        }
                    }
                }
            }
        }
        Ok(events)
    }
}
