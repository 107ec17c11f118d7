//! `oneLinkPerMicrosoftAccount`: at most one application user links each Microsoft account. Before
//! `auth-complete` writes a link it claims the account ([`AccountClaims`]); the claim is refused while
//! another application user's link holds that account. Revoking a link, or linking another account,
//! releases the claim.
//!
//! A claim left behind by a failure (the link was never written, or its release failed) is stale:
//! its holder's link is not that account. It is taken over once it is older than
//! [`CLAIM_GRACE_SECS`], so it never locks an account for good, while a claim younger than that may
//! belong to a completion still running and is respected.

use std::sync::Arc;

use crate::error::{ApiError, ErrorCode};
use crate::sign_in::account_claims::{AccountClaims, MsAccountId};
use crate::support::clock::now_epoch;
use crate::tokens::store::TokenStore;

/// How long a claim whose holder has no link to the account is respected, in seconds: longer than
/// any invocation runs (Lambda's limit is 15 minutes).
pub const CLAIM_GRACE_SECS: i64 = 900;
/// Claim attempts before giving up on an account other completions keep changing.
const ATTEMPTS: usize = 3;

fn already_linked() -> ApiError {
    ApiError::new(
        ErrorCode::AccountAlreadyLinked,
        "this Microsoft account is linked to another application user; that link must be revoked first",
    )
}

/// Claims and releases Microsoft accounts for application users.
pub struct AccountUniqueness {
    claims: Arc<dyn AccountClaims>,
    store: Arc<dyn TokenStore>,
}

impl AccountUniqueness {
    /// Claims in `claims`, links (to tell live claims from stale ones) in `store`.
    pub fn new(claims: Arc<dyn AccountClaims>, store: Arc<dyn TokenStore>) -> Self {
        Self { claims, store }
    }

    /// Claims `account` for `app_user_id`; `AccountAlreadyLinked` when another application user's
    /// link holds it (or a claim of theirs may still become one).
    pub async fn claim(&self, account: &MsAccountId, app_user_id: &str) -> Result<(), ApiError> {
        let now = now_epoch();
        for _ in 0..ATTEMPTS {
            if self.claims.claim(account, app_user_id, now).await? {
                return Ok(());
            }
            let Some(held) = self.claims.holder(account).await? else {
                continue; // released meanwhile: claim again
            };
            let holder_link = self.store.get_link(&held.app_user_id).await?;
            let live = holder_link.is_some_and(|link| MsAccountId::of_link(&link).same_as(account));
            if live || now - held.claimed_at < CLAIM_GRACE_SECS {
                return Err(already_linked());
            }
            if self
                .claims
                .take_over(account, &held, app_user_id, now)
                .await?
            {
                tracing::warn!("a stale Microsoft account claim was taken over");
                return Ok(());
            }
        }
        Err(already_linked())
    }

    /// Frees `account` if `app_user_id` holds it.
    pub async fn release(&self, account: &MsAccountId, app_user_id: &str) -> Result<(), ApiError> {
        self.claims.release(account, app_user_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::account_claims::AccountClaim;
    use crate::test_util::{MemoryAccountClaims, MemoryStore, link_to};

    fn adele() -> MsAccountId {
        MsAccountId {
            tenant_id: "t-1".into(),
            ms_user_id: "adele".into(),
        }
    }

    fn world() -> (
        AccountUniqueness,
        Arc<MemoryAccountClaims>,
        Arc<MemoryStore>,
    ) {
        let claims = Arc::new(MemoryAccountClaims::default());
        let store = Arc::new(MemoryStore::default());
        (
            AccountUniqueness::new(claims.clone(), store.clone()),
            claims,
            store,
        )
    }

    fn code(result: Result<(), ApiError>) -> Option<ErrorCode> {
        result.err().and_then(|e| e.code())
    }

    #[tokio::test]
    async fn one_application_user_per_account_until_released() {
        let (uniqueness, _, store) = world();
        uniqueness.claim(&adele(), "alice").await.unwrap();
        store.put_link(&link_to("alice", &adele())).await.unwrap();
        uniqueness.claim(&adele(), "alice").await.unwrap();
        assert_eq!(
            code(uniqueness.claim(&adele(), "bob").await),
            Some(ErrorCode::AccountAlreadyLinked)
        );
        uniqueness.release(&adele(), "bob").await.unwrap();
        assert_eq!(
            code(uniqueness.claim(&adele(), "bob").await),
            Some(ErrorCode::AccountAlreadyLinked),
            "only the holder releases"
        );
        uniqueness.release(&adele(), "alice").await.unwrap();
        uniqueness.claim(&adele(), "bob").await.unwrap();
    }

    #[tokio::test]
    async fn a_fresh_claim_without_a_link_is_respected_a_stale_one_taken_over() {
        let (uniqueness, claims, _) = world();
        uniqueness.claim(&adele(), "alice").await.unwrap();
        assert_eq!(
            code(uniqueness.claim(&adele(), "bob").await),
            Some(ErrorCode::AccountAlreadyLinked),
            "alice's completion may still be writing her link"
        );
        claims.set(
            &adele(),
            AccountClaim {
                app_user_id: "alice".into(),
                claimed_at: now_epoch() - CLAIM_GRACE_SECS,
            },
        );
        uniqueness.claim(&adele(), "bob").await.unwrap();
        assert_eq!(claims.holder_id(&adele()).as_deref(), Some("bob"));
    }

    #[tokio::test]
    async fn an_old_claim_whose_link_holds_the_account_is_respected() {
        let (uniqueness, claims, store) = world();
        claims.set(
            &adele(),
            AccountClaim {
                app_user_id: "alice".into(),
                claimed_at: 1,
            },
        );
        store.put_link(&link_to("alice", &adele())).await.unwrap();
        assert_eq!(
            code(uniqueness.claim(&adele(), "bob").await),
            Some(ErrorCode::AccountAlreadyLinked)
        );
        let elsewhere = MsAccountId {
            tenant_id: "t-1".into(),
            ms_user_id: "alex".into(),
        };
        store.put_link(&link_to("alice", &elsewhere)).await.unwrap();
        uniqueness.claim(&adele(), "bob").await.unwrap();
    }
}
