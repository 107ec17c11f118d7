//! The port to where redeemed sign-ins wait for `auth-complete`: `auth-callback` stores the outcome
//! of a sign-in (the tokens, encrypted, and who signed in) under a fresh single-use `handle` that
//! only the browser which came back from Microsoft receives; the application's backend completes it
//! inside the session of the application user it belongs to. Nothing is linked before that.

use async_trait::async_trait;

use crate::error::ApiError;
use crate::sign_in::scopes::SignInMode;
use crate::sign_in::signed_in_account::SignedInAccount;
use crate::tokens::cipher::Sealed;

/// How long a redeemed sign-in can be completed, in seconds.
pub const COMPLETION_TTL_SECS: i64 = 300;
/// Purpose bound into the encryption of a pending completion's refresh token.
pub const PENDING_REFRESH_PURPOSE: &str = "pending-refresh";
/// Purpose bound into the encryption of a pending completion's access token.
pub const PENDING_ACCESS_PURPOSE: &str = "pending-access";

/// A sign-in Microsoft completed and `auth-callback` redeemed, waiting for `auth-complete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCompletion {
    /// The application user `auth-start` was called for: the only one who may complete it.
    pub app_user_id: String,
    /// The mode the sign-in was started in.
    pub mode: SignInMode,
    /// Who signed in at Microsoft.
    pub account: SignedInAccount,
    /// The refresh token, encrypted for [`PENDING_REFRESH_PURPOSE`] and the completion's key
    /// ([`crate::support::table_keys::sign_in_completion_key`]).
    pub refresh_token: Sealed,
    /// The access token, encrypted for [`PENDING_ACCESS_PURPOSE`] and the completion's key.
    pub access_token: Sealed,
    /// When the access token expires (epoch seconds).
    pub access_expires_at: i64,
    /// The Graph scopes Microsoft granted.
    pub scopes: Vec<String>,
    /// When the completion can no longer be taken (epoch seconds).
    pub expires_at: i64,
}

/// Storage of pending completions.
#[async_trait]
pub trait PendingCompletions: Send + Sync {
    /// Stores `pending` under `handle`; it may be dropped once `pending.expires_at` has passed.
    async fn put(&self, handle: &str, pending: &PendingCompletion) -> Result<(), ApiError>;
    /// Removes and returns the completion stored under `handle`, if it is still there. Of
    /// concurrent takers of one handle at most one gets it. Expiry is the caller's to check:
    /// storage may keep expired items for a while.
    async fn take(&self, handle: &str) -> Result<Option<PendingCompletion>, ApiError>;
}
