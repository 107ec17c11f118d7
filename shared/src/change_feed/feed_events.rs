//! The events the change feed publishes (docs/change-feed.md): `Graph Change` for every verified
//! change notification, `Resync Needed` when changes may have been lost (Graph missed
//! notifications, held them back until reauthorization, or a subscription was removed or expired
//! and had to be created again).
//!
//! Each `eventId` is a hash of what the event reports, so every redelivery of one notification by
//! Graph, and every retry of a publication, carries the same id and a consumer deduplicates on it.

use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::change_feed::notification::ChangeNotification;
use crate::change_feed::subscription::SubscriptionRecord;
use crate::events::bus_event::BusEvent;

/// The `source` of every change feed event.
pub const SOURCE: &str = "graph-functions.change-feed";
/// `detail-type` of a change.
pub const GRAPH_CHANGE: &str = "Graph Change";
/// `detail-type` of a request to resynchronise with `calendar-view-delta` (or `users-delta`).
pub const RESYNC_NEEDED: &str = "Resync Needed";

/// Why a resync is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResyncReason {
    /// Graph announced missed notifications (`missed`).
    Missed,
    /// Graph removed the subscription (`subscriptionRemoved`); a new one replaces it.
    SubscriptionRemoved,
    /// Renewing the subscription found it gone (404); a new one replaces it.
    SubscriptionExpired,
    /// Graph asked for reauthorization (`reauthorizationRequired`), which was given; changes made
    /// while Graph held delivery back are not announced as missed ("the app should separately fetch
    /// those changes, for example using the delta query", Microsoft's lifecycle notifications article).
    Reauthorized,
}

impl ResyncReason {
    /// The reason as the event carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missed => "missed",
            Self::SubscriptionRemoved => "subscriptionRemoved",
            Self::SubscriptionExpired => "subscriptionExpired",
            Self::Reauthorized => "reauthorized",
        }
    }
}

/// A stable id: the SHA-256 of the parts (each followed by a NUL), hex, first 32 characters.
fn stable_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fields every change feed event carries about its subscription.
fn subscription_detail(record: &SubscriptionRecord) -> serde_json::Map<String, Value> {
    let mut detail = serde_json::Map::new();
    detail.insert("subscriptionId".into(), json!(record.id));
    detail.insert("owner".into(), record.owner.to_json());
    detail.insert("tenantId".into(), json!(record.tenant_id));
    detail.insert("subscriptionResource".into(), json!(record.resource));
    detail.insert("resourceKind".into(), json!(record.kind.as_str()));
    detail
}

/// The `Graph Change` event of a verified change notification of `record`.
pub fn change_event(record: &SubscriptionRecord, change: &ChangeNotification) -> BusEvent {
    let mut detail = subscription_detail(record);
    detail.insert("resource".into(), json!(change.resource));
    detail.insert("changeType".into(), json!(change.change_type.as_str()));
    if let Some(id) = &change.resource_id {
        detail.insert("resourceId".into(), json!(id));
    }
    if let Some(key) = change.etag.as_deref().map(change_key) {
        detail.insert("changeKey".into(), json!(key));
    }
    BusEvent {
        id: stable_id(&[
            &record.id,
            &change.resource,
            change.change_type.as_str(),
            change.etag.as_deref().unwrap_or(""),
        ]),
        source: SOURCE,
        detail_type: GRAPH_CHANGE,
        detail: Value::Object(detail),
        time: Utc::now(),
    }
}

/// The `Resync Needed` event for `record` (the subscription now in place), because of `reason`
/// about subscription `cause_id` (the old one when it was replaced); `occurrence` tells apart
/// separate announcements of the same reason (Graph's expiration stamp of a `missed`).
pub fn resync_event(
    record: &SubscriptionRecord,
    reason: ResyncReason,
    cause_id: &str,
    occurrence: &str,
) -> BusEvent {
    let mut detail = subscription_detail(record);
    detail.insert("reason".into(), json!(reason.as_str()));
    if cause_id != record.id {
        detail.insert("previousSubscriptionId".into(), json!(cause_id));
    }
    BusEvent {
        id: stable_id(&[cause_id, reason.as_str(), occurrence]),
        source: SOURCE,
        detail_type: RESYNC_NEEDED,
        detail: Value::Object(detail),
        time: Utc::now(),
    }
}

/// The change key inside an `@odata.etag` (`W/"<changeKey>"` → `<changeKey>`).
fn change_key(etag: &str) -> &str {
    etag.strip_prefix("W/").unwrap_or(etag).trim_matches('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change_feed::notification::ChangeType;
    use crate::change_feed::subscription::{Owner, ResourceKind};
    use crate::tokens::cipher::Sealed;

    fn record() -> SubscriptionRecord {
        SubscriptionRecord {
            id: "sub-1".into(),
            owner: Owner::AppUser("alice".into()),
            tenant_id: "tenant-1".into(),
            kind: ResourceKind::Events,
            resource: "users/u1/events".into(),
            change_type: "created,updated,deleted".into(),
            client_state: Sealed {
                key_id: "k".into(),
                bytes: vec![1],
            },
            expires_at: 0,
        }
    }

    fn change(change_type: ChangeType, etag: Option<&str>) -> ChangeNotification {
        ChangeNotification {
            subscription_id: "sub-1".into(),
            client_state: Some("secret".into()),
            change_type,
            resource: "Users/u1/Events/e1".into(),
            resource_id: Some("e1".into()),
            etag: etag.map(String::from),
            tenant_id: Some("tenant-1".into()),
        }
    }

    #[test]
    fn a_change_event_names_everything_but_the_client_state() {
        let event = change_event(&record(), &change(ChangeType::Updated, Some("W/\"CK1\"")));
        assert_eq!((event.source, event.detail_type), (SOURCE, GRAPH_CHANGE));
        assert_eq!(
            event.detail,
            json!({
                "subscriptionId": "sub-1", "owner": {"appUserId": "alice"}, "tenantId": "tenant-1",
                "subscriptionResource": "users/u1/events", "resourceKind": "events",
                "resource": "Users/u1/Events/e1", "changeType": "updated", "resourceId": "e1",
                "changeKey": "CK1",
            })
        );
        assert!(!event.detail_json().contains("secret"));
    }

    #[test]
    fn ids_are_stable_per_fact_and_differ_between_facts() {
        let a = change_event(&record(), &change(ChangeType::Updated, Some("W/\"CK1\"")));
        let again = change_event(&record(), &change(ChangeType::Updated, Some("W/\"CK1\"")));
        let later = change_event(&record(), &change(ChangeType::Updated, Some("W/\"CK2\"")));
        let deleted = change_event(&record(), &change(ChangeType::Deleted, None));
        assert_eq!(a.id, again.id);
        assert_ne!(a.id, later.id);
        assert_ne!(a.id, deleted.id);
        assert_eq!(a.id.len(), 32);
        let resync = resync_event(&record(), ResyncReason::SubscriptionRemoved, "old", "x");
        assert_eq!(resync.detail["previousSubscriptionId"], "old");
        assert_eq!(resync.detail["reason"], "subscriptionRemoved");
        assert_eq!(
            resync.id,
            resync_event(&record(), ResyncReason::SubscriptionRemoved, "old", "x").id
        );
        assert_ne!(
            resync.id,
            resync_event(&record(), ResyncReason::Missed, "old", "x").id
        );
    }
}
