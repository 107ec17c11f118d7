//! A calendar folder of a mailbox.

use super::{new_change_key, new_item_id};

/// The name of every mailbox's default calendar.
pub const DEFAULT_CALENDAR_NAME: &str = "Calendar";

/// A calendar: its writable properties and what Exchange keeps about it.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// Item id.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `color` (`auto`, `lightBlue`, ...).
    pub color: String,
    /// `hexColor`, empty when unset.
    pub hex_color: String,
    /// Whether this is the mailbox's default calendar (which cannot be deleted).
    pub is_default: bool,
    /// Changes on every update.
    pub change_key: String,
}

impl Calendar {
    /// A new calendar named `name`.
    pub fn new(name: String, is_default: bool) -> Calendar {
        Calendar {
            id: new_item_id(),
            name,
            color: "auto".into(),
            hex_color: String::new(),
            is_default,
            change_key: new_change_key(),
        }
    }

    /// Records a change.
    pub fn touch(&mut self) {
        self.change_key = new_change_key();
    }
}
