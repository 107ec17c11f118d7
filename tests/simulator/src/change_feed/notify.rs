//! Turning observed changes into change notifications, and subscription state changes into
//! lifecycle notifications, in Graph's shapes:
//! <https://learn.microsoft.com/graph/api/resources/changenotification?view=graph-rest-1.0> and
//! <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>.

use chrono::Utc;
use serde_json::{Value, json};

use super::ChangeFeed;
use super::delivery::{Delivery, DeliveryKind, DeliveryRecord, Outcome};
use super::observed::{EventChange, UserChange};
use super::subscriptions::{ChangeKind, Subscription, Target, graph_date_time};

/// A lifecycle event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifecycleEvent {
    /// The app must reauthorize (or renew) the subscription.
    ReauthorizationRequired,
    /// Graph removed the subscription.
    SubscriptionRemoved,
    /// Some change notifications were not delivered.
    Missed,
}

impl LifecycleEvent {
    /// Graph's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleEvent::ReauthorizationRequired => "reauthorizationRequired",
            LifecycleEvent::SubscriptionRemoved => "subscriptionRemoved",
            LifecycleEvent::Missed => "missed",
        }
    }

    /// The event Graph names `name`.
    pub fn parse(name: &str) -> Option<LifecycleEvent> {
        [
            LifecycleEvent::ReauthorizationRequired,
            LifecycleEvent::SubscriptionRemoved,
            LifecycleEvent::Missed,
        ]
        .into_iter()
        .find(|event| event.as_str() == name)
    }
}

/// One change notification: what changed, for one subscription.
fn change_notification(
    subscription: &Subscription,
    kind: ChangeKind,
    resource: String,
    resource_data: Value,
) -> Value {
    json!({
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": graph_date_time(subscription.expiration),
        "changeType": kind.as_str(),
        "resource": resource,
        "resourceData": resource_data,
        "clientState": subscription.client_state,
        "tenantId": subscription.tenant_id,
    })
}

fn event_notification(subscription: &Subscription, change: &EventChange) -> Value {
    let resource = format!("Users/{}/Events/{}", change.user_id, change.event_id);
    let data = json!({
        "@odata.type": "#Microsoft.Graph.Event",
        "@odata.id": resource,
        "@odata.etag": format!("W/\"{}\"", change.change_key),
        "id": change.event_id,
    });
    change_notification(subscription, change.kind, resource, data)
}

fn user_notification(subscription: &Subscription, change: &UserChange) -> Value {
    let resource = format!("Users/{}", change.user_id);
    let data = json!({
        "@odata.type": "#Microsoft.Graph.User",
        "@odata.id": resource,
        "id": change.user_id,
        "organizationId": change.tenant_id,
    });
    change_notification(subscription, change.kind, resource, data)
}

/// The notifications `subscription` gets for these changes.
fn notifications_for(
    subscription: &Subscription,
    events: &[EventChange],
    users: &[UserChange],
) -> Vec<Value> {
    match &subscription.target {
        Target::Events {
            user_id,
            calendar_id,
        } => events
            .iter()
            .filter(|change| {
                change.user_id.eq_ignore_ascii_case(user_id)
                    && calendar_id
                        .as_ref()
                        .is_none_or(|id| *id == change.calendar_id)
                    && subscription.reports(change.kind)
            })
            .map(|change| event_notification(subscription, change))
            .collect(),
        Target::Users => users
            .iter()
            .filter(|change| {
                change
                    .tenant_id
                    .eq_ignore_ascii_case(&subscription.tenant_id)
                    && subscription.reports(change.kind)
            })
            .map(|change| user_notification(subscription, change))
            .collect(),
    }
}

/// The lifecycle notification batch for `subscription`, if it has a lifecycle URL.
pub fn lifecycle(subscription: &Subscription, event: LifecycleEvent) -> Option<Delivery> {
    let url = subscription.lifecycle_notification_url.clone()?;
    Some(Delivery {
        kind: DeliveryKind::Lifecycle,
        subscription_id: subscription.id.clone(),
        url,
        body: json!({"value": [{
            "subscriptionId": subscription.id,
            "subscriptionExpirationDateTime": graph_date_time(subscription.expiration),
            "tenantId": subscription.tenant_id,
            "clientState": subscription.client_state,
            "lifecycleEvent": event.as_str(),
        }]}),
    })
}

impl ChangeFeed {
    /// The batches to send for the changes of one request: one per subscription that has
    /// notifications, minus those a test asked to lose (recorded as lost), plus a `missed`
    /// lifecycle notification where a loss that should be announced ended.
    pub fn deliveries(&mut self, events: &[EventChange], users: &[UserChange]) -> Vec<Delivery> {
        let now = Utc::now();
        let mut deliveries = Vec::new();
        let mut lost = Vec::new();
        for subscription in self.subscriptions.iter_mut() {
            if !subscription.is_active(now) {
                continue;
            }
            let mut notifications = notifications_for(subscription, events, users);
            if notifications.is_empty() {
                continue;
            }
            let faults = &mut subscription.faults;
            let dropped: Vec<Value> = if faults.paused {
                std::mem::take(&mut notifications)
            } else {
                let count = notifications.len().min(faults.lose_next as usize);
                faults.lose_next -= count as u32;
                notifications.drain(..count).collect()
            };
            let loss_ended = !dropped.is_empty() && !faults.paused && faults.lose_next == 0;
            let announce = loss_ended && std::mem::take(&mut faults.announce_loss);
            if !dropped.is_empty() {
                lost.push((
                    subscription.id.clone(),
                    subscription.notification_url.clone(),
                    dropped,
                ));
            }
            if announce {
                deliveries.extend(lifecycle(subscription, LifecycleEvent::Missed));
            }
            if !notifications.is_empty() {
                deliveries.push(Delivery {
                    kind: DeliveryKind::Change,
                    subscription_id: subscription.id.clone(),
                    url: subscription.notification_url.clone(),
                    body: json!({ "value": notifications }),
                });
            }
        }
        for (subscription_id, url, dropped) in lost {
            self.log.push(DeliveryRecord {
                kind: DeliveryKind::Change,
                subscription_id: Some(subscription_id),
                url,
                attempt: 0,
                status: None,
                error: None,
                outcome: Outcome::Lost,
                body: json!({ "value": dropped }),
            });
        }
        deliveries
    }
}
