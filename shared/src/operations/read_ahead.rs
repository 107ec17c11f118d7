//! A token store that can read ahead: a container's first call starts its table reads (the
//! caller's link, the `app:` user it names, the cached application token) while the settings are
//! still being read from Secrets Manager, instead of one after the other. The next read of the
//! same item takes the result read ahead, once; any write to that item drops it first, and
//! [`ReadAheadStore::forget`] drops what the call did not use, so nothing read ahead outlives
//! the call it was read for. A failed read ahead is returned exactly where the read would have
//! failed, so every error keeps its place and its code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::ApiError;
use crate::support::table_keys::APP_TOKEN_KEY;
use crate::tokens::store::{AppTokenRecord, Link, TokenStore};

type LinkRead = Result<Option<Link>, ApiError>;
type AppTokenRead = Result<Option<AppTokenRecord>, ApiError>;

/// A [`TokenStore`] over another one, holding reads made ahead of need.
pub struct ReadAheadStore {
    inner: Arc<dyn TokenStore>,
    links: Mutex<HashMap<String, LinkRead>>,
    app_token: Mutex<Option<AppTokenRead>>,
}

impl ReadAheadStore {
    /// Reads ahead from `inner`, and passes everything else through.
    pub fn new(inner: Arc<dyn TokenStore>) -> Self {
        Self {
            inner,
            links: Mutex::new(HashMap::new()),
            app_token: Mutex::new(None),
        }
    }

    /// Reads the link of `app_user_id` now, for the next [`TokenStore::get_link`] of it.
    pub async fn read_link_ahead(&self, app_user_id: &str) {
        let read = self.inner.get_link(app_user_id).await;
        lock(&self.links).insert(app_user_id.to_string(), read);
    }

    /// Reads the cached application token now, for the next [`TokenStore::get_app_token`].
    pub async fn read_app_token_ahead(&self) {
        let read = self.inner.get_app_token(APP_TOKEN_KEY).await;
        *lock(&self.app_token) = Some(read);
    }

    /// Drops every read ahead not taken yet.
    pub fn forget(&self) {
        lock(&self.links).clear();
        *lock(&self.app_token) = None;
    }

    fn drop_link(&self, app_user_id: &str) {
        lock(&self.links).remove(app_user_id);
    }

