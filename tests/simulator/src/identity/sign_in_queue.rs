//! Who signs in, and how, at the next `/authorize` requests.

use std::collections::VecDeque;

use serde::Deserialize;

/// What the user does on the sign-in and consent pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInOutcome {
    /// Signs in and consents.
    Approve,
    /// Declines consent (`error=access_denied`).
    Deny,
}

/// A queued sign-in.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueuedSignIn {
    /// The user who signs in.
    pub user_id: String,
    /// Approve or deny.
    pub outcome: SignInOutcome,
    /// Whether the user is an administrator who may consent to permissions that require admin
    /// consent (default: an ordinary user, who gets AADSTS90094 for those unless an administrator
    /// already consented for the tenant).
    #[serde(default)]
    pub admin: bool,
}

/// Sign-ins consumed one per `/authorize`, oldest first.
#[derive(Default)]
pub struct SignInQueue(VecDeque<QueuedSignIn>);

impl SignInQueue {
    /// Queues a sign-in.
    pub fn push(&mut self, sign_in: QueuedSignIn) {
        self.0.push_back(sign_in);
    }

    /// Takes the oldest queued sign-in.
    pub fn pop(&mut self) -> Option<QueuedSignIn> {
        self.0.pop_front()
    }
}
