//! Application-permission tokens: client credentials against the app tenant, cached in memory and in
//! the table until shortly before expiry. A Lambda container handles one event at a time, so a miss
//! makes one request; the fetch lock only matters to callers sharing one process concurrently.
//! `cache-clear` deletes the table copy; every container's memory copy lives at most its
//! `memory_ttl` (`TOKEN_CACHE_TTL_SECONDS`), after which it reads the table and fetches a new token.
//!
//! A token Graph refuses is replaced once: after a 401 (revoked early, or a Continuous Access
//! Evaluation claims challenge, whose claims the new token is asked for with), and after a 403
//! `Authorization_RequestDenied` when it is older than [`DENIED_RENEWAL_MIN_AGE_SECS`], since an
//! application token carries the permissions granted when it was issued (its `roles`), so a
//! permission an administrator grants later only takes effect in a new token. The second case is
//! rate limited to one renewal per [`DENIED_RENEWAL_INTERVAL_SECS`] per container, so a call that
//! lacks a permission for good costs at most one extra token request a minute.

use crate::support::table_keys::{APP_TOKEN_KEY, app_token_owner};
use std::sync::Arc;
use std::time::Duration;

use crate::error::ApiError;
use crate::settings::product_settings::Settings;
use crate::support::clock::now_epoch;
use crate::support::deadline::Deadline;
use crate::support::memory_cache::MemoryCache;
use crate::support::secret::Secret;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::identity_platform::IdentityPlatform;
use crate::tokens::store::{AppTokenRecord, TokenStore};

/// Tokens are renewed this long before they expire.
pub const EXPIRY_MARGIN_SECS: i64 = 300;
/// An application token denied with `Authorization_RequestDenied` is replaced only when it is at
/// least this old (5 minutes): a younger one already carries every permission granted before it
/// was issued, give or take Microsoft's own propagation.
pub const DENIED_RENEWAL_MIN_AGE_SECS: i64 = 300;
/// At most one renewal after `Authorization_RequestDenied` per container in this many seconds.
pub const DENIED_RENEWAL_INTERVAL_SECS: i64 = 60;
/// Purpose bound into the encryption of cached application tokens.
const PURPOSE: &str = "app-access";

/// An application token and when it was acquired (epoch seconds; 0 when unknown).
#[derive(Clone)]
struct HeldToken {
    token: Secret,
    acquired_at: i64,
}

/// Provides application access tokens.
pub struct AppTokens {
    store: Arc<dyn TokenStore>,
    identity_platform: Arc<dyn IdentityPlatform>,
    memory: MemoryCache<HeldToken>,
    memory_ttl: Duration,
    fetching: tokio::sync::Mutex<()>,
    /// When this container last renewed a token after `Authorization_RequestDenied`.
    last_denied_renewal: std::sync::Mutex<Option<i64>>,
}

