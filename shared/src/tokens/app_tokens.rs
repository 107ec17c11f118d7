//! Application-permission tokens: client credentials against the app tenant, cached in memory and in
//! the table until shortly before expiry. A Lambda container handles one event at a time, so a miss
//! makes one request; the fetch lock only matters to callers sharing one process concurrently.
//! `cache-clear` deletes the table copy; every container's memory copy lives at most its
//! `memory_ttl` (`TOKEN_CACHE_TTL_SECONDS`), after which it reads the table and fetches a new token.

use crate::support::table_keys::app_token_key;
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
/// Purpose bound into the encryption of cached application tokens.
const PURPOSE: &str = "app-access";

/// Provides application access tokens.
pub struct AppTokens {
    store: Arc<dyn TokenStore>,
    identity_platform: Arc<dyn IdentityPlatform>,
    memory: MemoryCache<Secret>,
    memory_ttl: Duration,
    fetching: tokio::sync::Mutex<()>,
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
        }
    }

    fn remember(&self, key: &str, token: &Secret, expires_at: i64) {
        let usable =
            Duration::from_secs((expires_at - EXPIRY_MARGIN_SECS - now_epoch()).max(0) as u64);
        self.memory
            .insert(key, token.clone(), usable.min(self.memory_ttl));
    }

    /// A valid application token for Graph.
    pub async fn access_token(
        &self,
        settings: &Settings,
        deadline: Deadline,
    ) -> Result<Secret, ApiError> {
        let tenant = settings.require_app_tenant()?;
        let key = app_token_key(tenant, &settings.client_id);
        if let Some(token) = self.memory.get(&key) {
            return Ok(token);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(token) = self.memory.get(&key) {
            return Ok(token);
        }
        let cipher = TokenCipher::new(&settings.encryption_keys);
        match self.store.get_app_token(&key).await {
            Ok(Some(record)) if record.expires_at - EXPIRY_MARGIN_SECS > now_epoch() => {
                match cipher.open(&record.access_token, PURPOSE, &key) {
                    Ok(token) => {
                        self.remember(&key, &token, record.expires_at);
                        return Ok(token);
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
        let grant = self
            .identity_platform
            .client_credentials(settings, tenant, deadline)
            .await
            .map_err(|failure| failure.to_api_error())?;
        let expires_at = now_epoch() + grant.expires_in;
        let record = AppTokenRecord {
            access_token: cipher.seal(&grant.access_token, PURPOSE, &key),
            expires_at,
        };
        if let Err(error) = self.store.put_app_token(&key, &record).await {
            tracing::warn!(error = %error, "caching the application token in the table failed");
        }
        self.remember(&key, &grant.access_token, expires_at);
        Ok(grant.access_token)
    }

    /// Deletes the cached application token of the app in `settings` from the table and from this
    /// container's memory; returns its table key. Other containers fetch a new one once their
    /// memory copy expires.
    pub async fn clear(&self, settings: &Settings) -> Result<String, ApiError> {
        let key = app_token_key(settings.require_app_tenant()?, &settings.client_id);
        self.store.delete_app_token(&key).await?;
        self.memory.remove(&key);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{MemoryStore, ScriptedIdentityPlatform, settings};
    use std::sync::atomic::Ordering;

    #[tokio::test]
    async fn concurrent_misses_share_one_request_and_the_table_serves_other_containers() {
        let store = Arc::new(MemoryStore::default());
        let identity_platform = Arc::new(ScriptedIdentityPlatform::default());
        let settings = settings();
        let deadline = Deadline::after(Duration::from_secs(5));
        let tokens = AppTokens::new(
            store.clone(),
            identity_platform.clone(),
            Duration::from_secs(300),
        );
        let results =
            futures::future::join_all((0..8).map(|_| tokens.access_token(&settings, deadline)))
                .await;
        for result in results {
            assert_eq!(result.unwrap().expose(), "access-1");
        }
        assert_eq!(
            identity_platform.client_credentials.load(Ordering::SeqCst),
            1
        );

        let other_container = AppTokens::new(
            store.clone(),
            identity_platform.clone(),
            Duration::from_secs(300),
        );
        assert_eq!(
            other_container
                .access_token(&settings, deadline)
                .await
                .unwrap()
                .expose(),
            "access-1"
        );
        assert_eq!(
            identity_platform.client_credentials.load(Ordering::SeqCst),
            1
        );
    }

    #[tokio::test]
    async fn clearing_makes_the_next_miss_fetch_a_new_token() {
        let store = Arc::new(MemoryStore::default());
        let identity_platform = Arc::new(ScriptedIdentityPlatform::default());
        let settings = settings();
        let deadline = Deadline::after(Duration::from_secs(5));
        let warm = AppTokens::new(
            store.clone(),
            identity_platform.clone(),
            Duration::from_secs(300),
        );
        warm.access_token(&settings, deadline).await.unwrap();

        let key = warm.clear(&settings).await.unwrap();
        assert_eq!(
            key,
            app_token_key("22222222-2222-2222-2222-222222222222", "client")
        );
        assert!(store.app_tokens.lock().unwrap().is_empty());
        let fresh = AppTokens::new(
            store.clone(),
            identity_platform.clone(),
            Duration::from_secs(300),
        );
        assert_eq!(
            fresh
                .access_token(&settings, deadline)
                .await
                .unwrap()
                .expose(),
            "access-2"
        );
        assert_eq!(
            warm.access_token(&settings, deadline)
                .await
                .unwrap()
                .expose(),
            "access-2",
            "the clearing container forgot its own copy and reads the table"
        );
        assert_eq!(
            identity_platform.client_credentials.load(Ordering::SeqCst),
            2
        );
    }

    #[tokio::test]
    async fn expired_cached_tokens_are_replaced() {
        let store = Arc::new(MemoryStore::default());
        let identity_platform = Arc::new(ScriptedIdentityPlatform::default());
        let settings = settings();
        let deadline = Deadline::after(Duration::from_secs(5));
        AppTokens::new(store.clone(), identity_platform.clone(), Duration::ZERO)
            .access_token(&settings, deadline)
            .await
            .unwrap();
        for record in store.app_tokens.lock().unwrap().values_mut() {
            record.expires_at = now_epoch() + EXPIRY_MARGIN_SECS - 1;
        }
        let fresh = AppTokens::new(store.clone(), identity_platform.clone(), Duration::ZERO)
            .access_token(&settings, deadline)
            .await
            .unwrap();
        assert_eq!(fresh.expose(), "access-2");
    }
}
