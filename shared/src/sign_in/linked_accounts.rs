//! What `auth-status` and `auth-revoke` do with an application user's stored link: report its health
//! (never its tokens), or forget it (and free its Microsoft account for another application user).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::link_health::link_events::LinkEvents;
use crate::sign_in::account_claims::MsAccountId;
use crate::sign_in::account_uniqueness::AccountUniqueness;
use crate::support::clock::{now_epoch, rfc3339};
use crate::tokens::store::{Link, LinkStatus, TokenStore};

/// Reads and removes links.
pub struct LinkedAccounts {
    store: Arc<dyn TokenStore>,
    uniqueness: AccountUniqueness,
    link_events: LinkEvents,
}

/// The status report of `app_user_id`'s link: linked or not, valid or invalid with the reason, the
/// Microsoft account, granted scopes, when it was linked and last refreshed, and its `health`: the
/// last link event announced about it (`event` its `detail-type`, `reason`, `signInFixes`, `time`,
/// `eventId`) and since when refreshing it fails (`failingSince`). Never a token.
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
    let mut health = json!({});
    if let Some(event) = &link.health.last_event {
        health = json!({
            "event": event.kind.detail_type(),
            "reason": event.reason.as_str(),
            "signInFixes": event.reason.sign_in_fixes(),
            "time": rfc3339(event.at),
            "eventId": event.id,
        });
    }
    if let Some(since) = link.health.failing_since {
        health["failingSince"] = json!(rfc3339(since));
    }
    report["health"] = health;
    report
}

impl LinkedAccounts {
    /// Links kept in `store`, their Microsoft accounts claimed through `uniqueness`.
    pub fn new(store: Arc<dyn TokenStore>, uniqueness: AccountUniqueness) -> Self {
        Self {
            store,
            uniqueness,
            link_events: LinkEvents::default(),
        }
    }

    /// These links, announcing revocations (`Link Revoked`) through `link_events`.
    pub fn with_link_events(self, link_events: LinkEvents) -> Self {
        Self {
            link_events,
            ..self
        }
    }

    /// The [`status_report`] of `app_user_id`'s link, read strongly consistently.
    pub async fn status(&self, app_user_id: &str) -> Result<Value, ApiError> {
        let link = self.store.get_link(app_user_id).await?;
        Ok(status_report(app_user_id, link.as_ref()))
    }

    /// Forgets `app_user_id`'s tokens (nothing happens when none are stored) and releases its
    /// Microsoft account's claim, if it holds one. Delegated calls then answer
    /// `RefreshTokenInvalid`; warm containers stop using their in-memory access token within their
    /// token cache TTL. A stored link is announced revoked first, so a revocation whose event
    /// could not be published fails and its retry announces it (with the same `eventId`).
    pub async fn revoke(&self, app_user_id: &str) -> Result<(), ApiError> {
        let link = self.store.get_link(app_user_id).await?;
        if let Some(link) = &link {
            self.link_events.revoked(link, now_epoch()).await?;
        }
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
    use crate::link_health::health::LinkHealth;
    use crate::link_health::link_event::{LinkEventKind, LinkEventRecord};
    use crate::link_health::reason::LinkReason;
    use crate::test_util::{MemoryAccountClaims, MemoryStore, RecordingPublisher};
    use crate::tokens::cipher::Sealed;
    use std::sync::atomic::Ordering;

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
            health: Default::default(),
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
                "linkedAt": "2026-01-01T00:00:00Z", "lastRefreshAt": "2026-01-01T01:00:00Z",
                "health": {}
            })
        );
    }

    #[test]
    fn reports_the_last_link_event_as_its_health() {
        let record = LinkEventRecord::new(
            LinkEventKind::Invalidated,
            LinkReason::PasswordOrMfa,
            "alice",
            8,
            1_767_232_800,
        );
        let invalid = Link {
            health: LinkHealth::default().announcing(record),
            ..link(LinkStatus::Invalid {
                reason: "interaction_required".into(),
            })
        };
        assert_eq!(
            status_report("alice", Some(&invalid))["health"],
            json!({
                "event": "Link Invalidated", "reason": "password_or_mfa", "signInFixes": true,
                "time": "2026-01-01T02:00:00Z", "eventId": "link#alice#8#invalidated"
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

    #[tokio::test]
    async fn a_revocation_is_announced_before_the_link_goes_and_fails_if_it_cannot_be() {
        let store = Arc::new(MemoryStore::default());
        let bus = Arc::new(RecordingPublisher::default());
        let claims = Arc::new(MemoryAccountClaims::default());
        let accounts = LinkedAccounts::new(
            store.clone(),
            AccountUniqueness::new(claims.clone(), store.clone()),
        )
        .with_link_events(LinkEvents::new(Some(bus.clone()), Default::default()));
        store.put_link(&link(LinkStatus::Valid)).await.unwrap();
        bus.failing.store(true, Ordering::SeqCst);
        accounts.revoke("alice").await.unwrap_err();
        assert_eq!(accounts.status("alice").await.unwrap()["linked"], true);
        bus.failing.store(false, Ordering::SeqCst);
        accounts.revoke("alice").await.unwrap();
        accounts.revoke("alice").await.unwrap();
        let published = bus.published.lock().unwrap();
        assert_eq!(
            published.len(),
            1,
            "nothing to announce once the link is gone"
        );
        assert_eq!(published[0].detail_type, "Link Revoked");
        assert_eq!(published[0].detail["reason"], "revoked_by_application");
        assert_eq!(published[0].id, "link#alice#7#revoked");
    }
}
