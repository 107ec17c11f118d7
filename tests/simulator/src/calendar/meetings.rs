//! Meetings across mailboxes: invitations land in attendees' default calendars, updates and
//! cancellations follow them there, and responses go back to the organizer.

use chrono::Utc;
use serde_json::{Value, json};

use super::time_zone::format_instant;
use super::{Event, Mailboxes};
use crate::directory::{Directory, UserRecord};

/// Properties of the organizer's event that attendees' copies follow; the others (reminders,
/// categories, `showAs`) belong to each mailbox owner.
const SHARED_PROPERTIES: &[&str] = &[
    "subject",
    "body",
    "location",
    "locations",
    "attendees",
    "importance",
    "sensitivity",
    "isAllDay",
    "recurrence",
    "allowNewTimeProposals",
    "hideAttendees",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "responseRequested",
];

/// Prefix Exchange gives the subject of a cancelled meeting in attendees' calendars.
const CANCELLED_PREFIX: &str = "Canceled: ";

/// The user of `tenant_id` whose mail or userPrincipalName is `address`.
pub fn user_by_address<'d>(
    directory: &'d Directory,
    tenant_id: &str,
    address: &str,
) -> Option<&'d UserRecord> {
    directory.users_of(tenant_id).find(|user| {
        user.user_principal_name().eq_ignore_ascii_case(address)
            || user
                .text("mail")
                .is_some_and(|mail| mail.eq_ignore_ascii_case(address))
    })
}

/// The attendees of `meeting` who are users of `tenant_id`, other than `organizer_id`.
fn attendee_users<'d>(
    directory: &'d Directory,
    tenant_id: &str,
    organizer_id: &str,
    meeting: &Event,
) -> Vec<&'d UserRecord> {
    let mut users: Vec<&UserRecord> = meeting
        .attendee_addresses()
        .iter()
        .filter_map(|address| user_by_address(directory, tenant_id, address))
        .filter(|user| !user.id().eq_ignore_ascii_case(organizer_id))
        .collect();
    users.dedup_by_key(|user| user.id().to_string());
    users
}

/// Sends the organizer's meeting `event_id` to its attendees: those who are users of the
/// tenant get a copy in their default calendar, or their copy brought up to date; users who
/// were removed from the attendees find their copy cancelled.
pub fn send_meeting(
    directory: &Directory,
    mailboxes: &mut Mailboxes,
    tenant_id: &str,
    organizer_id: &str,
    event_id: &str,
) {
    let Some(meeting) = mailboxes
        .get(organizer_id)
        .and_then(|mailbox| mailbox.event(event_id))
        .cloned()
    else {
        return;
    };
    let attendees = attendee_users(directory, tenant_id, organizer_id, &meeting);
    for user in directory.users_of(tenant_id) {
        let invited = attendees.iter().any(|attendee| attendee.id() == user.id());
        let Some(mailbox) = mailboxes
            .get_mut(user.id())
            .filter(|_| !user.id().eq_ignore_ascii_case(organizer_id))
        else {
            continue;
        };
        match mailbox.meeting_mut(&meeting.ical_uid) {
            Some(copy) if invited => follow(copy, &meeting),
            Some(copy) => cancel_copy(copy),
            None if invited => {
                let calendar_id = mailbox.default_calendar().id.clone();
                mailbox.add_event(meeting.invitation_copy(calendar_id));
            }
            None => {}
        }
    }
}

/// Brings an attendee's copy up to date with the organizer's event.
fn follow(copy: &mut Event, meeting: &Event) {
    for name in SHARED_PROPERTIES {
        match meeting.properties.get(*name) {
            Some(value) => copy.properties.insert((*name).to_string(), value.clone()),
            None => copy.properties.remove(*name),
        };
    }
    copy.reset_attendee_statuses();
    copy.start = meeting.start.clone();
    copy.end = meeting.end.clone();
    copy.recurrence = meeting.recurrence.clone();
    copy.deleted_occurrences = meeting.deleted_occurrences.clone();
    copy.is_cancelled = meeting.is_cancelled;
    copy.touch();
}

/// Marks an attendee's copy cancelled, as the cancellation message does.
fn cancel_copy(copy: &mut Event) {
    if copy.is_cancelled {
        return;
    }
    copy.is_cancelled = true;
    let subject = copy
        .properties
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cancelled = format!("{CANCELLED_PREFIX}{subject}");
    copy.properties
        .insert("subject".into(), Value::String(cancelled));
    copy.touch();
}