impl AppTokens {
    /// `memory_ttl` bounds how long a container trusts its in-memory copy before looking at the table
    /// again (which is how a `cache-clear` reaches warm containers).
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
            fetching: tokio::sync::Mutex::new(()),
            last_denied_renewal: std::sync::Mutex::new(None),
        }
    }

    fn remember(&self, key: &str, held: &HeldToken, expires_at: i64) {
        let usable =
            Duration::from_secs((expires_at - EXPIRY_MARGIN_SECS - now_epoch()).max(0) as u64);
        self.memory
            .insert(key, held.clone(), usable.min(self.memory_ttl));
    }

    /// A valid application token for Graph.
    pub async fn access_token(
        &self,
        settings: &Settings,
        deadline: Deadline,
    ) -> Result<Secret, ApiError> {
        self.held(settings, None, None, deadline)
            .await
            .map(|held| held.token)
    }

    /// A new application token after Graph refused `rejected` with a 401: the cached copy (memory
    /// and table) is dropped and a token asked for with the challenge's claims, unless another
    /// caller already replaced it (then that one is used).
    pub async fn renew(
        &self,
        settings: &Settings,
        rejected: &Secret,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<Secret, ApiError> {
        self.held(settings, Some(rejected), claims_challenge, deadline)
            .await
            .map(|held| held.token)
    }

    /// After Graph denied `rejected` with `Authorization_RequestDenied`: a new token when the
    /// rejected one is at least [`DENIED_RENEWAL_MIN_AGE_SECS`] old (or of unknown age) and this
    /// container has not renewed for a denial in the last [`DENIED_RENEWAL_INTERVAL_SECS`];
    /// `None` when the denial stands.
    pub async fn renew_denied(
        &self,
        settings: &Settings,
        rejected: &Secret,
        deadline: Deadline,
    ) -> Result<Option<Secret>, ApiError> {
        let key = app_token_owner(settings.require_app_tenant()?, &settings.client_id);
        let now = now_epoch();
        let acquired_at = match self.memory.get(&key) {
            Some(held) if &held.token == rejected => held.acquired_at,
            // Not the token this container holds (already replaced, or expired from memory).
            _ => 0,
        };
        if now - acquired_at < DENIED_RENEWAL_MIN_AGE_SECS {
            return Ok(None);
        }
        {
            let mut last = self
                .last_denied_renewal
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|at| now - at < DENIED_RENEWAL_INTERVAL_SECS) {
                return Ok(None);
            }
            *last = Some(now);
        }
        tracing::info!(
            age_secs = now - acquired_at,
            "Graph denied an application token older than the permissions granted since; replacing it once"
        );
        self.held(settings, Some(rejected), None, deadline)
            .await
            .map(|held| Some(held.token))
    }

    /// The cached token (memory, then table), or a new one. With `rejected`, that token is never
    /// returned: it is dropped from memory and table and a new one asked for with `claims_challenge`.
    async fn held(
        &self,
        settings: &Settings,
        rejected: Option<&Secret>,
        claims_challenge: Option<&str>,
        deadline: Deadline,
    ) -> Result<HeldToken, ApiError> {
        let tenant = settings.require_app_tenant()?;
        let key = app_token_owner(tenant, &settings.client_id);
        let acceptable = |held: &HeldToken| rejected != Some(&held.token);
        if let Some(held) = self.memory.get(&key).filter(acceptable) {
            return Ok(held);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(held) = self.memory.get(&key).filter(acceptable) {
            return Ok(held);
        }
        let cipher = TokenCipher::new(&settings.encryption_keys);
        match self.store.get_app_token(APP_TOKEN_KEY).await {
            Ok(Some(record)) if record.expires_at - EXPIRY_MARGIN_SECS > now_epoch() => {
                match cipher.open(&record.access_token, PURPOSE, &key) {
                    Ok(token) => {
                        let held = HeldToken {
                            token,
                            acquired_at: record.acquired_at,
                        };
                        if acceptable(&held) {
                            self.remember(&key, &held, record.expires_at);
                            return Ok(held);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(error = %error, "cached application token unusable; fetching a new one")
                    }
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = %error, "reading the cached application token failed; fetching a new one")
            }
        }
        if rejected.is_some() {
            self.memory.remove(&key);
            if let Err(error) = self.store.delete_app_token(APP_TOKEN_KEY).await {
                tracing::warn!(error = %error, "dropping the refused application token from the table failed");
            }
        }
        let grant = self
            .identity_platform
            .client_credentials(settings, tenant, claims_challenge, deadline)
            .await
            .map_err(|failure| failure.to_api_error())?;
        let acquired_at = now_epoch();
        let expires_at = acquired_at + grant.expires_in;
        let record = AppTokenRecord {
            access_token: cipher.seal(&grant.access_token, PURPOSE, &key),
            expires_at,
            acquired_at,
        };
        if let Err(error) = self.store.put_app_token(APP_TOKEN_KEY, &record).await {
            tracing::warn!(error = %error, "caching the application token in the table failed");
        }
        let held = HeldToken {
            token: grant.access_token,
            acquired_at,
        };
        self.remember(&key, &held, expires_at);
        Ok(held)
    }

    /// Deletes the cached application token from the table and that of the app in `settings` from
    /// this container's memory; returns its table key. Other containers fetch a new one once their
    /// memory copy expires.
    pub async fn clear(&self, settings: &Settings) -> Result<String, ApiError> {
        let key = app_token_owner(settings.require_app_tenant()?, &settings.client_id);
        self.store.delete_app_token(APP_TOKEN_KEY).await?;
        self.memory.remove(&key);
        Ok(APP_TOKEN_KEY.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{MemoryStore, ScriptedIdentityPlatform, settings};
    use std::sync::atomic::Ordering;

    /// One table and one identity platform shared by any number of containers.
    struct World {
        store: Arc<MemoryStore>,
        identity_platform: Arc<ScriptedIdentityPlatform>,
        settings: Settings,
        deadline: Deadline,
    }

    impl World {
        fn new() -> Self {
            Self {
                store: Arc::new(MemoryStore::default()),
                identity_platform: Arc::new(ScriptedIdentityPlatform::default()),
                settings: settings(),
                deadline: Deadline::after(Duration::from_secs(5)),
            }
        }

        /// A container's tokens, keeping a copy in memory for `memory_ttl`.
        fn container(&self, memory_ttl: Duration) -> AppTokens {
            AppTokens::new(
                self.store.clone(),
                self.identity_platform.clone(),
                memory_ttl,
            )
        }

        /// The token `tokens` hands out, as text.
        async fn token(&self, tokens: &AppTokens) -> String {
            tokens
                .access_token(&self.settings, self.deadline)
                .await
                .unwrap()
                .expose()
                .to_string()
        }

        fn client_credentials(&self) -> usize {
            self.identity_platform
                .client_credentials
                .load(Ordering::SeqCst)
        }

        /// Makes every token in the table as old as `age_secs`.
        fn age_table_tokens(&self, age_secs: i64) {
            for record in self.store.app_tokens.lock().unwrap().values_mut() {
                record.acquired_at = now_epoch() - age_secs;
            }
        }
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_request_and_the_table_serves_other_containers() {
        let world = World::new();
        let tokens = world.container(Duration::from_secs(300));
        let results = futures::future::join_all(
            (0..8).map(|_| tokens.access_token(&world.settings, world.deadline)),
        )
        .await;
        for result in results {
            assert_eq!(result.unwrap().expose(), "access-1");
        }
        assert_eq!(world.client_credentials(), 1);

        let other_container = world.container(Duration::from_secs(300));
        assert_eq!(world.token(&other_container).await, "access-1");
        assert_eq!(world.client_credentials(), 1);
    }

    #[tokio::test]
    async fn clearing_makes_the_next_miss_fetch_a_new_token() {
        let world = World::new();
        let warm = world.container(Duration::from_secs(300));
        world.token(&warm).await;

        let key = warm.clear(&world.settings).await.unwrap();
        assert_eq!(key, APP_TOKEN_KEY);
        assert!(world.store.app_tokens.lock().unwrap().is_empty());
        let fresh = world.container(Duration::from_secs(300));
        assert_eq!(world.token(&fresh).await, "access-2");
        assert_eq!(
            world.token(&warm).await,
            "access-2",
            "the clearing container forgot its own copy and reads the table"
        );
        assert_eq!(world.client_credentials(), 2);
    }

    #[tokio::test]
    async fn expired_cached_tokens_are_replaced() {
        let world = World::new();
        world.token(&world.container(Duration::ZERO)).await;
        for record in world.store.app_tokens.lock().unwrap().values_mut() {
            record.expires_at = now_epoch() + EXPIRY_MARGIN_SECS - 1;
        }
        assert_eq!(
            world.token(&world.container(Duration::ZERO)).await,
            "access-2"
        );
    }

    #[tokio::test]
    async fn a_refused_token_is_dropped_and_replaced_with_the_challenges_claims() {
        let world = World::new();
        let tokens = world.container(Duration::from_secs(300));
        let first = tokens
            .access_token(&world.settings, world.deadline)
            .await
            .unwrap();
        let renewed = tokens
            .renew(&world.settings, &first, Some("{}"), world.deadline)
            .await
            .unwrap();
        assert_eq!(renewed.expose(), "access-2");
        assert_eq!(
            *world.identity_platform.claims.lock().unwrap(),
            vec![None, Some("{}".to_string())]
        );
        // Another container that met the refusal finds the new token in the table.
        let other = world.container(Duration::ZERO);
        assert_eq!(
            other
                .renew(&world.settings, &first, None, world.deadline)
                .await
                .unwrap()
                .expose(),
            "access-2"
        );
        assert_eq!(world.client_credentials(), 2);
    }

    #[tokio::test]
    async fn a_denied_token_is_replaced_only_when_old_and_at_most_once_a_minute() {
        let world = World::new();
        let (settings, deadline) = (&world.settings, world.deadline);
        let tokens = world.container(Duration::from_secs(300));
        let young = tokens.access_token(settings, deadline).await.unwrap();
        assert_eq!(
            tokens
                .renew_denied(settings, &young, deadline)
                .await
                .unwrap(),
            None,
            "a token issued just now already has every permission granted"
        );

        // A container that read an old token from the table replaces it, once a minute at most.
        world.age_table_tokens(DENIED_RENEWAL_MIN_AGE_SECS + 1);
        let other = world.container(Duration::ZERO);
        let old = other.access_token(settings, deadline).await.unwrap();
        let renewed = other
            .renew_denied(settings, &old, deadline)
            .await
            .unwrap()
            .expect("an old denied token is replaced");
        assert_ne!(renewed, old);
        world.age_table_tokens(DENIED_RENEWAL_MIN_AGE_SECS + 1);
        let older = other.access_token(settings, deadline).await.unwrap();
        assert_eq!(
            other
                .renew_denied(settings, &older, deadline)
                .await
                .unwrap(),
            None,
            "rate limited per container"
        );
    }
}
