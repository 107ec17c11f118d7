//! An event of a calendar: a single instance or the master of a recurring series, whose
//! occurrences are computed from its recurrence.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use super::recurrence::Recurrence;
use super::time_zone::Zone;
use super::{new_change_key, new_item_id};

/// Prefix of occurrence ids, which encode the series master's id and the occurrence's date.
const OCCURRENCE_PREFIX: &str = "AAMkOc";

/// A `start` or `end`: a wall-clock time in a time zone, as the client wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventTime {
    /// The time on the zone's clock.
    pub local: NaiveDateTime,
    /// The zone.
    pub zone: Zone,
}

impl EventTime {
    /// The instant this time stands for.
    pub fn instant(&self) -> DateTime<Utc> {
        self.zone.to_utc(self.local)
    }
}

/// A `responseStatus`: `none`, `organizer`, `accepted`, `tentativelyAccepted`, `declined`
/// or `notResponded`, and when the response was given.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseStatus {
    /// `response`.
    pub response: &'static str,
    /// `time`, `None` before any response.
    pub time: Option<DateTime<Utc>>,
}

impl ResponseStatus {
    /// A status with no response time.
    pub fn pending(response: &'static str) -> ResponseStatus {
        ResponseStatus {
            response,
            time: None,
        }
    }
}

/// An event as Exchange keeps it.
#[derive(Clone, Debug)]
pub struct Event {
    /// Item id.
    pub id: String,
    /// The calendar holding it.
    pub calendar_id: String,
    /// The properties the client set that need no interpretation (`subject`, `body`,
    /// `location`, `attendees`, `categories`, `importance`, `showAs`, `recurrence`, ...).
    pub properties: Map<String, Value>,
    /// `start`.
    pub start: EventTime,
    /// `end`.
    pub end: EventTime,
    /// The parsed `recurrence` of a series master.
    pub recurrence: Option<Recurrence>,
    /// `organizer` (a recipient).
    pub organizer: Value,
    /// Whether the mailbox owner organizes it (false for an invitation's copy).
    pub is_organizer: bool,
    /// The mailbox owner's response.
    pub response: ResponseStatus,
    /// `iCalUId`, shared by the organizer's event and every attendee's copy.
    pub ical_uid: String,
    /// `transactionId` given at creation.
    pub transaction_id: Option<String>,
    /// `createdDateTime`.
    pub created: DateTime<Utc>,
    /// `lastModifiedDateTime`.
    pub modified: DateTime<Utc>,
    /// `changeKey`, new on every change.
    pub change_key: String,
    /// `isCancelled`: the organizer cancelled the meeting.
    pub is_cancelled: bool,
    /// Dates of occurrences of a series that were deleted.
    pub deleted_occurrences: BTreeSet<NaiveDate>,
}

/// One instance of an event in a time window: a single event, or an occurrence of a series.
#[derive(Clone, Copy, Debug)]
pub struct Instance<'a> {
    /// The event, or the master of the series.
    pub event: &'a Event,
    /// The date of the occurrence, for occurrences.
    pub occurrence: Option<NaiveDate>,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

impl Instance<'_> {
    /// Whether it overlaps `[from, to)` (an event of no duration counts when it starts there).
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.start < to && (self.end > from || (self.start == self.end && self.start >= from))
    }

    /// The id: the event's, or the occurrence's.
    pub fn id(&self) -> String {
        match self.occurrence {
            Some(date) => occurrence_id(&self.event.id, date),
            None => self.event.id.clone(),
        }
    }
}

fn occurrence_id(master_id: &str, date: NaiveDate) -> String {
    format!(
        "{OCCURRENCE_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(format!("{master_id}/{date}"))
    )
}

/// The series master id and date an occurrence id stands for.
pub fn parse_occurrence_id(id: &str) -> Option<(String, NaiveDate)> {
    let encoded = id.strip_prefix(OCCURRENCE_PREFIX)?;
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    let (master, date) = decoded.rsplit_once('/')?;
    Some((master.to_string(), date.parse().ok()?))
}

