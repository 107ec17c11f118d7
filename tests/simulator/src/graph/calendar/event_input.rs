//! Event create and update bodies: checked against `microsoft.graph.event`, then turned into
//! the stored event's fields (times in their zones, the parsed recurrence, attendees with a
//! response status).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::body_schema::{BodyRefusal, entity_body};
use super::errors::{body_error, invalid_request, unsupported_time_zone};
use super::types::EVENT;
use crate::calendar::recurrence::Recurrence;
use crate::calendar::time_zone::{DateTimeText, Zone, parse_date_time};
use crate::calendar::{Event, EventTime};
use crate::graph::errors::GraphError;

/// Properties that are the organizer's or the service's to set, dropped from bodies.
const IGNORED: &[&str] = &["organizer", "originalStartTimeZone", "originalEndTimeZone"];

/// A checked event body.
pub struct EventInput {
    /// `start`, when given.
    start: Option<EventTime>,
    /// `end`, when given.
    end: Option<EventTime>,
    /// `recurrence`: absent, removed (`null`) or set.
    recurrence: Option<Option<Recurrence>>,
    /// `transactionId`, when given.
    pub transaction_id: Option<String>,
    /// Every other property (`null`: remove).
    properties: Map<String, Value>,
}

/// A `dateTimeTimeZone` value (`name` for messages); `timeZone` defaults to UTC.
pub fn event_time(value: &Value, name: &str) -> Result<EventTime, GraphError> {
    if value.is_null() {
        return Err(invalid_request(format!(
            "The event's {name} cannot be empty."
        )));
    }
    let zone_name = value
        .get("timeZone")
        .and_then(Value::as_str)
        .unwrap_or("UTC");
    let zone = Zone::parse(zone_name).ok_or_else(|| unsupported_time_zone(zone_name))?;
    let text = value
        .get("dateTime")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let local = match parse_date_time(text) {
        Some(DateTimeText::Local(local)) => local,
        Some(DateTimeText::Instant(instant)) => zone.local(instant),
        None => {
            return Err(body_error(
                BodyRefusal::InvalidValue {
                    expected: "Edm.DateTimeOffset",
                    literal: text.to_string(),
                },
                EVENT.type_name,
            ));
        }
    };
    Ok(EventTime { local, zone })
}

/// Attendees with a `type` (default `required`) and a `status`: the one `previous` recorded
/// for the same address, else `none`.
fn attendees_with_status(attendees: Value, previous: Option<&Value>) -> Value {
    let previous_status = |address: &str| {
        previous
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|attendee| {
                attendee
                    .pointer("/emailAddress/address")
                    .and_then(Value::as_str)
                    .is_some_and(|known| known.eq_ignore_ascii_case(address))
            })
            .and_then(|attendee| attendee.get("status").cloned())
    };
    let Value::Array(attendees) = attendees else {
        return attendees;
    };
    Value::Array(
        attendees
            .into_iter()
            .filter_map(|attendee| match attendee {
                Value::Object(mut attendee) => {
                    let address = attendee
                        .get("emailAddress")
                        .and_then(|email| email.get("address"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    attendee.entry("type").or_insert_with(|| json!("required"));
                    attendee.insert(
                        "status".into(),
                        previous_status(&address).unwrap_or_else(
                            || json!({"response": "none", "time": "0001-01-01T00:00:00Z"}),
                        ),
                    );
                    Some(Value::Object(attendee))
                }
                _ => None,
            })
            .collect(),
    )
}

impl EventInput {
    /// Reads and checks a create or update body.
    pub fn read(body: &[u8]) -> Result<EventInput, GraphError> {
        let mut properties =
            entity_body(body, &EVENT).map_err(|refusal| body_error(refusal, EVENT.type_name))?;
        for name in IGNORED {
            properties.remove(*name);
        }
        let start = properties
            .remove("start")
            .map(|value| event_time(&value, "start"))
            .transpose()?;
        let end = properties
            .remove("end")
            .map(|value| event_time(&value, "end"))
            .transpose()?;
        let recurrence = match properties.get("recurrence") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(value) => Some(Some(Recurrence::parse(value).map_err(invalid_request)?)),
        };
        let transaction_id = properties
            .remove("transactionId")
            .and_then(|value| value.as_str().map(str::to_owned));
        Ok(EventInput {
            start,
            end,
            recurrence,
            transaction_id,
            properties,
        })
    }

    /// A new event in calendar `calendar_id`, organized by `organizer` (a recipient).
    pub fn into_event(self, calendar_id: String, organizer: Value) -> Result<Event, GraphError> {
        let (Some(start), Some(end)) = (self.start.clone(), self.end.clone()) else {
            return Err(invalid_request("An event needs a start and an end."));
        };
        let mut event = Event::new(calendar_id, Map::new(), start, end, organizer);
        event.transaction_id = self.transaction_id.clone();
        self.apply_to(&mut event)?;
        Ok(event)
    }

    /// Applies the changes to `event`.
    pub fn apply_to(self, event: &mut Event) -> Result<(), GraphError> {
        if let Some(start) = self.start {
            event.start = start;
        }
        if let Some(end) = self.end {
            event.end = end;
        }
        if event.end.instant() < event.start.instant() {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "ErrorCalendarEndDateIsEarlierThanStartDate",
                "The end date is earlier than the start date.",
            ));
        }
        if let Some(recurrence) = self.recurrence {
            event.recurrence = recurrence;
        }
        for (name, value) in self.properties {
            match value {
                Value::Null => {
                    event.properties.remove(&name);
                }
                Value::Array(_) if name == "attendees" => {
                    let attendees = attendees_with_status(value, event.properties.get("attendees"));
                    event.properties.insert(name, attendees);
                }
                value => {
                    event.properties.insert(name, value);
                }
            }
        }
        event.align_to_first_occurrence();
        event.touch();
        Ok(())
    }
}
