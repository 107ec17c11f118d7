//! One user's mailbox: calendars (the first is the default one) and their events.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Calendar, DEFAULT_CALENDAR_NAME, Event, Instance, parse_occurrence_id};

/// A user's calendars and events.
#[derive(Debug)]
pub struct Mailbox {
    calendars: Vec<Calendar>,
    events: Vec<Event>,
}

impl Default for Mailbox {
    /// A mailbox with only its default calendar.
    fn default() -> Self {
        Mailbox {
            calendars: vec![Calendar::new(DEFAULT_CALENDAR_NAME.into(), true)],
            events: Vec::new(),
        }
    }
}

/// A period in which the mailbox owner is not free, for free/busy answers.
#[derive(Clone, Copy, Debug)]
pub struct BusyPeriod<'a> {
    /// The event instance.
    pub instance: Instance<'a>,
    /// Its `showAs`: `tentative`, `busy`, `oof` or `workingElsewhere`.
    pub status: &'a str,
}

impl Mailbox {
    /// Every calendar, the default one first.
    pub fn calendars(&self) -> &[Calendar] {
        &self.calendars
    }

    /// The default calendar.
    pub fn default_calendar(&self) -> &Calendar {
        self.calendars
            .iter()
            .find(|calendar| calendar.is_default)
            .expect("every mailbox has a default calendar")
    }

    /// The calendar with this id.
    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.iter().find(|calendar| calendar.id == id)
    }

    /// The calendar with this id, to change it.
    pub fn calendar_mut(&mut self, id: &str) -> Option<&mut Calendar> {
        self.calendars.iter_mut().find(|calendar| calendar.id == id)
    }

    /// Whether a calendar is named `name` (case-insensitively).
    pub fn has_calendar_named(&self, name: &str) -> bool {
        self.calendars
            .iter()
            .any(|calendar| calendar.name.eq_ignore_ascii_case(name))
    }

    /// Adds a calendar.
    pub fn add_calendar(&mut self, calendar: Calendar) -> &Calendar {
        self.calendars.push(calendar);
        self.calendars.last().expect("just pushed")
    }

    /// Deletes a calendar; its events, which go with it.
    pub fn remove_calendar(&mut self, id: &str) -> Vec<Event> {
        self.calendars.retain(|calendar| calendar.id != id);
        let (removed, kept) = std::mem::take(&mut self.events)
            .into_iter()
            .partition(|event| event.calendar_id == id);
        self.events = kept;
        removed
    }

    /// The events of calendar `calendar_id`, in creation order.
    pub fn events_in<'a>(&'a self, calendar_id: &'a str) -> impl Iterator<Item = &'a Event> {
        self.events
            .iter()
            .filter(move |event| event.calendar_id == calendar_id)
    }

    /// Every event (single instances and series masters) of every calendar.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The event (single instance or series master) with this id.
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|event| event.id == id)
    }

    /// The event with this id, to change it.
    pub fn event_mut(&mut self, id: &str) -> Option<&mut Event> {
        self.events.iter_mut().find(|event| event.id == id)
    }

    /// The instance an id names: an event, or an occurrence of a series.
    pub fn instance(&self, id: &str) -> Option<Instance<'_>> {
        match self.event(id) {
            Some(event) => Some(event.as_instance()),
            None => {
                let (master_id, date) = parse_occurrence_id(id)?;
                self.event(&master_id)?.occurrence_on(date)
            }
        }
    }

    /// The event created with this `transactionId`.
    pub fn event_by_transaction(&self, transaction_id: &str) -> Option<&Event> {
        self.events
            .iter()
            .find(|event| event.transaction_id.as_deref() == Some(transaction_id))
    }

    /// The mailbox's event of the meeting with this `iCalUId`, to change it.
    pub fn meeting_mut(&mut self, ical_uid: &str) -> Option<&mut Event> {
        self.events
            .iter_mut()
            .find(|event| event.ical_uid == ical_uid)
    }

    /// Adds an event.
    pub fn add_event(&mut self, event: Event) -> &Event {
        self.events.push(event);
        self.events.last().expect("just pushed")
    }

    /// Deletes an event.
    pub fn remove_event(&mut self, id: &str) -> Option<Event> {
        let position = self.events.iter().position(|event| event.id == id)?;
        Some(self.events.remove(position))
    }

    /// The instances of calendar `calendar_id` overlapping `[from, to)`, by start time.
    pub fn instances_between(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Instance<'_>> {
        let mut instances: Vec<Instance<'_>> = self
            .events
            .iter()
            .filter(|event| event.calendar_id == calendar_id)
            .flat_map(|event| event.instances_between(from, to))
            .collect();
        instances.sort_by_key(|instance| instance.start);
        instances
    }

    /// When the owner is not free within `[from, to)`: instances of the default calendar that
    /// are not cancelled, declined or shown as free.
    pub fn busy_periods(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<BusyPeriod<'_>> {
        self.instances_between(&self.default_calendar().id, from, to)
            .into_iter()
            .filter(|instance| {
                !instance.event.is_cancelled && instance.event.response.response != "declined"
            })
            .filter_map(|instance| {
                let status = instance
                    .event
                    .properties
                    .get("showAs")
                    .and_then(Value::as_str)
                    .unwrap_or("busy");
                (status != "free" && status != "unknown").then_some(BusyPeriod { instance, status })
            })
            .collect()
    }
}
