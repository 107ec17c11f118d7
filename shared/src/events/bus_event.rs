//! One event for the application's EventBridge bus.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// An event as it is handed to EventBridge: `source` and `detail-type` are what rules match on,
/// `detail` is the documented payload (never a token or a secret), `time` when it happened, `id`
/// the same for every attempt to publish the same fact, so consumers can drop repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    /// Identifies the fact the event reports (stable across retries); published as the detail's
    /// `eventId`.
    pub id: String,
    /// The event's `source`, one per subsystem (e.g. `graph-functions.links`).
    pub source: &'static str,
    /// The event's `detail-type`, one per kind of event (e.g. `Link Invalidated`).
    pub detail_type: &'static str,
    /// The payload, a JSON object.
    pub detail: Value,
    /// When the change the event reports happened.
    pub time: DateTime<Utc>,
}

impl BusEvent {
    /// The `Detail` text sent to EventBridge: `detail` with `eventId` added.
    pub fn detail_json(&self) -> String {
        let mut detail = self.detail.clone();
        if let Value::Object(fields) = &mut detail {
            fields.insert("eventId".into(), Value::String(self.id.clone()));
        }
        detail.to_string()
    }
}

/// The bytes EventBridge counts for one entry against the 256 KB request limit: 14 for `Time`,
/// then the UTF-8 lengths of `Source`, `DetailType` and `Detail`
/// (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).
pub fn entry_size(event: &BusEvent, detail_json: &str) -> usize {
    const TIME_BYTES: usize = 14;
    TIME_BYTES + event.source.len() + event.detail_type.len() + detail_json.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_detail_carries_the_event_id_and_the_size_counts_every_part() {
        let event = BusEvent {
            id: "link#u1#3".into(),
            source: "graph-functions.links",
            detail_type: "Link Invalidated",
            detail: json!({ "appUserId": "u1" }),
            time: Utc::now(),
        };
        let detail: Value = serde_json::from_str(&event.detail_json()).unwrap();
        assert_eq!(detail, json!({ "appUserId": "u1", "eventId": "link#u1#3" }));
        let text = event.detail_json();
        assert_eq!(
            entry_size(&event, &text),
            14 + "graph-functions.links".len() + "Link Invalidated".len() + text.len()
        );
    }
}