/// Cancels a meeting the organizer deleted or cancelled: every attendee's copy is marked
/// cancelled.
pub fn cancel_meeting(
    directory: &Directory,
    mailboxes: &mut Mailboxes,
    tenant_id: &str,
    meeting: &Event,
) {
    for user in directory.users_of(tenant_id) {
        if let Some(copy) = mailboxes
            .get_mut(user.id())
            .and_then(|mailbox| mailbox.meeting_mut(&meeting.ical_uid))
            .filter(|copy| !copy.is_organizer)
        {
            cancel_copy(copy);
        }
    }
}

/// An attendee's answer to an invitation.
pub struct Reply {
    /// `accepted`, `tentativelyAccepted` or `declined`.
    pub response: &'static str,
    /// The `proposedNewTime` (a timeSlot) of a decline or tentative acceptance.
    pub proposed_new_time: Option<Value>,
    /// `sendResponse`: whether the organizer is told.
    pub notify_organizer: bool,
}

/// Records `attendee`'s reply in their copy `event_id`; with `notify_organizer`, the
/// organizer's event shows it in the attendee's `status` (and `proposedNewTime`).
pub fn reply(
    directory: &Directory,
    mailboxes: &mut Mailboxes,
    tenant_id: &str,
    attendee: &UserRecord,
    event_id: &str,
    reply: Reply,
) {
    let now = Utc::now();
    let Some(copy) = mailboxes
        .get_mut(attendee.id())
        .and_then(|mailbox| mailbox.event_mut(event_id))
    else {
        return;
    };
    copy.response.response = reply.response;
    copy.response.time = Some(now);
    copy.touch();
    let (ical_uid, organizer_address) = (
        copy.ical_uid.clone(),
        copy.organizer_address().unwrap_or_default().to_string(),
    );
    if !reply.notify_organizer {
        return;
    }
    let Some(meeting) = user_by_address(directory, tenant_id, &organizer_address)
        .and_then(|organizer| mailboxes.get_mut(organizer.id()))
        .and_then(|mailbox| mailbox.meeting_mut(&ical_uid))
        .filter(|meeting| meeting.is_organizer)
    else {
        return;
    };
    let addresses = [Some(attendee.user_principal_name()), attendee.text("mail")];
    let Some(Value::Array(attendees)) = meeting.properties.get_mut("attendees") else {
        return;
    };
    for entry in attendees.iter_mut().filter_map(Value::as_object_mut) {
        let named = entry
            .get("emailAddress")
            .and_then(|email| email.get("address"))
            .and_then(Value::as_str)
            .is_some_and(|address| {
                addresses
                    .iter()
                    .flatten()
                    .any(|own| own.eq_ignore_ascii_case(address))
            });
        if named {
            entry.insert(
                "status".into(),
                json!({"response": reply.response, "time": format_instant(now)}),
            );
            match &reply.proposed_new_time {
                Some(slot) => entry.insert("proposedNewTime".into(), slot.clone()),
                None => entry.remove("proposedNewTime"),
            };
        }
    }
}

/// Adds `recipients` (recipient objects) to the attendees of the organizer's meeting with
/// `ical_uid` and sends it to them.
pub fn forward(
    directory: &Directory,
    mailboxes: &mut Mailboxes,
    tenant_id: &str,
    organizer_id: &str,
    ical_uid: &str,
    recipients: &[Value],
) {
    let Some(meeting) = mailboxes
        .get_mut(organizer_id)
        .and_then(|mailbox| mailbox.meeting_mut(ical_uid))
        .filter(|meeting| meeting.is_organizer)
    else {
        return;
    };
    let known = meeting.attendee_addresses();
    let attendees = meeting
        .properties
        .entry("attendees")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(attendees) = attendees {
        for recipient in recipients {
            let address = recipient
                .pointer("/emailAddress/address")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !known
                .iter()
                .any(|known| known.eq_ignore_ascii_case(address))
            {
                attendees.push(json!({
                    "type": "required",
                    "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                    "emailAddress": recipient.get("emailAddress").cloned().unwrap_or(Value::Null),
                }));
            }
        }
    }
    meeting.touch();
    let event_id = meeting.id.clone();
    send_meeting(directory, mailboxes, tenant_id, organizer_id, &event_id);
}
