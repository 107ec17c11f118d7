//! Delegated-permission tokens: each application user's stored refresh token is redeemed when the
//! cached access token is near expiry, or when the token keeper finds the link due. The rotated
//! refresh token is written only if the link's version is unchanged, so two concurrent refreshes
//! never replace a newer refresh token with an older one (Microsoft keeps old refresh tokens
//! working, so the loser simply re-reads). Permanent rejections mark the link invalid; transient
//! failures never do.

use crate::support::table_keys::link_key;
use crate::tokens::aadsts::APPLICATION_NOT_FOUND;
use std::sync::Arc;
use std::time::Duration;

use crate::change_feed::invalidated_owner::forget_subscriptions_of;
use crate::change_feed::store::SubscriptionStore;
use crate::error::{ApiError, ErrorCode};
use crate::keeper::schedule::KeeperSchedule;
use crate::link_health::link_events::{FailureSeen, LinkEvents};
use crate::settings::product_settings::Settings;
use crate::support::clock::now_epoch;
use crate::support::deadline::Deadline;
use crate::support::keyed_locks::KeyedLocks;
use crate::support::memory_cache::MemoryCache;
use crate::support::secret::Secret;
use crate::tokens::app_tokens::EXPIRY_MARGIN_SECS;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::identity_platform::{
    IdentityPlatform, RejectionKind, SCOPE_REASONS, TokenFailure,
};
use crate::tokens::scopes::satisfies;
use crate::tokens::store::{Link, LinkStatus, TokenStore};

/// Purpose bound into the encryption of stored refresh tokens.
pub const REFRESH_PURPOSE: &str = "refresh";
/// Purpose bound into the encryption of stored delegated access tokens.
pub const ACCESS_PURPOSE: &str = "access";
/// How many times a refresh is retried after losing a version race.
const MAX_RACES: usize = 3;

/// The reason recorded on a link whose tenant no longer has the application.
pub const APP_NOT_IN_TENANT_REASON: &str = "app_not_in_tenant";

/// Whether the sign-in tenant setting admits users of many tenants (`common`, `organizations`).
fn is_multi_tenant(tenant: &str) -> bool {
    matches!(tenant, "common" | "organizations")
}

/// The tenant id Microsoft gives personal Microsoft accounts (the `tid` of their tokens).
pub const PERSONAL_ACCOUNTS_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Where a link's refresh token is redeemed: the tenant it was issued in (its `tid`), or
/// `consumers` for a personal Microsoft account, as Microsoft recommends over `common` for a
/// known user; the settings' tenant when the link does not know its own.
pub fn refresh_authority(settings: &Settings, link: &Link) -> String {
    match link.ms_tenant_id.as_deref() {
        Some(PERSONAL_ACCOUNTS_TENANT) => "consumers".to_string(),
        Some(tenant) if !tenant.is_empty() => tenant.to_string(),
        _ => settings.tenant_id.clone(),
    }
}

/// What a delegated call needs: the token and who it belongs to.
#[derive(Debug, Clone)]
pub struct DelegatedAccess {
    /// Access token for Graph.
    pub access_token: Secret,
    /// When it expires (epoch seconds).
    pub expires_at: i64,
    /// Granted scopes (short names).
    pub scopes: Vec<String>,
    /// The user's Microsoft object id.
    pub ms_user_id: String,
}

/// What the token keeper's refresh of one due link did.
#[derive(Debug, Clone, PartialEq)]
pub enum KeeperOutcome {
    /// The refresh token was redeemed and the rotated one stored.
    Refreshed,
    /// Nothing to do: since the index was read, the link was refreshed, signed in again, marked
    /// invalid or removed by someone else.
    NoLongerDue,
    /// Microsoft rejected the refresh token for good: the link was marked invalid with this reason
    /// and stays out of the keeper index until the user signs in again.
    Invalidated(String),
    /// The refresh failed without saying anything about the token (Microsoft unavailable,
    /// throttling, timeout, configuration): the link stays valid and is due again soon.
    Deferred(ApiError),
}

