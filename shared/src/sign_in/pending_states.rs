//! The port to where started sign-ins wait for Microsoft's callback: each under its `state`, with a
//! time to live, taken at most once (DynamoDB in production, a map in unit tests).

use async_trait::async_trait;

use crate::error::ApiError;
use crate::sign_in::expected_account::ExpectedAccount;
use crate::sign_in::scopes::SignInMode;
use crate::tokens::cipher::Sealed;

/// How long a started sign-in can be completed, in seconds (Microsoft's codes live 10 minutes too).
pub const SIGN_IN_TTL_SECS: i64 = 600;
/// Purpose bound into the encryption of a stored PKCE verifier.
pub const VERIFIER_PURPOSE: &str = "pkce-verifier";

/// A sign-in started by `auth-start`, waiting for `auth-callback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The application user the sign-in links.
    pub app_user_id: String,
    /// The mode the flow was started in.
    pub mode: SignInMode,
    /// Where the browser goes after a successful sign-in.
    pub return_url: String,
    /// Every scope `/authorize` was asked for (also asked for when redeeming the code).
    pub scopes: Vec<String>,
    /// The PKCE verifier, encrypted for [`VERIFIER_PURPOSE`] and the state's key
    /// ([`crate::support::table_keys::sign_in_state_key`]).
    pub verifier: Sealed,
    /// The Microsoft account that must sign in, if `auth-start` named one.
    pub expected: ExpectedAccount,
    /// When the sign-in can no longer be completed (epoch seconds).
    pub expires_at: i64,
}

/// Storage of pending sign-ins.
#[async_trait]
pub trait SignInStateStore: Send + Sync {
    /// Stores `pending` under `state`; it may be dropped once `pending.expires_at` has passed.
    async fn put(&self, state: &str, pending: &PendingSignIn) -> Result<(), ApiError>;
    /// Removes and returns the sign-in stored under `state`, if it is still there. Of concurrent
    /// takers of one state at most one gets it. Expiry is the caller's to check: storage may keep
    /// expired items for a while.
    async fn take(&self, state: &str) -> Result<Option<PendingSignIn>, ApiError>;
}
