//! The port to claims on Microsoft accounts, which enforce `oneLinkPerMicrosoftAccount`: one item
//! per Microsoft account (`msaccount#<tenant>#<object id>`) naming the application user whose link
//! holds it, written with conditions so two application users can never both claim one account.

use async_trait::async_trait;

use crate::error::ApiError;
use crate::tokens::store::Link;

/// One Microsoft account: an object id is unique within its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsAccountId {
    /// The tenant id (`tid`); empty when it is not known.
    pub tenant_id: String,
    /// The object id (`oid`, `/me`'s `id`).
    pub ms_user_id: String,
}

impl MsAccountId {
    /// The account `link` is linked to.
    pub fn of_link(link: &Link) -> Self {
        Self {
            tenant_id: link.ms_tenant_id.clone().unwrap_or_default(),
            ms_user_id: link.ms_user_id.clone(),
        }
    }

    /// Whether both name the same account (ids compare case-insensitively).
    pub fn same_as(&self, other: &Self) -> bool {
        self.tenant_id.eq_ignore_ascii_case(&other.tenant_id)
            && self.ms_user_id.eq_ignore_ascii_case(&other.ms_user_id)
    }
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountClaim {
    /// The application user holding the account.
    pub app_user_id: String,
    /// When the claim was written (epoch seconds).
    pub claimed_at: i64,
}

/// Storage of claims. Every write is conditional, so of concurrent writers one wins.
#[async_trait]
pub trait AccountClaims: Send + Sync {
    /// Claims `account` for `app_user_id` at `now` if nobody, or `app_user_id` itself, holds it;
    /// `Ok(false)` when another application user does.
    async fn claim(
        &self,
        account: &MsAccountId,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError>;
    /// The claim on `account`, if any (strongly consistent).
    async fn holder(&self, account: &MsAccountId) -> Result<Option<AccountClaim>, ApiError>;
    /// Replaces `held`, exactly as read, by a claim of `app_user_id` at `now`; `Ok(false)` when
    /// the claim changed meanwhile.
    async fn take_over(
        &self,
        account: &MsAccountId,
        held: &AccountClaim,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError>;
    /// Deletes the claim on `account` if `app_user_id` holds it (nothing happens otherwise).
    async fn release(&self, account: &MsAccountId, app_user_id: &str) -> Result<(), ApiError>;
}