/// What one redemption of a link's refresh token did.
enum Redemption {
    /// The rotated tokens were stored.
    Rotated(DelegatedAccess),
    /// Another writer changed the link first; nothing was stored.
    Superseded,
    /// Microsoft rejected the token for good and the link was marked invalid for `reason`;
    /// `error` is what a caller is told.
    Invalidated {
        reason: &'static str,
        error: ApiError,
    },
}

/// Provides delegated access tokens per application user.
pub struct DelegatedTokens {
    store: Arc<dyn TokenStore>,
    identity_platform: Arc<dyn IdentityPlatform>,
    memory: MemoryCache<DelegatedAccess>,
    memory_ttl: Duration,
    locks: KeyedLocks,
    link_events: LinkEvents,
    subscriptions: Option<Arc<dyn SubscriptionStore>>,
}

fn refresh_token_invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::RefreshTokenInvalid, message)
}

fn check_scopes(granted: &[String], required: &[&str]) -> Result<(), ApiError> {
    if satisfies(granted, required) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ScopeInvalid,
            format!(
                "the user has not consented to any scope this operation needs ({}): sign in again with one of them",
                required.join(", ")
            ),
        ))
    }
}

fn usable(access: &DelegatedAccess) -> bool {
    access.expires_at - EXPIRY_MARGIN_SECS > now_epoch()
}

impl DelegatedTokens {
    /// `memory_ttl` bounds how long a container trusts its in-memory copy before reading the table again
    /// (which is how a revoked link reaches warm containers).
    pub fn new(
        store: Arc<dyn TokenStore>,
        identity_platform: Arc<dyn IdentityPlatform>,
        memory_ttl: Duration,
    ) -> Self {
        Self {
            store,
            identity_platform,
            memory: MemoryCache::default(),
            memory_ttl,
            locks: KeyedLocks::default(),
            link_events: LinkEvents::default(),
            subscriptions: None,
        }
    }

    /// These tokens, announcing the link transitions they cause (invalidated, recovered, at risk)
    /// through `link_events`.
    pub fn with_link_events(self, link_events: LinkEvents) -> Self {
        Self {
            link_events,
            ..self
        }
    }

    /// These tokens, forgetting the change feed subscriptions of a link they mark invalid from
    /// `subscriptions` (`change_feed::invalidated_owner`).
    pub fn with_subscriptions(self, subscriptions: Arc<dyn SubscriptionStore>) -> Self {
        Self {
            subscriptions: Some(subscriptions),
            ..self
        }
    }

    fn remember(&self, app_user_id: &str, access: &DelegatedAccess) {
        let usable_for = Duration::from_secs(
            (access.expires_at - EXPIRY_MARGIN_SECS - now_epoch()).max(0) as u64,
        );
        self.memory
            .insert(app_user_id, access.clone(), usable_for.min(self.memory_ttl));
    }

    /// A valid access token for `app_user_id`, provided the user granted one of `required`
    /// (checked before any request to Microsoft).
    pub async fn access(
        &self,
        settings: &Settings,
        app_user_id: &str,
        required: &[&str],
        deadline: Deadline,
    ) -> Result<DelegatedAccess, ApiError> {
        if let Some(access) = self.memory.get(app_user_id).filter(usable) {
            check_scopes(&access.scopes, required)?;
            return Ok(access);
        }
        let _refreshing = self.locks.lock(app_user_id).await;
        if let Some(access) = self.memory.get(app_user_id).filter(usable) {
            check_scopes(&access.scopes, required)?;
            return Ok(access);
        }
        let mut link = self.read_valid_link(app_user_id).await?;
        check_scopes(&link.scopes, required)?;
        let cipher = TokenCipher::new(&settings.encryption_keys);
        for _ in 0..MAX_RACES {
            if let Some(access) = self.stored_access(&cipher, &link)? {
                self.remember(app_user_id, &access);
                return Ok(access);
            }
            let redemption = match self.refresh(settings, &cipher, &link, None, deadline).await {
                Ok(redemption) => redemption,
                Err(error) => {
                    // A policy block is announced; the caller is told what failed either way.
                    if let Err(table) = self
                        .link_events
                        .after_failure(
                            &*self.store,
                            &link,
                            &error,
                            FailureSeen::OnDemand,
                            now_epoch(),
                        )
                        .await
                    {
                        tracing::warn!(error = %table, "recording the link's failure failed");
                    }
                    return Err(error);
                }
            };
            match redemption {
                Redemption::Rotated(access) => {
                    self.remember(app_user_id, &access);
                    return Ok(access);
                }
                // Someone else wrote the link first: use what they stored.
                Redemption::Superseded => link = self.read_valid_link(app_user_id).await?,
                Redemption::Invalidated { error, .. } => return Err(error),
            }
        }
        Err(ApiError::new(
            ErrorCode::UpstreamUnavailable,
            "the user's tokens kept changing during refresh; try again",
        ))
    }

