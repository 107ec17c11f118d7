//! The notifications Graph POSTs to the bundle's public URL, read and validated before anything
//! acts on them: change notifications (`changeType`, `resource`, `resourceData`) and lifecycle
//! notifications (`lifecycleEvent`), both `{"value": [...]}`.
//!
//! Shapes: Microsoft's "Receive change notifications through webhooks"
//! (`concepts/change-notifications-delivery-webhooks.md`) and "lifecycle notifications"
//! (`concepts/change-notifications-lifecycle-events.md`); see docs/reference §9 and
//! tests/simulator/CHANGE_FEED.md.

use serde_json::Value;

use crate::error::ApiError;

/// Largest notification body accepted, in bytes. Graph batches notifications, and a batch of
/// event notifications is a few hundred bytes each; anything larger is not Graph's.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most notifications accepted in one body.
pub const MAX_NOTIFICATIONS: usize = 1000;
/// Longest accepted id (`subscriptionId`, `tenantId`, resource id), in characters.
const MAX_ID_CHARS: usize = 256;
/// Longest accepted `resource` or `@odata.etag`, in characters.
const MAX_TEXT_CHARS: usize = 2048;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    /// Created.
    Created,
    /// Updated.
    Updated,
    /// Deleted.
    Deleted,
}

impl ChangeType {
    /// Graph's name of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// A lifecycle event Graph announces for a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleEvent {
    /// The subscription's authorization must be renewed (reauthorize or PATCH).
    ReauthorizationRequired,
    /// Graph removed the subscription: it must be created again, and the consumer resync.
    SubscriptionRemoved,
    /// Graph could not deliver some notifications: the consumer must resync.
    Missed,
}

impl LifecycleEvent {
    /// Graph's name of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReauthorizationRequired => "reauthorizationRequired",
            Self::SubscriptionRemoved => "subscriptionRemoved",
            Self::Missed => "missed",
        }
    }
}

/// One change to a watched resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotification {
    /// The subscription it is for.
    pub subscription_id: String,
    /// The `clientState` it carries.
    pub client_state: Option<String>,
    /// What happened.
    pub change_type: ChangeType,
    /// Graph's `resource`, e.g. `Users/<id>/Events/<id>`.
    pub resource: String,
    /// `resourceData.id`, if given.
    pub resource_id: Option<String>,
    /// `resourceData.@odata.etag` (the item's change key), if given.
    pub etag: Option<String>,
    /// The tenant Graph says it is from.
    pub tenant_id: Option<String>,
}

/// One lifecycle notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleNotification {
    /// The subscription it is for.
    pub subscription_id: String,
    /// The `clientState` it carries.
    pub client_state: Option<String>,
    /// What happened.
    pub event: LifecycleEvent,
    /// `subscriptionExpirationDateTime` as Graph sent it, if any (part of the event's identity).
    pub expiration: Option<String>,
    /// The tenant Graph says it is from.
    pub tenant_id: Option<String>,
}

/// One item of a notification body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A change notification.
    Change(ChangeNotification),
    /// A lifecycle notification.
    Lifecycle(LifecycleNotification),
}

impl Notification {
    /// The subscription it claims to be for.
    pub fn subscription_id(&self) -> &str {
        match self {
            Self::Change(change) => &change.subscription_id,
            Self::Lifecycle(lifecycle) => &lifecycle.subscription_id,
        }
    }

    /// The `clientState` it carries.
    pub fn client_state(&self) -> Option<&str> {
        match self {
            Self::Change(change) => change.client_state.as_deref(),
            Self::Lifecycle(lifecycle) => lifecycle.client_state.as_deref(),
        }
    }

    /// The tenant it claims to be from.
    pub fn tenant_id(&self) -> Option<&str> {
        match self {
            Self::Change(change) => change.tenant_id.as_deref(),
            Self::Lifecycle(lifecycle) => lifecycle.tenant_id.as_deref(),
        }
    }
}

/// A body read: the well-formed notifications, and how many items were malformed (dropped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationBatch {
    /// Well-formed notifications, in order.
    pub notifications: Vec<Notification>,
    /// Items of the wrong shape, dropped.
    pub malformed: usize,
}

/// Reads a notification body. A body that is not `{"value": [...]}` within the limits is refused
/// (`InvalidRequest`); a malformed item inside a good body is counted and dropped.
pub fn parse_notifications(body: &str) -> Result<NotificationBatch, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::invalid(format!(
            "a notification body is at most {MAX_BODY_BYTES} bytes"
        )));
    }
    let value: Value = serde_json::from_str(body)
        .map_err(|_| ApiError::invalid("the notification body is not JSON"))?;
    let items = value
        .get("value")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid("the notification body has no `value` array"))?;
    if items.is_empty() || items.len() > MAX_NOTIFICATIONS {
        return Err(ApiError::invalid(format!(
            "a notification body holds 1 to {MAX_NOTIFICATIONS} notifications"
        )));
    }
    let mut batch = NotificationBatch::default();
    for item in items {
        match parse_item(item) {
            Some(notification) => batch.notifications.push(notification),
            None => batch.malformed += 1,
        }
    }
    Ok(batch)
}

/// A string field of at most `max` characters without control characters.
fn text<'a>(item: &'a Value, pointer: &str, max: usize) -> Option<&'a str> {
    item.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control))
}