impl Event {
    /// A new event organized by the mailbox owner.
    pub fn new(
        calendar_id: String,
        properties: Map<String, Value>,
        start: EventTime,
        end: EventTime,
        organizer: Value,
    ) -> Event {
        let now = Utc::now();
        Event {
            id: new_item_id(),
            calendar_id,
            properties,
            start,
            end,
            recurrence: None,
            organizer,
            is_organizer: true,
            response: ResponseStatus::pending("organizer"),
            ical_uid: format!(
                "040000008200E00074C5B7101A82E00800000000{}",
                uuid::Uuid::new_v4().simple().to_string().to_uppercase()
            ),
            transaction_id: None,
            created: now,
            modified: now,
            change_key: new_change_key(),
            is_cancelled: false,
            deleted_occurrences: BTreeSet::new(),
        }
    }

    /// The copy an attendee receives in calendar `calendar_id`, not yet responded to.
    pub fn invitation_copy(&self, calendar_id: String) -> Event {
        let now = Utc::now();
        let mut copy = Event {
            id: new_item_id(),
            calendar_id,
            is_organizer: false,
            response: ResponseStatus::pending("notResponded"),
            transaction_id: None,
            created: now,
            modified: now,
            change_key: new_change_key(),
            ..self.clone()
        };
        copy.reset_attendee_statuses();
        copy
    }

    /// Sets every attendee's `status` to `none`, as anyone but the organizer sees them.
    pub fn reset_attendee_statuses(&mut self) {
        if let Some(Value::Array(attendees)) = self.properties.get_mut("attendees") {
            for attendee in attendees.iter_mut().filter_map(Value::as_object_mut) {
                attendee.insert(
                    "status".into(),
                    serde_json::json!({"response": "none", "time": "0001-01-01T00:00:00Z"}),
                );
            }
        }
    }

    /// Records a change: `lastModifiedDateTime` and `changeKey`.
    pub fn touch(&mut self) {
        self.modified = Utc::now();
        self.change_key = new_change_key();
    }

    /// Whether it is the master of a recurring series.
    pub fn is_series_master(&self) -> bool {
        self.recurrence.is_some()
    }

    /// The attendees' email addresses.
    pub fn attendee_addresses(&self) -> Vec<String> {
        self.properties
            .get("attendees")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|attendee| attendee.pointer("/emailAddress/address"))
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    }

    /// The organizer's email address.
    pub fn organizer_address(&self) -> Option<&str> {
        self.organizer
            .pointer("/emailAddress/address")
            .and_then(Value::as_str)
    }

    /// The event itself as an instance (for a series master: the master).
    pub fn as_instance(&self) -> Instance<'_> {
        Instance {
            event: self,
            occurrence: None,
            start: self.start.instant(),
            end: self.end.instant(),
        }
    }

    /// The occurrence on `date`, if the series has one that was not deleted.
    pub fn occurrence_on(&self, date: NaiveDate) -> Option<Instance<'_>> {
        let recurrence = self.recurrence.as_ref()?;
        if self.deleted_occurrences.contains(&date) {
            return None;
        }
        recurrence
            .dates()
            .take_while(|candidate| *candidate <= date)
            .any(|candidate| candidate == date)
            .then(|| self.occurrence(date))
    }

    fn occurrence(&self, date: NaiveDate) -> Instance<'_> {
        let start = self
            .start
            .zone
            .to_utc(date.and_time(self.start.local.time()));
        Instance {
            event: self,
            occurrence: Some(date),
            start,
            end: start + (self.end.instant() - self.start.instant()),
        }
    }

    /// The instances overlapping `[from, to)`: the event itself, or the occurrences of a series.
    pub fn instances_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Instance<'_>> {
        match &self.recurrence {
            None => Some(self.as_instance())
                .filter(|instance| instance.overlaps(from, to))
                .into_iter()
                .collect(),
            Some(recurrence) => recurrence
                .dates()
                .filter(|date| !self.deleted_occurrences.contains(date))
                .map(|date| self.occurrence(date))
                .take_while(|occurrence| occurrence.start < to)
                .filter(|occurrence| occurrence.overlaps(from, to))
                .collect(),
        }
    }

    /// Moves the series' start and end to its first occurrence, as Exchange does.
    pub fn align_to_first_occurrence(&mut self) {
        let Some(first) = self.recurrence.as_ref().and_then(|r| r.dates().next()) else {
            return;
        };
        let shift = first - self.start.local.date();
        self.start.local += shift;
        self.end.local += shift;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_ids_round_trip() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let id = occurrence_id("AAMkAGabc_-x", date);
        assert_eq!(
            parse_occurrence_id(&id),
            Some(("AAMkAGabc_-x".into(), date))
        );
        assert_eq!(parse_occurrence_id("AAMkAGabc"), None);
    }
}