    /// The token keeper's refresh of `app_user_id`, whose link the keeper index listed as due: re-reads
    /// the link (strongly consistent) and redeems its refresh token only if it is still valid and due
    /// by `schedule`, so a concurrent run, a retried run or an on-demand refresh in between makes
    /// this a no-op. A transient failure moves the link's due time to `schedule`'s retry time.
    /// `Err` only when the table failed (the link is then left as it was, still due).
    pub async fn refresh_due(
        &self,
        settings: &Settings,
        app_user_id: &str,
        schedule: &KeeperSchedule,
        deadline: Deadline,
    ) -> Result<KeeperOutcome, ApiError> {
        let Some(link) = self.store.get_link(app_user_id).await? else {
            return Ok(KeeperOutcome::NoLongerDue);
        };
        // A link event left pending by an earlier writer is published first (the outbox).
        let link = self.link_events.publish_pending(&*self.store, link).await;
        let now = now_epoch();
        if link.status != LinkStatus::Valid || !schedule.is_due(link.last_refresh_at, now) {
            return Ok(KeeperOutcome::NoLongerDue);
        }
        let cipher = TokenCipher::new(&settings.encryption_keys);
        match self.refresh(settings, &cipher, &link, None, deadline).await {
            Ok(Redemption::Rotated(_)) => Ok(KeeperOutcome::Refreshed),
            Ok(Redemption::Superseded) => Ok(KeeperOutcome::NoLongerDue),
            Ok(Redemption::Invalidated { reason, .. }) => {
                Ok(KeeperOutcome::Invalidated(reason.to_string()))
            }
            Err(error) => {
                let version = self
                    .link_events
                    .after_failure(&*self.store, &link, &error, FailureSeen::ByKeeper, now)
                    .await?;
                let deferred = self
                    .store
                    .defer_link(app_user_id, version, schedule.retry_at(now))
                    .await?;
                Ok(if deferred {
                    KeeperOutcome::Deferred(error)
                } else {
                    KeeperOutcome::NoLongerDue
                })
            }
        }
    }

