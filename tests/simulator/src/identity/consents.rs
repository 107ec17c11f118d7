//! Delegated permissions each user has consented to for each app.

use std::collections::{BTreeSet, HashMap};

/// `(user id, client id)` → consented Graph delegated permissions (canonical names).
#[derive(Default)]
pub struct Consents(HashMap<(String, String), BTreeSet<&'static str>>);

fn key(user_id: &str, client_id: &str) -> (String, String) {
    (user_id.to_ascii_lowercase(), client_id.to_ascii_lowercase())
}

impl Consents {
    /// What `user_id` has consented to for `client_id`.
    pub fn granted(&self, user_id: &str, client_id: &str) -> BTreeSet<&'static str> {
        self.0
            .get(&key(user_id, client_id))
            .cloned()
            .unwrap_or_default()
    }

    /// Adds to the user's consent (consent is cumulative, as at a real consent prompt).
    pub fn grant(&mut self, user_id: &str, client_id: &str, permissions: &BTreeSet<&'static str>) {
        self.0
            .entry(key(user_id, client_id))
            .or_default()
            .extend(permissions);
    }

    /// Replaces the user's consent.
    pub fn replace(&mut self, user_id: &str, client_id: &str, permissions: BTreeSet<&'static str>) {
        self.0.insert(key(user_id, client_id), permissions);
    }
}
