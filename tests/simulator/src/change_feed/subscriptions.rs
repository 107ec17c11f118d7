//! Graph subscriptions as the simulator keeps them, and their JSON.
//!
//! Properties: <https://learn.microsoft.com/graph/api/resources/subscription?view=graph-rest-1.0>.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What a subscription watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The events of one user: of every calendar, or of one calendar.
    Events {
        /// Object id of the mailbox owner.
        user_id: String,
        /// The calendar; `None`: every calendar of the mailbox.
        calendar_id: Option<String>,
    },
    /// Every user of the subscription's tenant.
    Users,
}

/// A change a notification reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// `created`
    Created,
    /// `updated`
    Updated,
    /// `deleted`
    Deleted,
}

impl ChangeKind {
    /// Graph's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    }

    /// The kind Graph names `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Created,
            ChangeKind::Updated,
            ChangeKind::Deleted,
        ]
        .into_iter()
        .find(|kind| kind.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// Faults a test arranged for one subscription.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionFaults {
    /// Change notifications still to be dropped.
    pub lose_next: u32,
    /// Whether a `missed` lifecycle notification follows the last dropped one.
    pub announce_loss: bool,
    /// Change notifications are dropped until the subscription is reauthorized or renewed.
    pub paused: bool,
}

/// One subscription.
#[derive(Clone, Debug)]
pub struct Subscription {
    /// GUID.
    pub id: String,
    /// Tenant of the caller that created it.
    pub tenant_id: String,
    /// Client id of the app that created it.
    pub application_id: String,
    /// The signed-in user who created it, or the app for app-only callers.
    pub creator_id: String,
    /// `resource` as given.
    pub resource: String,
    /// What `resource` names.
    pub target: Target,
    /// The kinds of change it reports.
    pub change_types: Vec<ChangeKind>,
    /// `notificationUrl`.
    pub notification_url: String,
    /// `lifecycleNotificationUrl`.
    pub lifecycle_notification_url: Option<String>,
    /// `expirationDateTime`.
    pub expiration: DateTime<Utc>,
    /// `clientState`.
    pub client_state: Option<String>,
    /// `latestSupportedTlsVersion`.
    pub latest_supported_tls_version: String,
    /// Arranged faults.
    pub faults: SubscriptionFaults,
}

/// Graph's date-time form with seven fractional digits: `2026-12-01T10:00:00.0000000Z`.
pub fn graph_date_time(time: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        time.format("%Y-%m-%dT%H:%M:%S"),
        time.timestamp_subsec_nanos() / 100
    )
}

impl Subscription {
    /// Whether it reports changes of `kind`.
    pub fn reports(&self, kind: ChangeKind) -> bool {
        self.change_types.contains(&kind)
    }

    /// Whether it has not expired at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.expiration > now
    }

    /// The subscription's Graph JSON.
    pub fn entity(&self) -> Value {
        let change_type: Vec<&str> = self.change_types.iter().map(|kind| kind.as_str()).collect();
        json!({
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.application_id,
            "changeType": change_type.join(","),
            "clientState": self.client_state,
            "notificationUrl": self.notification_url,
            "notificationQueryOptions": null,
            "lifecycleNotificationUrl": self.lifecycle_notification_url,
            "expirationDateTime": graph_date_time(self.expiration),
            "creatorId": self.creator_id,
            "includeResourceData": false,
            "latestSupportedTlsVersion": self.latest_supported_tls_version,
            "encryptionCertificate": null,
            "encryptionCertificateId": null,
            "notificationUrlAppId": null,
        })
    }
}

/// Every live subscription, in creation order.
#[derive(Default)]
pub struct Subscriptions(Vec<Subscription>);

impl Subscriptions {
    /// Adds a subscription.
    pub fn insert(&mut self, subscription: Subscription) {
        self.0.push(subscription);
    }

    /// Every subscription.
    pub fn all(&self) -> &[Subscription] {
        &self.0
    }

    /// Every subscription, to change them.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Subscription> {
        self.0.iter_mut()
    }

    /// The subscription with this id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Subscription> {
        self.0.iter().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    /// The subscription with this id, to change it.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Subscription> {
        self.0.iter_mut().find(|s| s.id.eq_ignore_ascii_case(id))
    }

    /// Removes a subscription.
    pub fn remove(&mut self, id: &str) -> Option<Subscription> {
        let position = self.0.iter().position(|s| s.id.eq_ignore_ascii_case(id))?;
        Some(self.0.remove(position))
    }
}
