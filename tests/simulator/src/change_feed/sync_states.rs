//! Sync states of `calendarView/delta` rounds, named by the opaque `$deltatoken` and
//! `$skiptoken` values of the links Graph returns.
//!
//! Graph keeps Outlook sync states in a cache of limited size, so a token can expire at any
//! time ("dependent on the size of the internal delta token cache",
//! <https://learn.microsoft.com/graph/delta-query-overview#token-duration>); a test expires them
//! with `POST /_control/delta-tokens/expire`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids::random_base64url;

/// The calendar view a round tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackedView {
    /// Mailbox owner's object id.
    pub user_id: String,
    /// The calendar.
    pub calendar_id: String,
    /// `startDateTime`.
    pub from: DateTime<Utc>,
    /// `endDateTime`.
    pub to: DateTime<Utc>,
}

/// One item of a delta answer.
#[derive(Clone, Debug)]
pub enum DeltaItem {
    /// An instance created or changed (its entity, times in UTC).
    Changed(Map<String, Value>),
    /// The id of an instance deleted or moved out of the window.
    Removed(String),
}

/// What a token resumes.
#[derive(Clone, Debug)]
pub enum SyncState {
    /// `$deltatoken`: the instances (id → changeKey) the last round ended with.
    Round {
        /// The view.
        view: TrackedView,
        /// What the caller has seen.
        known: HashMap<String, String>,
    },
    /// `$skiptoken`: the rest of a round.
    Page {
        /// The view.
        view: TrackedView,
        /// Items still to return.
        remaining: Vec<DeltaItem>,
        /// What the caller will have seen at the end of the round.
        known: HashMap<String, String>,
    },
}

impl SyncState {
    /// The view the state belongs to.
    pub fn view(&self) -> &TrackedView {
        match self {
            SyncState::Round { view, .. } | SyncState::Page { view, .. } => view,
        }
    }
}

/// Every live sync state, by token.
#[derive(Default)]
pub struct SyncStates(HashMap<String, SyncState>);

impl SyncStates {
    /// Keeps `state` under a new opaque token, returned.
    pub fn insert(&mut self, state: SyncState) -> String {
        let token = random_base64url(32);
        self.0.insert(token.clone(), state);
        token
    }

    /// The state of `token`.
    pub fn get(&self, token: &str) -> Option<&SyncState> {
        self.0.get(token)
    }

    /// Forgets every state (of user `user_id` only, when given); how many were forgotten.
    pub fn expire(&mut self, user_id: Option<&str>) -> usize {
        let before = self.0.len();
        self.0.retain(|_, state| {
            user_id.is_some_and(|id| !state.view().user_id.eq_ignore_ascii_case(id))
        });
        before - self.0.len()
    }
}
