//! The port to wherever links and cached application tokens are kept (DynamoDB in production,
//! an in-memory map in unit tests).

use async_trait::async_trait;

use crate::error::ApiError;
use crate::link_health::health::LinkHealth;
use crate::tokens::cipher::Sealed;

/// Whether a link can still be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// The refresh token is believed to work.
    Valid,
    /// Microsoft rejected the refresh token for good; the user must sign in again.
    Invalid {
        /// Why, e.g. `expired`, `revoked`, `consent_required`.
        reason: String,
    },
}

/// One application user's link to their Microsoft account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The application user id.
    pub app_user_id: String,
    /// The user's Microsoft object id.
    pub ms_user_id: String,
    /// The user's Microsoft tenant id, if known.
    pub ms_tenant_id: Option<String>,
    /// The user's userPrincipalName, if known.
    pub user_principal_name: Option<String>,
    /// The encrypted refresh token.
    pub refresh_token: Sealed,
    /// The encrypted current access token, if any.
    pub access_token: Option<Sealed>,
    /// When the access token expires (epoch seconds).
    pub access_expires_at: i64,
    /// Graph scopes granted (short names, e.g. `User.Read`).
    pub scopes: Vec<String>,
    /// Incremented by every write; writes are conditional on it.
    pub version: u64,
    /// Usable or not.
    pub status: LinkStatus,
    /// When the user signed in (epoch seconds).
    pub linked_at: i64,
    /// When the refresh token was last redeemed or issued (epoch seconds).
    pub last_refresh_at: i64,
    /// Failures and the events announced about the link ([`crate::link_health`]).
    pub health: LinkHealth,
}

/// A cached application (client credentials) token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppTokenRecord {
    /// The encrypted access token.
    pub access_token: Sealed,
    /// When it expires (epoch seconds).
    pub expires_at: i64,
    /// When it was acquired (epoch seconds; 0 for a copy written before this was recorded).
    pub acquired_at: i64,
}

/// Storage of links and application tokens.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Reads a link (strongly consistent).
    async fn get_link(&self, app_user_id: &str) -> Result<Option<Link>, ApiError>;
    /// Writes a link, replacing any earlier one (a new sign-in).
    async fn put_link(&self, link: &Link) -> Result<(), ApiError>;
    /// Replaces a link only if the stored version is `expected_version`; `Ok(false)` when someone
    /// else wrote first (or the link is gone).
    async fn replace_link_if_version(
        &self,
        link: &Link,
        expected_version: u64,
    ) -> Result<bool, ApiError>;
    /// Deletes a link.
    async fn delete_link(&self, app_user_id: &str) -> Result<(), ApiError>;
    /// Makes a valid link due for the keeper again at `due_at` (epoch seconds), leaving the link
    /// itself unchanged, only if the stored version is `expected_version`; `Ok(false)` when someone
    /// else wrote first (or the link is gone or invalid).
    async fn defer_link(
        &self,
        app_user_id: &str,
        expected_version: u64,
        due_at: i64,
    ) -> Result<bool, ApiError>;
    /// Reads the cached application token stored under `key`.
    async fn get_app_token(&self, key: &str) -> Result<Option<AppTokenRecord>, ApiError>;
    /// Stores the application token under `key`.
    async fn put_app_token(&self, key: &str, record: &AppTokenRecord) -> Result<(), ApiError>;
    /// Deletes the application token stored under `key` (nothing happens when there is none).
    async fn delete_app_token(&self, key: &str) -> Result<(), ApiError>;
}
