//! What `auth-status` and `auth-revoke` do with an application user's stored link: report its health
//! (never its tokens), or forget it (and free its Microsoft account for another application user).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::sign_in::account_claims::MsAccountId;
use crate::sign_in::account_uniqueness::AccountUniqueness;
use crate::support::clock::rfc3339;
use crate::tokens::store::{Link, LinkStatus, TokenStore};

/// Reads and removes links.
pub struct LinkedAccounts {
    store: Arc<dyn TokenStore>,
    uniqueness: AccountUniqueness,
}

/// The status report of `app_user_id`'s link: linked or not, valid or invalid with the reason, the
/// Microsoft account, granted scopes, when it was linked and last refreshed. Never a token.
pub fn status_report(app_user_id: &str, link: Option<&Link>) -> Value {
    let Some(link) = link else {
        return json!({ "authUserId": app_user_id, "linked": false });
    };
    let (status, reason) = match &link.status {
        LinkStatus::Valid => ("valid", None),
        LinkStatus::Invalid { reason } => ("invalid", Some(reason.as_str())),
    };
    let mut report = json!({
        "authUserId": app_user_id,
        "linked": true,
        "status": status,
        "scopes": link.scopes,
        "msUserId": link.ms_user_id,
        "tenantId": link.ms_tenant_id,
        "userPrincipalName": link.user_principal_name,
        "linkedAt": rfc3339(link.linked_at),
        "lastRefreshAt": rfc3339(link.last_refresh_at),
    });
    if let Some(reason) = reason {
        report["reason"] = json!(reason);
    }
    report
}

impl LinkedAccounts {
    /// Links kept in `store`, their Microsoft accounts claimed through `uniqueness`.
    pub fn new(store: Arc<dyn TokenStore>, uniqueness: AccountUniqueness) -> Self {
        Self { store, uniqueness }
    }

    /// The [`status_report`] of `app_user_id`'s link, read strongly consistently.
    pub async fn status(&self, app_user_id: &str) -> Result<Value, ApiError> {
        let link = self.store.get_link(app_user_id).await?;
        Ok(status_report(app_user_id, link.as_ref()))
    }

    /// Forgets `app_user_id`'s tokens (nothing happens when none are stored) and releases its
    /// Microsoft account's claim, if it holds one. Delegated calls then answer
    /// `RefreshTokenInvalid`; warm containers stop using their in-memory access token within their
    /// token cache TTL.
    pub async fn revoke(&self, app_user_id: &str) -> Result<(), ApiError> {
        let link = self.store.get_link(app_user_id).await?;
        self.store.delete_link(app_user_id).await?;
        if let Some(link) = link {
            self.uniqueness
                .release(&MsAccountId::of_link(&link), app_user_id)
                .await?;
        }
        tracing::info!(app_user_id, "link revoked");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{MemoryAccountClaims, MemoryStore};
    use crate::tokens::cipher::Sealed;

    fn link(status: LinkStatus) -> Link {
        let sealed = Sealed {
            key_id: "k1".into(),
            bytes: b"ciphertext-bytes".to_vec(),
        };
        Link {
            app_user_id: "alice".into(),
            ms_user_id: "ms-1".into(),
            ms_tenant_id: Some("t-1".into()),
            user_principal_name: Some("adele@contoso.com".into()),
            refresh_token: sealed.clone(),
            access_token: Some(sealed),
            access_expires_at: 1_800_000_000,
            scopes: vec!["User.Read".into()],
            version: 7,
            status,
            linked_at: 1_767_225_600,
            last_refresh_at: 1_767_229_200,
        }
    }

    #[test]
    fn reports_valid_links_without_tokens() {
        let report = status_report("alice", Some(&link(LinkStatus::Valid)));
        assert_eq!(
            report,
            json!({
                "authUserId": "alice", "linked": true, "status": "valid", "scopes": ["User.Read"],
                "msUserId": "ms-1", "tenantId": "t-1", "userPrincipalName": "adele@contoso.com",
                "linkedAt": "2026-01-01T00:00:00Z", "lastRefreshAt": "2026-01-01T01:00:00Z"
            })
        );
    }

    #[test]
    fn reports_invalid_and_missing_links() {
        let invalid = LinkStatus::Invalid {
            reason: "revoked".into(),
        };
        let report = status_report("alice", Some(&link(invalid)));
        assert_eq!(report["status"], "invalid");
        assert_eq!(report["reason"], "revoked");
        assert_eq!(
            status_report("bob", None),
            json!({"authUserId": "bob", "linked": false})
        );
    }

    #[tokio::test]
    async fn revoking_forgets_the_link_and_frees_the_account() {
        let store = Arc::new(MemoryStore::default());
        let claims = Arc::new(MemoryAccountClaims::default());
        let uniqueness = || AccountUniqueness::new(claims.clone(), store.clone());
        let linked = link(LinkStatus::Valid);
        let account = MsAccountId::of_link(&linked);
        store.put_link(&linked).await.unwrap();
        uniqueness().claim(&account, "alice").await.unwrap();
        let accounts = LinkedAccounts::new(store.clone(), uniqueness());
        assert_eq!(accounts.status("alice").await.unwrap()["linked"], true);
        accounts.revoke("alice").await.unwrap();
        accounts.revoke("alice").await.unwrap();
        assert_eq!(accounts.status("alice").await.unwrap()["linked"], false);
        assert_eq!(claims.holder_id(&account), None);
        uniqueness().claim(&account, "bob").await.unwrap();
    }
}
