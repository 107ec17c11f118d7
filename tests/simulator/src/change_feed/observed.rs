//! What the change feed last saw of the watched mailboxes and users, and the changes since.
//!
//! After every request that may write, the feed compares the events (by `changeKey`, which is
//! new on every change) and users (by their change number) with what it saw before, so that a
//! change made through any route (events, calendars, meeting responses, attendees' copies,
//! deleted calendars or users) is reported exactly once. Only what live subscriptions watch is
//! compared, so that a simulator without subscriptions (or a large tenant) pays nothing; a
//! mailbox starts being watched, silently, when a subscription to it is created.

use std::collections::{BTreeSet, HashMap};

use super::subscriptions::{ChangeKind, Target};
use crate::calendar::{Event, Mailbox, Mailboxes};
use crate::directory::Directory;

/// An event as last seen.
#[derive(Clone, Debug)]
struct SeenEvent {
    calendar_id: String,
    change_key: String,
}

/// A user as last seen.
#[derive(Clone, Debug)]
struct SeenUser {
    tenant_id: String,
    changed_at: u64,
}

/// A change to an event.
#[derive(Clone, Debug)]
pub struct EventChange {
    /// Mailbox owner's object id (lower case).
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

/// What live subscriptions watch.
#[derive(Debug, Default)]
pub struct Watched {
    /// Users (of any tenant).
    pub users: bool,
    /// Mailboxes, by owner's lower-cased object id.
    pub mailboxes: BTreeSet<String>,
}

impl Watched {
    /// Adds what `target` watches.
    pub fn add(&mut self, target: &Target) {
        match target {
            Target::Users => self.users = true,
            Target::Events { user_id, .. } => {
                self.mailboxes.insert(user_id.to_ascii_lowercase());
            }
        }
    }
}

/// The last seen state of what is watched.
#[derive(Default)]
pub struct Observed {
    events: HashMap<String, HashMap<String, SeenEvent>>,
    users: Option<HashMap<String, SeenUser>>,
}

fn seen_events(mailbox: Option<&Mailbox>) -> HashMap<String, SeenEvent> {
    mailbox
        .map(|mailbox| {
            mailbox
                .events()
                .iter()
                .map(|event| {
                    (
                        event.id.clone(),
                        SeenEvent {
                            calendar_id: event.calendar_id.clone(),
                            change_key: event.change_key.clone(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn seen_users(directory: &Directory) -> HashMap<String, SeenUser> {
    directory
        .users()
        .map(|user| {
            (
                user.id().to_ascii_lowercase(),
                SeenUser {
                    tenant_id: user.tenant_id.clone(),
                    changed_at: user.changed_at,
                },
            )
        })
        .collect()
}

impl Observed {
    /// Starts watching what `target` names, as it is now (no change reported for it).
    pub fn start_watching(
        &mut self,
        target: &Target,
        directory: &Directory,
        mailboxes: &Mailboxes,
    ) {
        match target {
            Target::Users => {
                if self.users.is_none() {
                    self.users = Some(seen_users(directory));
                }
            }
            Target::Events { user_id, .. } => {
                let key = user_id.to_ascii_lowercase();
                let mailbox = mailboxes.get(&key);
                self.events
                    .entry(key)
                    .or_insert_with(|| seen_events(mailbox));
            }
        }
    }

    /// The changes to what `watched` names since the last call, which become the state seen;
    /// what is no longer watched is forgotten.
    pub fn take_changes(
        &mut self,
        watched: &Watched,
        directory: &Directory,
        mailboxes: &Mailboxes,
    ) -> (Vec<EventChange>, Vec<UserChange>) {
        let mut event_changes = Vec::new();
        let mut before_all = std::mem::take(&mut self.events);
        for user_id in &watched.mailboxes {
            let mailbox = mailboxes.get(user_id);
            let now = seen_events(mailbox);
            if let Some(before) = before_all.remove(user_id) {
                let events = mailbox.map(Mailbox::events).unwrap_or_default();
                event_changes.extend(event_diff(user_id, &before, events, &now));
            }
            self.events.insert(user_id.clone(), now);
        }
        let user_changes = match (watched.users, self.users.take()) {
            (true, Some(before)) => {
                let now = seen_users(directory);
                let changes = user_diff(&before, directory, &now);
                self.users = Some(now);
                changes
            }
            (true, None) => {
                self.users = Some(seen_users(directory));
                Vec::new()
            }
            (false, _) => Vec::new(),
        };
        (event_changes, user_changes)
    }
}

/// Created and updated events in the mailbox's order, then deleted ones by id.
fn event_diff(
    user_id: &str,
    before: &HashMap<String, SeenEvent>,
    events: &[Event],
    now: &HashMap<String, SeenEvent>,
) -> Vec<EventChange> {
    let change = |event_id: &str, seen: &SeenEvent, kind| EventChange {
        user_id: user_id.to_string(),
        calendar_id: seen.calendar_id.clone(),
        event_id: event_id.to_string(),
        change_key: seen.change_key.clone(),
        kind,
    };
    let mut changes: Vec<EventChange> = events
        .iter()
        .filter_map(|event| {
            let seen = now.get(&event.id)?;
            match before.get(&event.id) {
                None => Some(change(&event.id, seen, ChangeKind::Created)),
                Some(old) if old.change_key != seen.change_key => {
                    Some(change(&event.id, seen, ChangeKind::Updated))
                }
                Some(_) => None,
            }
        })
        .collect();
    let mut deleted: Vec<(&String, &SeenEvent)> = before
        .iter()
        .filter(|(id, _)| !now.contains_key(*id))
        .collect();
    deleted.sort_by_key(|(id, _)| *id);
    changes.extend(
        deleted
            .into_iter()
            .map(|(id, seen)| change(id, seen, ChangeKind::Deleted)),
    );
    changes
}

/// Created and updated users in the directory's order, then deleted ones by id.
fn user_diff(
    before: &HashMap<String, SeenUser>,
    directory: &Directory,
    now: &HashMap<String, SeenUser>,
) -> Vec<UserChange> {
    let change = |user_id: &str, seen: &SeenUser, kind| UserChange {
        tenant_id: seen.tenant_id.clone(),
        user_id: user_id.to_string(),
        kind,
    };
    let mut changes: Vec<UserChange> = directory
        .users()
        .filter_map(|user| {
            let id = user.id().to_ascii_lowercase();
            let seen = now.get(&id)?;
            match before.get(&id) {
                None => Some(change(&id, seen, ChangeKind::Created)),
                Some(old) if old.changed_at != seen.changed_at => {
                    Some(change(&id, seen, ChangeKind::Updated))
                }
                Some(_) => None,
            }
        })
        .collect();
    let mut deleted: Vec<(&String, &SeenUser)> = before
        .iter()
        .filter(|(id, _)| !now.contains_key(*id))
        .collect();
    deleted.sort_by_key(|(id, _)| *id);
    changes.extend(
        deleted
            .into_iter()
            .map(|(id, seen)| change(id, seen, ChangeKind::Deleted)),
    );
    changes
}
