//! An event as Graph shows it: every property with times in UTC (what `$filter` and
//! `$orderby` see), then converted to the caller's time zone and `$select`ed.

use chrono::DateTime;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use crate::calendar::time_zone::{
    DateTimeText, Zone, format_instant, format_local, parse_date_time,
};
use crate::calendar::{EventTime, Instance};

/// Every structural property of `microsoft.graph.event` that `$select` accepts.
pub const EVENT_PROPERTIES: &[&str] = &[
    "id",
    "categories",
    "changeKey",
    "createdDateTime",
    "lastModifiedDateTime",
    "allowNewTimeProposals",
    "attendees",
    "body",
    "bodyPreview",
    "end",
    "hasAttachments",
    "hideAttendees",
    "iCalUId",
    "importance",
    "isAllDay",
    "isCancelled",
    "isDraft",
    "isOnlineMeeting",
    "isOrganizer",
    "isReminderOn",
    "location",
    "locations",
    "onlineMeeting",
    "onlineMeetingProvider",
    "onlineMeetingUrl",
    "organizer",
    "originalEndTimeZone",
    "originalStart",
    "originalStartTimeZone",
    "recurrence",
    "reminderMinutesBeforeStart",
    "responseRequested",
    "responseStatus",
    "sensitivity",
    "seriesMasterId",
    "showAs",
    "start",
    "subject",
    "transactionId",
    "type",
    "webLink",
];

/// Properties that `Calendars.ReadBasic` does not show.
const DETAIL_PROPERTIES: &[&str] = &["body", "bodyPreview"];

/// How long `bodyPreview` is at most.
const BODY_PREVIEW_LENGTH: usize = 255;

/// Response time Exchange shows before anyone responded.
const NO_RESPONSE_TIME: &str = "0001-01-01T00:00:00Z";

fn utc_date_time(instant: DateTime<chrono::Utc>) -> Value {
    json!({"dateTime": format_local(instant.naive_utc()), "timeZone": "UTC"})
}

