//! Exchange's side of the simulated cloud: every user's mailbox with its calendars and events.

mod calendar_folder;
mod event;
mod mailbox;
pub mod meetings;
pub mod recurrence;
pub mod time_zone;

pub use calendar_folder::{Calendar, DEFAULT_CALENDAR_NAME};
pub use event::{Event, EventTime, Instance, parse_occurrence_id};
pub use mailbox::{BusyPeriod, Mailbox};

use std::collections::HashMap;

use crate::ids::random_base64url;

/// A new Exchange item id (calendars and events).
fn new_item_id() -> String {
    format!("AAMkAG{}", random_base64url(60))
}

/// A new `changeKey`.
fn new_change_key() -> String {
    random_base64url(16)
}

/// Every user's mailbox, by user object id.
#[derive(Default)]
pub struct Mailboxes(HashMap<String, Mailbox>);

impl Mailboxes {
    /// Creates the mailbox of a new user, with its default calendar.
    pub fn create(&mut self, user_id: &str) {
        self.0
            .insert(user_id.to_ascii_lowercase(), Mailbox::default());
    }

    /// Drops the mailbox of a deleted user.
    pub fn remove(&mut self, user_id: &str) {
        self.0.remove(&user_id.to_ascii_lowercase());
    }

    /// The mailbox of user `user_id`.
    pub fn get(&self, user_id: &str) -> Option<&Mailbox> {
        self.0.get(&user_id.to_ascii_lowercase())
    }

    /// The mailbox of user `user_id`, to change it.
    pub fn get_mut(&mut self, user_id: &str) -> Option<&mut Mailbox> {
        self.0.get_mut(&user_id.to_ascii_lowercase())
    }
}