    fn drop_app_token(&self, key: &str) {
        if key == APP_TOKEN_KEY {
            *lock(&self.app_token) = None;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl TokenStore for ReadAheadStore {
    async fn get_link(&self, app_user_id: &str) -> Result<Option<Link>, ApiError> {
        let read_ahead = lock(&self.links).remove(app_user_id);
        match read_ahead {
            Some(read) => read,
            None => self.inner.get_link(app_user_id).await,
        }
    }

    async fn put_link(&self, link: &Link) -> Result<(), ApiError> {
        self.drop_link(&link.app_user_id);
        self.inner.put_link(link).await
    }

    async fn replace_link_if_version(
        &self,
        link: &Link,
        expected_version: u64,
    ) -> Result<bool, ApiError> {
        self.drop_link(&link.app_user_id);
        self.inner
            .replace_link_if_version(link, expected_version)
            .await
    }

    async fn delete_link(&self, app_user_id: &str) -> Result<(), ApiError> {
        self.drop_link(app_user_id);
        self.inner.delete_link(app_user_id).await
    }

    async fn defer_link(
        &self,
        app_user_id: &str,
        expected_version: u64,
        due_at: i64,
    ) -> Result<bool, ApiError> {
        self.drop_link(app_user_id);
        self.inner
            .defer_link(app_user_id, expected_version, due_at)
            .await
    }

    async fn get_app_token(&self, key: &str) -> Result<Option<AppTokenRecord>, ApiError> {
        let read_ahead = if key == APP_TOKEN_KEY {
            lock(&self.app_token).take()
        } else {
            None
        };
        match read_ahead {
            Some(read) => read,
            None => self.inner.get_app_token(key).await,
        }
    }

    async fn put_app_token(&self, key: &str, record: &AppTokenRecord) -> Result<(), ApiError> {
        self.drop_app_token(key);
        self.inner.put_app_token(key, record).await
    }

    async fn delete_app_token(&self, key: &str) -> Result<(), ApiError> {
        self.drop_app_token(key);
        self.inner.delete_app_token(key).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::error::ErrorCode;
    use crate::sign_in::account_claims::MsAccountId;
    use crate::test_util::{MemoryStore, link_to};

    fn alice() -> Link {
        link_to(
            "alice",
            &MsAccountId {
                tenant_id: "t".into(),
                ms_user_id: "oid-1".into(),
            },
        )
    }

    /// A store whose link reads all fail, to see where a failed read ahead surfaces.
    struct Unavailable;

    #[async_trait]
    impl TokenStore for Unavailable {
        async fn get_link(&self, _: &str) -> Result<Option<Link>, ApiError> {
            Err(ApiError::unavailable("the table is unavailable", None))
        }
        async fn put_link(&self, _: &Link) -> Result<(), ApiError> {
            Ok(())
        }
        async fn replace_link_if_version(&self, _: &Link, _: u64) -> Result<bool, ApiError> {
            Ok(true)
        }
        async fn delete_link(&self, _: &str) -> Result<(), ApiError> {
            Ok(())
        }
        async fn defer_link(&self, _: &str, _: u64, _: i64) -> Result<bool, ApiError> {
            Ok(true)
        }
        async fn get_app_token(&self, _: &str) -> Result<Option<AppTokenRecord>, ApiError> {
            Err(ApiError::unavailable("the table is unavailable", None))
        }
        async fn put_app_token(&self, _: &str, _: &AppTokenRecord) -> Result<(), ApiError> {
            Ok(())
        }
        async fn delete_app_token(&self, _: &str) -> Result<(), ApiError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_read_ahead_is_taken_once_then_the_table_is_read_again() {
        let inner = Arc::new(MemoryStore::default());
        inner.put_link(&alice()).await.unwrap();
        let store = ReadAheadStore::new(inner.clone());
        store.read_link_ahead("alice").await;
        assert_eq!(inner.link_reads.load(Ordering::SeqCst), 1);
        assert_eq!(store.get_link("alice").await.unwrap(), Some(alice()));
        assert_eq!(
            inner.link_reads.load(Ordering::SeqCst),
            1,
            "taken from the read ahead"
        );
        assert_eq!(store.get_link("alice").await.unwrap(), Some(alice()));
        assert_eq!(inner.link_reads.load(Ordering::SeqCst), 2, "read again");
    }

    #[tokio::test]
    async fn a_write_or_the_end_of_the_call_drops_what_was_read_ahead() {
        let inner = Arc::new(MemoryStore::default());
        inner.put_link(&alice()).await.unwrap();
        let store = ReadAheadStore::new(inner.clone());
        store.read_link_ahead("alice").await;
        let newer = Link {
            version: 2,
            ..alice()
        };
        assert!(store.replace_link_if_version(&newer, 1).await.unwrap());
        assert_eq!(store.get_link("alice").await.unwrap(), Some(newer.clone()));

        store.read_link_ahead("alice").await;
        store.read_app_token_ahead().await;
        store.forget();
        inner.links.lock().unwrap().clear();
        assert_eq!(store.get_link("alice").await.unwrap(), None);
        let record = AppTokenRecord {
            access_token: alice().refresh_token,
            expires_at: 1,
            acquired_at: 0,
        };
        store.read_app_token_ahead().await;
        store.put_app_token(APP_TOKEN_KEY, &record).await.unwrap();
        assert_eq!(
            store.get_app_token(APP_TOKEN_KEY).await.unwrap(),
            Some(record),
            "the write dropped the read ahead (which found nothing)"
        );
    }

    #[tokio::test]
    async fn a_failed_read_ahead_fails_where_the_read_is_made() {
        let store = ReadAheadStore::new(Arc::new(Unavailable));
        store.read_link_ahead("alice").await;
        store.read_app_token_ahead().await;
        let failed = store.get_link("alice").await.unwrap_err();
        assert_eq!(failed.code(), Some(ErrorCode::UpstreamUnavailable));
        assert!(store.get_app_token(APP_TOKEN_KEY).await.is_err());
    }
}