/// An optional string field: absent or null is `Some(None)`, a bad value `None`.
fn optional_text(item: &Value, pointer: &str, max: usize) -> Option<Option<String>> {
    match item.pointer(pointer) {
        None | Some(Value::Null) => Some(None),
        Some(_) => text(item, pointer, max).map(|s| Some(s.to_string())),
    }
}

fn parse_item(item: &Value) -> Option<Notification> {
    let subscription_id = text(item, "/subscriptionId", MAX_ID_CHARS)?.to_string();
    // Ours are 43 characters; the changeNotification resource allows 255.
    let client_state = optional_text(item, "/clientState", 255)?;
    let tenant_id = optional_text(item, "/tenantId", MAX_ID_CHARS)?;
    if item.get("lifecycleEvent").is_some() {
        let event = match text(item, "/lifecycleEvent", 64)? {
            "reauthorizationRequired" => LifecycleEvent::ReauthorizationRequired,
            "subscriptionRemoved" => LifecycleEvent::SubscriptionRemoved,
            "missed" => LifecycleEvent::Missed,
            _ => return None,
        };
        return Some(Notification::Lifecycle(LifecycleNotification {
            subscription_id,
            client_state,
            event,
            expiration: optional_text(item, "/subscriptionExpirationDateTime", 64)?,
            tenant_id,
        }));
    }
    let change_type = match text(item, "/changeType", 16)? {
        "created" => ChangeType::Created,
        "updated" => ChangeType::Updated,
        "deleted" => ChangeType::Deleted,
        _ => return None,
    };
    let resource = text(item, "/resource", MAX_TEXT_CHARS)?.to_string();
    Some(Notification::Change(ChangeNotification {
        subscription_id,
        client_state,
        change_type,
        resource,
        resource_id: optional_text(item, "/resourceData/id", MAX_ID_CHARS)?,
        etag: optional_text(item, "/resourceData/@odata.etag", MAX_TEXT_CHARS)?,
        tenant_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The change notification example of Microsoft's webhooks article, verbatim
    /// (microsoftgraph/microsoft-graph-docs-contrib `concepts/change-notifications-delivery-webhooks.md`
    /// at `01c641aced9437aea8a5c1f17fd65078bff7391e`, "Change notification example").
    const MICROSOFT_EXAMPLE: &str = r##"{"value": [{
        "id": "lsgTZMr9KwAAA",
        "subscriptionId": "{subscription_guid}",
        "subscriptionExpirationDateTime": "2016-03-19T22:11:09.952Z",
        "clientState": "secretClientValue",
        "changeType": "created",
        "resource": "users/{user_guid}@{tenant_guid}/messages/{long_id_string}",
        "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95",
        "resourceData": {
          "@odata.type": "#Microsoft.Graph.Message",
          "@odata.id": "Users/{user_guid}@{tenant_guid}/Messages/{long_id_string}",
          "@odata.etag": "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"",
          "id": "{long_id_string}"
        }
    }]}"##;

    #[test]
    fn reads_microsofts_example() {
        let batch = parse_notifications(MICROSOFT_EXAMPLE).unwrap();
        assert_eq!(batch.malformed, 0);
        let Notification::Change(change) = &batch.notifications[0] else {
            panic!("a change notification");
        };
        assert_eq!(change.subscription_id, "{subscription_guid}");
        assert_eq!(change.client_state.as_deref(), Some("secretClientValue"));
        assert_eq!(change.change_type, ChangeType::Created);
        assert_eq!(change.resource_id.as_deref(), Some("{long_id_string}"));
        assert_eq!(
            change.etag.as_deref(),
            Some("W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"")
        );
    }

    #[test]
    fn reads_lifecycle_notifications_and_drops_malformed_items() {
        let body = json!({"value": [
            {"subscriptionId": "s1", "lifecycleEvent": "missed", "clientState": "c", "tenantId": "t",
             "subscriptionExpirationDateTime": "2026-12-01T10:00:00Z"},
            {"subscriptionId": "s1", "lifecycleEvent": "somethingElse"},
            {"subscriptionId": "s1", "changeType": "exploded", "resource": "r"},
            {"changeType": "created", "resource": "r"},
            {"subscriptionId": "s1", "changeType": "deleted", "resource": "r", "clientState": 5},
            "not an object",
        ]});
        let batch = parse_notifications(&body.to_string()).unwrap();
        assert_eq!(batch.malformed, 5);
        assert_eq!(
            batch.notifications,
            [Notification::Lifecycle(LifecycleNotification {
                subscription_id: "s1".into(),
                client_state: Some("c".into()),
                event: LifecycleEvent::Missed,
                expiration: Some("2026-12-01T10:00:00Z".into()),
                tenant_id: Some("t".into()),
            })]
        );
    }

    #[test]
    fn refuses_bodies_of_the_wrong_shape_or_size() {
        for body in [
            "",
            "[]",
            "{}",
            r#"{"value": []}"#,
            r#"{"value": {}}"#,
            "not json",
        ] {
            assert!(parse_notifications(body).is_err(), "{body}");
        }
        let many = json!({"value": vec![json!({}); MAX_NOTIFICATIONS + 1]});
        assert!(parse_notifications(&many.to_string()).is_err());
        let huge = format!(
            r#"{{"value": [{{"x": "{}"}}]}}"#,
            "a".repeat(MAX_BODY_BYTES)
        );
        assert!(parse_notifications(&huge).is_err());
    }
}