    /// A new access token for `app_user_id` after Graph refused `rejected` with a 401 (revoked
    /// early, or a Continuous Access Evaluation claims challenge): the refresh token is redeemed
    /// with the challenge's claims, unless another caller already replaced the token (then that
    /// one is used). When no new token could be had, the refused one is dropped from memory and
    /// table too, so the next call does not use it again; a rejection of the refresh token is
    /// handled as on any refresh (e.g. `interaction_required`: the link is invalidated).
    pub async fn renew(
        &self,
        settings: &Settings,
        app_user_id: &str,
        rejected: &Secret,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<DelegatedAccess, ApiError> {
        let fresh = |access: &DelegatedAccess| usable(access) && &access.access_token != rejected;
        if let Some(access) = self.memory.get(app_user_id).filter(fresh) {
            return Ok(access);
        }
        self.memory.remove(app_user_id);
        let _refreshing = self.locks.lock(app_user_id).await;
        if let Some(access) = self.memory.get(app_user_id).filter(fresh) {
            return Ok(access);
        }
        let cipher = TokenCipher::new(&settings.encryption_keys);
        for _ in 0..MAX_RACES {
            let link = self.read_valid_link(app_user_id).await?;
            if let Some(access) = self.stored_access(&cipher, &link)?.filter(fresh) {
                self.remember(app_user_id, &access);
                return Ok(access);
            }
            match self
                .refresh(settings, &cipher, &link, claims_challenge, deadline)
                .await
            {
                Ok(Redemption::Rotated(access)) => {
                    self.remember(app_user_id, &access);
                    return Ok(access);
                }
                Ok(Redemption::Superseded) => continue,
                Ok(Redemption::Invalidated { error, .. }) => return Err(error),
                Err(error) => {
                    self.drop_access_token(&link).await;
                    return Err(error);
                }
            }
        }
        Err(ApiError::new(
            ErrorCode::UpstreamUnavailable,
            "the user's tokens kept changing during renewal; try again",
        ))
    }

    /// Removes a refused access token from the stored link (if the link is unchanged), so no
    /// container uses it again. Best effort: a failure is logged.
    async fn drop_access_token(&self, link: &Link) {
        if link.access_token.is_none() {
            return;
        }
        let dropped = Link {
            access_token: None,
            access_expires_at: 0,
            version: link.version + 1,
            ..link.clone()
        };
        if let Err(error) = self
            .store
            .replace_link_if_version(&dropped, link.version)
            .await
        {
            tracing::warn!(error = %error, "dropping the refused access token from the table failed");
        }
    }

    async fn read_valid_link(&self, app_user_id: &str) -> Result<Link, ApiError> {
        let link = self.store.get_link(app_user_id).await?.ok_or_else(|| {
            refresh_token_invalid("no Microsoft sign-in is stored for `authUserId`: sign in first")
        })?;
        match &link.status {
            LinkStatus::Valid => Ok(link),
            // A link that lost a scope's consent keeps saying so: signing in again with the scope
            // is the fix, as on the call that found out.
            LinkStatus::Invalid { reason } if SCOPE_REASONS.contains(&reason.as_str()) => {
                Err(ApiError::new(
                    ErrorCode::ScopeInvalid,
                    format!(
                        "Microsoft refused the requested scopes ({reason}): sign in again with the needed scope"
                    ),
                ))
            }
            LinkStatus::Invalid { reason } => Err(refresh_token_invalid(format!(
                "the user's Microsoft sign-in is no longer valid ({reason}): sign in again"
            ))),
        }
    }

    fn stored_access(
        &self,
        cipher: &TokenCipher<'_>,
        link: &Link,
    ) -> Result<Option<DelegatedAccess>, ApiError> {
        let Some(sealed) = &link.access_token else {
            return Ok(None);
        };
        let access = DelegatedAccess {
            access_token: Secret::new(""),
            expires_at: link.access_expires_at,
            scopes: link.scopes.clone(),
            ms_user_id: link.ms_user_id.clone(),
        };
        if !usable(&access) {
            return Ok(None);
        }
        let access_token = cipher.open(sealed, ACCESS_PURPOSE, &link_key(&link.app_user_id))?;
        Ok(Some(DelegatedAccess {
            access_token,
            ..access
        }))
    }

    /// Redeems the link's refresh token and stores the outcome conditionally on the link's version.
    /// `Err` when nothing could be learned about the token (Microsoft unavailable, configuration,
    /// the table failed): the link is left as it was.
    async fn refresh(
        &self,
        settings: &Settings,
        cipher: &TokenCipher<'_>,
        link: &Link,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<Redemption, ApiError> {
        let owner = link_key(&link.app_user_id);
        let refresh_token = cipher.open(&link.refresh_token, REFRESH_PURPOSE, &owner)?;
        match self
            .identity_platform
            .refresh(
                settings,
                &refresh_authority(settings, link),
                &refresh_token,
                &link.scopes,
                claims_challenge,
                deadline,
            )
            .await
        {
            Ok(grant) => {
                let now = now_epoch();
                let scopes = if grant.scopes.is_empty() {
                    link.scopes.clone()
                } else {
                    grant.scopes
                };
                let rotated = Link {
                    refresh_token: match &grant.refresh_token {
                        Some(token) => cipher.seal(token, REFRESH_PURPOSE, &owner),
                        None => link.refresh_token.clone(),
                    },
                    access_token: Some(cipher.seal(&grant.access_token, ACCESS_PURPOSE, &owner)),
                    access_expires_at: now + grant.expires_in,
                    scopes: scopes.clone(),
                    version: link.version + 1,
                    last_refresh_at: now,
                    health: self.link_events.after_refresh(link, link.version + 1, now),
                    ..link.clone()
                };
                if !self
                    .store
                    .replace_link_if_version(&rotated, link.version)
                    .await?
                {
                    tracing::info!("another refresh of this link won the race; re-reading it");
                    return Ok(Redemption::Superseded);
                }
                self.link_events
                    .publish_pending(&*self.store, rotated.clone())
                    .await;
                Ok(Redemption::Rotated(DelegatedAccess {
                    access_token: grant.access_token,
                    expires_at: rotated.access_expires_at,
                    scopes,
                    ms_user_id: link.ms_user_id.clone(),
                }))
            }
            Err(TokenFailure::Rejected(rejection)) => {
                let reason = match rejection.kind() {
                    RejectionKind::TokenDead(reason) | RejectionKind::ScopeMissing(reason) => {
                        reason
                    }
                    // A multi-tenant app missing from this link's own tenant (removed by its
                    // admin): the configuration is right, the link is what cannot work any more.
                    RejectionKind::ClientInvalid
                        if rejection.error_codes.contains(&APPLICATION_NOT_FOUND)
                            && is_multi_tenant(&settings.tenant_id) =>
                    {
                        APP_NOT_IN_TENANT_REASON
                    }
                    _ => return Err(rejection.to_api_error()),
                };
                let invalid = Link {
                    status: LinkStatus::Invalid {
                        reason: reason.to_string(),
                    },
                    version: link.version + 1,
                    health: self.link_events.after_invalidation(
                        link,
                        link.version + 1,
                        reason,
                        &rejection.error_codes,
                        now_epoch(),
                    ),
                    ..link.clone()
                };
                if !self
                    .store
                    .replace_link_if_version(&invalid, link.version)
                    .await?
                {
                    // The link changed meanwhile (a new sign-in or a rotation): judge the new one instead.
                    return Ok(Redemption::Superseded);
                }
                tracing::warn!(
                    reason,
                    "Microsoft rejected the refresh token for good; link marked invalid"
                );
                let app_user_id = invalid.app_user_id.clone();
                self.link_events
                    .publish_pending(&*self.store, invalid)
                    .await;
                if let Some(subscriptions) = &self.subscriptions {
                    forget_subscriptions_of(&**subscriptions, &app_user_id).await;
                }
                Ok(Redemption::Invalidated {
                    reason,
                    error: rejection.to_api_error(),
                })
            }
            Err(failure @ (TokenFailure::Unavailable(_) | TokenFailure::Throttled(_))) => {
                Err(failure.to_api_error())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::account_linker::AccountLinker;
    use crate::test_util::{
        MemoryStore, RecordingGraph, ScriptedIdentityPlatform, grant, id_token, settings,
    };
    use crate::tokens::identity_platform::TokenRejection;
    use std::sync::atomic::Ordering;

    const READ: &[&str] = &["User.Read.All"];

    struct World {
        store: Arc<MemoryStore>,
        identity_platform: Arc<ScriptedIdentityPlatform>,
        settings: Settings,
    }

    impl World {
        async fn linked(scopes: &[&str]) -> Self {
            let world = Self {
                store: Arc::new(MemoryStore::default()),
                identity_platform: Arc::new(ScriptedIdentityPlatform::default()),
                settings: settings(),
            };
            let linker =
                AccountLinker::new(world.store.clone(), Arc::new(RecordingGraph::default()));
            let mut first = grant(1, scopes);
            first.id_token = Some(id_token("tenant-1"));
            linker
                .link(&world.settings, "alice", first, deadline())
                .await
                .unwrap();
            world
        }

        fn engine(&self) -> DelegatedTokens {
            DelegatedTokens::new(
                self.store.clone(),
                self.identity_platform.clone(),
                Duration::from_secs(300),
            )
        }

        fn link(&self) -> Link {
            self.store.links.lock().unwrap()["alice"].clone()
        }

        fn expire_access(&self) {
            self.store
                .links
                .lock()
                .unwrap()
                .get_mut("alice")
                .unwrap()
                .access_expires_at = now_epoch() - 1;
        }

        /// Has Microsoft answer the next refresh with `answer`.
        fn answer_next_refresh(
            &self,
            answer: Result<crate::tokens::identity_platform::TokenGrant, TokenFailure>,
        ) {
            self.identity_platform
                .refresh_answers
                .lock()
                .unwrap()
                .push(answer);
        }

        /// `engine`'s access token for alice, to read her profile.
        async fn access(&self, engine: &DelegatedTokens) -> Result<DelegatedAccess, ApiError> {
            engine
                .access(&self.settings, "alice", READ, deadline())
                .await
        }

        /// `engine`'s renewal of alice's `rejected` access token.
        async fn renew(
            &self,
            engine: &DelegatedTokens,
            rejected: &Secret,
            claims_challenge: Option<&str>,
        ) -> Result<DelegatedAccess, ApiError> {
            engine
                .renew(
                    &self.settings,
                    "alice",
                    rejected,
                    claims_challenge,
                    deadline(),
                )
                .await
        }

        /// Lets the access token expire, has Microsoft answer the refresh with `answer`, and
        /// returns the error `engine`'s call gives.
        async fn refresh_failing_with(
            &self,
            engine: &DelegatedTokens,
            answer: Result<crate::tokens::identity_platform::TokenGrant, TokenFailure>,
        ) -> ApiError {
            self.expire_access();
            self.answer_next_refresh(answer);
            self.access(engine).await.unwrap_err()
        }

        fn stored_refresh_token(&self) -> String {
            let link = self.link();
            let cipher = TokenCipher::new(&self.settings.encryption_keys);
            cipher
                .open(&link.refresh_token, REFRESH_PURPOSE, "link#alice")
                .unwrap()
                .expose()
                .to_string()
        }
    }

    fn deadline() -> Deadline {
        Deadline::after(Duration::from_secs(5))
    }

    fn rejected(
        codes: &[u32],
        suberror: Option<&str>,
    ) -> Result<crate::tokens::identity_platform::TokenGrant, TokenFailure> {
        Err(TokenFailure::Rejected(TokenRejection {
            status: 400,
            error: "invalid_grant".into(),
            error_codes: codes.to_vec(),
            suberror: suberror.map(String::from),
        }))
    }

    #[tokio::test]
    async fn uses_the_stored_access_token_while_fresh_and_then_memory() {
        let world = World::linked(&["User.Read.All"]).await;
        let engine = world.engine();
        let access = world.access(&engine).await.unwrap();
        assert_eq!(access.access_token.expose(), "access-1");
        assert_eq!(access.ms_user_id, "ms-object-id");
        assert_eq!(world.link().ms_tenant_id.as_deref(), Some("tenant-1"));
        world.access(&engine).await.unwrap();
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 0);
        assert_eq!(
            world.store.link_reads.load(Ordering::SeqCst),
            1,
            "the second call is served from memory"
        );
    }

    #[tokio::test]
    async fn refreshes_and_rotates_when_the_access_token_is_near_expiry() {
        let world = World::linked(&["User.Read.All"]).await;
        world.expire_access();
        let before = world.link().version;
        let access = world.access(&world.engine()).await.unwrap();
        assert_eq!(access.access_token.expose(), "access-101");
        assert_eq!(
            world.identity_platform.presented.lock().unwrap().as_slice(),
            ["refresh-1"]
        );
        assert_eq!(world.stored_refresh_token(), "refresh-101");
        assert_eq!(world.link().version, before + 1);
    }

    #[tokio::test]
    async fn concurrent_refreshes_in_two_containers_keep_one_newest_token() {
        let world = World::linked(&["User.Read.All"]).await;
        world.expire_access();
        let before = world.link().version;
        let (a, b) = (world.engine(), world.engine());
        let (first, second) = tokio::join!(world.access(&a), world.access(&b));
        let (first, second) = (first.unwrap(), second.unwrap());
        let link = world.link();
        let cipher = TokenCipher::new(&world.settings.encryption_keys);
        let stored_access = cipher
            .open(
                link.access_token.as_ref().unwrap(),
                ACCESS_PURPOSE,
                "link#alice",
            )
            .unwrap();
        // Both containers end up with the winner's tokens; the loser's rotation was never written.
        assert_eq!(first.access_token, stored_access);
        assert_eq!(second.access_token, stored_access);
        let stored = world.stored_refresh_token();
        assert_eq!(
            world.identity_platform.refreshes.load(Ordering::SeqCst),
            2,
            "both containers redeemed the old token"
        );
        assert!(
            ["refresh-101", "refresh-102"].contains(&stored.as_str()),
            "{stored}"
        );
        assert_eq!(link.version, before + 1, "exactly one rotation was written");
    }

    #[tokio::test]
    async fn permanent_rejections_invalidate_the_link() {
        let world = World::linked(&["User.Read.All"]).await;
        let engine = world.engine();
        let error = world
            .refresh_failing_with(&engine, rejected(&[50173], None))
            .await;
        assert_eq!(error.code(), Some(ErrorCode::RefreshTokenInvalid));
        assert_eq!(
            world.link().status,
            LinkStatus::Invalid {
                reason: "revoked".into()
            }
        );
        let again = world.access(&engine).await.unwrap_err();
        assert_eq!(again.code(), Some(ErrorCode::RefreshTokenInvalid));
        assert_eq!(
            world.identity_platform.refreshes.load(Ordering::SeqCst),
            1,
            "an invalid link is not retried"
        );
    }

    #[tokio::test]
    async fn withdrawn_consent_is_scope_invalid_and_invalidates() {
        let world = World::linked(&["User.Read.All"]).await;
        let engine = world.engine();
        let error = world
            .refresh_failing_with(&engine, rejected(&[65001], Some("consent_required")))
            .await;
        assert_eq!(error.code(), Some(ErrorCode::ScopeInvalid));
        assert_eq!(
            world.link().status,
            LinkStatus::Invalid {
                reason: "consent_required".into()
            }
        );
        let again = world.access(&engine).await.unwrap_err();
        assert_eq!(
            again.code(),
            Some(ErrorCode::ScopeInvalid),
            "every later call says what is missing, as the first did"
        );
    }

    #[tokio::test]
    async fn policy_blocks_and_malformed_requests_keep_the_link() {
        for (codes, expected) in [
            (&[53003][..], ErrorCode::BlockedByPolicy),
            (&[530032][..], ErrorCode::BlockedByPolicy),
            (&[9002313][..], ErrorCode::UpstreamUnavailable),
            (&[50196][..], ErrorCode::UpstreamUnavailable),
        ] {
            let world = World::linked(&["User.Read.All"]).await;
            let error = world
                .refresh_failing_with(&world.engine(), rejected(codes, None))
                .await;
            assert_eq!(error.code(), Some(expected), "{codes:?}");
            assert_eq!(world.link().status, LinkStatus::Valid, "{codes:?}");
        }
    }

    #[tokio::test]
    async fn transient_failures_never_invalidate() {
        let world = World::linked(&["User.Read.All"]).await;
        let before = world.link();
        let error = world
            .refresh_failing_with(
                &world.engine(),
                Err(TokenFailure::Unavailable("503".into())),
            )
            .await;
        assert_eq!(error.code(), Some(ErrorCode::UpstreamUnavailable));
        // Nothing but the expiry the test set has changed: same version, still valid.
        let unexpired = |link: Link| Link {
            access_expires_at: 0,
            ..link
        };
        assert_eq!(unexpired(world.link()), unexpired(before));
    }

    #[tokio::test]
    async fn missing_scope_fails_before_any_request() {
        let world = World::linked(&["Calendars.Read"]).await;
        world.expire_access();
        let error = world.access(&world.engine()).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::ScopeInvalid));
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_keeper_refreshes_only_links_still_due_when_re_read() {
        let world = World::linked(&["User.Read.All"]).await;
        let schedule = KeeperSchedule::default();
        let engine = world.engine();
        let keep =
            |user: &'static str| engine.refresh_due(&world.settings, user, &schedule, deadline());
        assert_eq!(keep("alice").await.unwrap(), KeeperOutcome::NoLongerDue);
        assert_eq!(keep("nobody").await.unwrap(), KeeperOutcome::NoLongerDue);
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 0);

        world
            .store
            .links
            .lock()
            .unwrap()
            .get_mut("alice")
            .unwrap()
            .last_refresh_at = now_epoch() - schedule.refresh_age_secs;
        let before = world.link().version;
        assert_eq!(keep("alice").await.unwrap(), KeeperOutcome::Refreshed);
        assert_eq!(world.stored_refresh_token(), "refresh-101");
        assert_eq!(world.link().version, before + 1);
        assert!(world.link().last_refresh_at >= now_epoch() - 5);
        assert_eq!(
            keep("alice").await.unwrap(),
            KeeperOutcome::NoLongerDue,
            "a retried run changes nothing twice"
        );
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn unknown_users_must_sign_in() {
        let world = World::linked(&["User.Read.All"]).await;
        let error = world
            .engine()
            .access(&world.settings, "bob", READ, deadline())
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::RefreshTokenInvalid));
    }

    #[tokio::test]
    async fn a_link_is_refreshed_in_its_own_tenant() {
        let world = World::linked(&["User.Read.All"]).await;
        let settings = world.settings.clone();
        let mut link = world.link();
        link.ms_tenant_id = Some("6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40".into());
        assert_eq!(
            refresh_authority(&settings, &link),
            "6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40"
        );
        link.ms_tenant_id = Some(PERSONAL_ACCOUNTS_TENANT.into());
        assert_eq!(refresh_authority(&settings, &link), "consumers");
        link.ms_tenant_id = None;
        assert_eq!(refresh_authority(&settings, &link), settings.tenant_id);
    }

    #[tokio::test]
    async fn an_app_removed_from_the_links_tenant_invalidates_that_link_only() {
        let world = World::linked(&["User.Read.All"]).await;
        let rejection = TokenRejection {
            status: 400,
            error: "unauthorized_client".into(),
            error_codes: vec![700016],
            suberror: None,
        };
        let error = world
            .refresh_failing_with(&world.engine(), Err(TokenFailure::Rejected(rejection)))
            .await;
        assert_eq!(error.code(), Some(ErrorCode::ConfigurationInvalid));
        assert_eq!(
            world.link().status,
            LinkStatus::Invalid {
                reason: APP_NOT_IN_TENANT_REASON.into()
            },
            "under `common` the link, not the deployment, is what broke"
        );
    }

    #[tokio::test]
    async fn a_refused_token_is_renewed_once_with_the_challenges_claims() {
        let world = World::linked(&["User.Read.All"]).await;
        let engine = world.engine();
        let first = world.access(&engine).await.unwrap();
        let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;
        let renewed = world
            .renew(&engine, &first.access_token, Some(challenge))
            .await
            .unwrap();
        assert_ne!(renewed.access_token, first.access_token);
        assert_eq!(
            *world.identity_platform.claims.lock().unwrap(),
            vec![Some(challenge.to_string())]
        );
        // A second caller that met the same refusal uses the new token: no second refresh.
        let again = world
            .renew(&world.engine(), &first.access_token, None)
            .await
            .unwrap();
        assert_eq!(again.access_token, renewed.access_token);
        assert_eq!(world.identity_platform.refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_renewal_microsoft_refuses_follows_the_usual_mapping_and_drops_the_token() {
        let world = World::linked(&["User.Read.All"]).await;
        let engine = world.engine();
        let first = world.access(&engine).await.unwrap();
        world.answer_next_refresh(Err(TokenFailure::Unavailable("down".into())));
        let error = world
            .renew(&engine, &first.access_token, None)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::UpstreamUnavailable));
        assert_eq!(world.link().access_token, None, "the refused token is gone");
        assert_eq!(world.link().status, LinkStatus::Valid);

        world.answer_next_refresh(rejected(&[50076], Some("basic_action")));
        let error = world
            .renew(&engine, &first.access_token, None)
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::RefreshTokenInvalid));
        assert_eq!(
            world.link().status,
            LinkStatus::Invalid {
                reason: "interaction_required".into()
            }
        );
    }
}
