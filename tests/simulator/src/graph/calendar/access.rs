//! Who may read and change a mailbox, and resolving the calendars and events a URL names.

use super::errors::{access_denied, invalid_user, item_not_found, malformed_id};
use crate::calendar::{Calendar, Instance, Mailbox};
use crate::directory::UserRecord;
use crate::graph::auth::{Caller, Permission};
use crate::graph::errors::GraphError;
use crate::graph::user_target::{UserRefusals, authorized_user};
use crate::state::World;

/// Reading calendars and events (without bodies under `Calendars.ReadBasic`).
pub const CALENDAR_READ: Permission = Permission {
    delegated_own: &[
        "Calendars.ReadBasic",
        "Calendars.Read",
        "Calendars.ReadWrite",
    ],
    delegated_any: &["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"],
    application: &[
        "Calendars.ReadBasic.All",
        "Calendars.Read",
        "Calendars.ReadWrite",
    ],
};

/// Reading every property of events (bodies included), and free/busy (`getSchedule`).
pub const CALENDAR_READ_DETAILS: Permission = Permission {
    delegated_own: &["Calendars.Read", "Calendars.ReadWrite"],
    delegated_any: &["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"],
    application: &["Calendars.Read", "Calendars.ReadWrite"],
};

/// Creating, updating, deleting and responding to calendars and events.
pub const CALENDAR_WRITE: Permission = Permission {
    delegated_own: &["Calendars.ReadWrite"],
    delegated_any: &["Calendars.ReadWrite.Shared"],
    application: &["Calendars.ReadWrite"],
};

/// `findMeetingTimes`: delegated only, and only with the shared-calendar permissions.
pub const MEETING_TIMES: Permission = Permission {
    delegated_own: &[],
    delegated_any: &["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"],
    application: &[],
};

/// Exchange's refusals of a `{user}`.
const EXCHANGE_REFUSALS: UserRefusals = UserRefusals {
    denied: access_denied,
    unknown: invalid_user,
};

/// A mailbox the caller may use, with its owner.
pub struct MailboxAccess<'w> {
    /// The mailbox owner.
    pub owner: &'w UserRecord,
    /// The mailbox.
    pub mailbox: &'w Mailbox,
}

/// The mailbox of the user `key` names, if the caller holds `permission` for it.
pub fn mailbox<'w>(
    world: &'w World,
    caller: &Caller,
    key: &str,
    permission: &Permission,
) -> Result<MailboxAccess<'w>, GraphError> {
    let owner = authorized_user(world, caller, key, permission, &EXCHANGE_REFUSALS)?;
    let mailbox = world
        .mailboxes
        .get(owner.id())
        .ok_or_else(|| invalid_user(key))?;
    Ok(MailboxAccess { owner, mailbox })
}

/// The object id of the user `key` names, if the caller may change that user's mailbox.
pub fn writable_owner(world: &World, caller: &Caller, key: &str) -> Result<String, GraphError> {
    mailbox(world, caller, key, &CALENDAR_WRITE).map(|access| access.owner.id().to_string())
}

/// Refuses ids that cannot be Exchange ids (base64 of any flavour).
fn check_id(id: &str) -> Result<(), GraphError> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c));
    if valid { Ok(()) } else { Err(malformed_id()) }
}

/// The calendar with id `calendar_id`, or the default calendar when absent.
pub fn calendar<'m>(
    mailbox: &'m Mailbox,
    calendar_id: Option<&str>,
) -> Result<&'m Calendar, GraphError> {
    match calendar_id {
        None => Ok(mailbox.default_calendar()),
        Some(id) => {
            check_id(id)?;
            mailbox.calendar(id).ok_or_else(item_not_found)
        }
    }
}

/// The event or occurrence `event_id`, which must be in calendar `calendar_id` when given.
pub fn instance<'m>(
    mailbox: &'m Mailbox,
    calendar_id: Option<&str>,
    event_id: &str,
) -> Result<Instance<'m>, GraphError> {
    check_id(event_id)?;
    let calendar_id = calendar_id
        .map(|id| calendar(mailbox, Some(id)).map(|calendar| calendar.id.as_str()))
        .transpose()?;
    mailbox
        .instance(event_id)
        .filter(|instance| calendar_id.is_none_or(|id| instance.event.calendar_id == id))
        .ok_or_else(item_not_found)
}
