//! What the change feed last saw of every mailbox and user, and the changes since.
//!
//! After every request that may write, the feed compares the events (by `changeKey`, which is
//! new on every change) and users (by their change number) with what it saw before, so that a
//! change made through any route (events, calendars, meeting responses, attendees' copies,
//! deleted calendars or users) is reported exactly once.

use std::collections::HashMap;

use super::subscriptions::ChangeKind;
use crate::calendar::Mailboxes;
use crate::directory::Directory;

/// An event as last seen.
#[derive(Clone, Debug)]
struct SeenEvent {
    calendar_id: String,
    change_key: String,
}

/// A change to an event.
#[derive(Clone, Debug)]
pub struct EventChange {
    /// Mailbox owner's object id.
    pub user_id: String,
    /// The calendar holding (or that held) the event.
    pub calendar_id: String,
    /// The event id.
    pub event_id: String,
    /// Its `changeKey` (the last one seen, for deletions).
    pub change_key: String,
    /// What happened.
    pub kind: ChangeKind,
}

/// A change to a user.
#[derive(Clone, Debug)]
pub struct UserChange {
    /// The user's tenant.
    pub tenant_id: String,
    /// The user's object id.
    pub user_id: String,
    /// What happened.
    pub kind: ChangeKind,
}

/// A user as last seen.
#[derive(Clone, Debug)]
struct SeenUser {
    tenant_id: String,
    changed_at: u64,
}

/// The last seen state.
#[derive(Default)]
pub struct Observed {
    events: HashMap<String, HashMap<String, SeenEvent>>,
    users: HashMap<String, SeenUser>,
}

impl Observed {
    /// The changes since the last call, which become the state seen.
    pub fn take_changes(
        &mut self,
        directory: &Directory,
        mailboxes: &Mailboxes,
    ) -> (Vec<EventChange>, Vec<UserChange>) {
        (self.event_changes(mailboxes), self.user_changes(directory))
    }

    fn event_changes(&mut self, mailboxes: &Mailboxes) -> Vec<EventChange> {
        let mut changes = Vec::new();
        let mut now: HashMap<String, HashMap<String, SeenEvent>> = HashMap::new();
        for (user_id, mailbox) in mailboxes.iter() {
            let before = self.events.remove(user_id).unwrap_or_default();
            let mut seen = HashMap::new();
            for event in mailbox.events() {
                let kind = match before.get(&event.id) {
                    None => Some(ChangeKind::Created),
                    Some(old) if old.change_key != event.change_key => Some(ChangeKind::Updated),
                    Some(_) => None,
                };
                if let Some(kind) = kind {
                    changes.push(EventChange {
                        user_id: user_id.to_string(),
                        calendar_id: event.calendar_id.clone(),
                        event_id: event.id.clone(),
                        change_key: event.change_key.clone(),
                        kind,
                    });
                }
                seen.insert(
                    event.id.clone(),
                    SeenEvent {
                        calendar_id: event.calendar_id.clone(),
                        change_key: event.change_key.clone(),
                    },
                );
            }
            changes.extend(deletions(user_id, before, &seen));
            now.insert(user_id.to_string(), seen);
        }
        // Mailboxes that are gone (deleted users): every event they held is deleted.
        for (user_id, before) in std::mem::take(&mut self.events) {
            changes.extend(deletions(&user_id, before, &HashMap::new()));
        }
        self.events = now;
        changes
    }

    fn user_changes(&mut self, directory: &Directory) -> Vec<UserChange> {
        let mut changes = Vec::new();
        let mut now = HashMap::new();
        for user in directory.users() {
            let key = user.id().to_ascii_lowercase();
            let kind = match self.users.remove(&key) {
                None => Some(ChangeKind::Created),
                Some(old) if old.changed_at != user.changed_at => Some(ChangeKind::Updated),
                Some(_) => None,
            };
            if let Some(kind) = kind {
                changes.push(UserChange {
                    tenant_id: user.tenant_id.clone(),
                    user_id: user.id().to_string(),
                    kind,
                });
            }
            now.insert(
                key,
                SeenUser {
                    tenant_id: user.tenant_id.clone(),
                    changed_at: user.changed_at,
                },
            );
        }
        changes.extend(
            std::mem::take(&mut self.users)
                .into_iter()
                .map(|(user_id, gone)| UserChange {
                    tenant_id: gone.tenant_id,
                    user_id,
                    kind: ChangeKind::Deleted,
                }),
        );
        self.users = now;
        changes
    }
}

/// The events of `before` that `now` no longer holds.
fn deletions(
    user_id: &str,
    before: HashMap<String, SeenEvent>,
    now: &HashMap<String, SeenEvent>,
) -> Vec<EventChange> {
    before
        .into_iter()
        .filter(|(id, _)| !now.contains_key(id))
        .map(|(event_id, gone)| EventChange {
            user_id: user_id.to_string(),
            calendar_id: gone.calendar_id,
            event_id,
            change_key: gone.change_key,
            kind: ChangeKind::Deleted,
        })
        .collect()
}