/// The text of a body: HTML tags dropped, whitespace collapsed, at most 255 characters.
fn preview(body: &Value) -> String {
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = if body.get("contentType").and_then(Value::as_str) == Some("html") {
        let mut text = String::new();
        let mut in_tag = false;
        for c in content.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    } else {
        content.to_string()
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(BODY_PREVIEW_LENGTH)
        .collect()
}

fn with_default(properties: &Map<String, Value>, name: &str, default: Value) -> Value {
    properties
        .get(name)
        .filter(|value| !value.is_null())
        .cloned()
        .unwrap_or(default)
}

fn location(properties: &Map<String, Value>) -> Value {
    let mut location = json!({
        "displayName": "",
        "locationType": "default",
        "uniqueIdType": "unknown",
        "address": {},
        "coordinates": {},
    });
    if let (Some(Value::Object(given)), Some(defaults)) =
        (properties.get("location"), location.as_object_mut())
    {
        defaults.extend(given.clone());
    }
    location
}

fn response_status(response: &str, time: Option<DateTime<chrono::Utc>>) -> Value {
    json!({
        "response": response,
        "time": time.map_or_else(|| NO_RESPONSE_TIME.to_string(), format_instant),
    })
}

fn time_zone_name(time: &EventTime) -> &str {
    time.zone.name()
}

/// Every property of an event instance, times in UTC.
pub fn event_entity(instance: &Instance<'_>) -> Map<String, Value> {
    let event = instance.event;
    let properties = &event.properties;
    let id = instance.id();
    let body = with_default(
        properties,
        "body",
        json!({"contentType": "text", "content": ""}),
    );
    let (kind, series_master_id, recurrence, original_start) = match instance.occurrence {
        Some(_) => (
            "occurrence",
            Value::String(event.id.clone()),
            Value::Null,
            Value::String(
                instance
                    .start
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        ),
        None if event.is_series_master() => (
            "seriesMaster",
            Value::Null,
            properties.get("recurrence").cloned().unwrap_or(Value::Null),
            Value::Null,
        ),
        None => ("singleInstance", Value::Null, Value::Null, Value::Null),
    };
    let web_link = format!(
        "https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item",
        utf8_percent_encode(&id, NON_ALPHANUMERIC)
    );
    let entity: [(&str, Value); 42] = [
        ("@odata.etag", json!(format!("W/\"{}\"", event.change_key))),
        ("id", json!(id)),
        ("createdDateTime", json!(format_instant(event.created))),
        (
            "lastModifiedDateTime",
            json!(format_instant(event.modified)),
        ),
        ("changeKey", json!(event.change_key)),
        (
            "categories",
            with_default(properties, "categories", json!([])),
        ),
        ("transactionId", json!(event.transaction_id)),
        ("originalStartTimeZone", json!(time_zone_name(&event.start))),
        ("originalEndTimeZone", json!(time_zone_name(&event.end))),
        ("iCalUId", json!(event.ical_uid)),
        (
            "reminderMinutesBeforeStart",
            with_default(properties, "reminderMinutesBeforeStart", json!(15)),
        ),
        (
            "isReminderOn",
            with_default(properties, "isReminderOn", json!(true)),
        ),
        ("hasAttachments", json!(false)),
        ("subject", with_default(properties, "subject", json!(""))),
        ("bodyPreview", json!(preview(&body))),
        (
            "importance",
            with_default(properties, "importance", json!("normal")),
        ),
        (
            "sensitivity",
            with_default(properties, "sensitivity", json!("normal")),
        ),
        (
            "isAllDay",
            with_default(properties, "isAllDay", json!(false)),
        ),
        ("isCancelled", json!(event.is_cancelled)),
        ("isOrganizer", json!(event.is_organizer)),
        (
            "responseRequested",
            with_default(properties, "responseRequested", json!(true)),
        ),
        ("seriesMasterId", series_master_id),
        ("showAs", with_default(properties, "showAs", json!("busy"))),
        ("type", json!(kind)),
        ("webLink", json!(web_link)),
        ("onlineMeetingUrl", Value::Null),
        (
            "isOnlineMeeting",
            with_default(properties, "isOnlineMeeting", json!(false)),
        ),
        (
            "onlineMeetingProvider",
            with_default(properties, "onlineMeetingProvider", json!("unknown")),
        ),
        (
            "allowNewTimeProposals",
            with_default(properties, "allowNewTimeProposals", json!(true)),
        ),
        ("isDraft", json!(false)),
        (
            "hideAttendees",
            with_default(properties, "hideAttendees", json!(false)),
        ),
        ("originalStart", original_start),
        (
            "responseStatus",
            response_status(event.response.response, event.response.time),
        ),
        ("body", body),
        ("start", utc_date_time(instance.start)),
        ("end", utc_date_time(instance.end)),
        ("location", location(properties)),
        (
            "locations",
            with_default(properties, "locations", json!([])),
        ),
        ("recurrence", recurrence),
        (
            "attendees",
            with_default(properties, "attendees", json!([])),
        ),
        ("organizer", json!(event.organizer)),
        ("onlineMeeting", Value::Null),
    ];
    entity
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// What a caller sees of events.
pub struct EventView<'a> {
    /// The time zone of `start` and `end` (`Prefer: outlook.timezone`, else UTC).
    pub zone: &'a Zone,
    /// Whether bodies are shown (not under `Calendars.ReadBasic`).
    pub details: bool,
    /// `$select`.
    pub select: Option<&'a [String]>,
}

impl EventView<'_> {
    fn in_zone(&self, value: &Value) -> Value {
        let utc = value
            .get("dateTime")
            .and_then(Value::as_str)
            .and_then(parse_date_time);
        match utc {
            Some(DateTimeText::Local(local)) => {
                let instant = Zone::utc().to_utc(local);
                json!({"dateTime": format_local(self.zone.local(instant)), "timeZone": self.zone.name()})
            }
            _ => value.clone(),
        }
    }

    /// The entity as this caller sees it.
    pub fn render(&self, entity: &Map<String, Value>) -> Value {
        let shown = |name: &str| self.details || !DETAIL_PROPERTIES.contains(&name);
        let selected = |name: &str| {
            name.starts_with('@')
                || name == "id"
                || self
                    .select
                    .is_none_or(|names| names.iter().any(|selected| selected == name))
        };
        let view: Map<String, Value> = entity
            .iter()
            .filter(|(name, _)| shown(name) && selected(name))
            .map(|(name, value)| match name.as_str() {
                "start" | "end" => (name.clone(), self.in_zone(value)),
                _ => (name.clone(), value.clone()),
            })
            .collect();
        Value::Object(view)
    }
}
