//! Settings cached in memory for a while, so warm invocations never read Secrets Manager, and a
//! rotated secret is picked up without a redeploy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::error::ApiError;
use crate::settings::product_settings::Settings;

/// Where the settings' JSON text comes from (Secrets Manager in production).
#[async_trait]
pub trait SettingsSource: Send + Sync {
    /// Reads the current JSON text of the settings.
    async fn fetch(&self) -> Result<String, ApiError>;
}

/// Parsed settings, re-read from the source once `ttl` has passed.
pub struct SettingsProvider {
    source: Arc<dyn SettingsSource>,
    ttl: Duration,
    cached: Mutex<Option<(Instant, Arc<Settings>)>>,
    expired: AtomicBool,
    reload: tokio::sync::Mutex<()>,
}

impl SettingsProvider {
    /// A provider over `source` keeping settings for `ttl`.
    pub fn new(source: Arc<dyn SettingsSource>, ttl: Duration) -> Self {
        Self {
            source,
            ttl,
            cached: Mutex::new(None),
            expired: AtomicBool::new(false),
            reload: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Arc<Settings>> {
        if self.expired.load(Ordering::Acquire) {
            return None;
        }
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, s)| s.clone())
    }

    /// The current settings. When a reload fails but earlier settings exist, those are kept (and the
    /// failure logged), so a Secrets Manager outage does not stop warm containers.
    pub async fn get(&self) -> Result<Arc<Settings>, ApiError> {
        if let Some(settings) = self.fresh() {
            return Ok(settings);
        }
        let _reloading = self.reload.lock().await;
        if let Some(settings) = self.fresh() {
            return Ok(settings);
        }
        let loaded = match self.source.fetch().await {
            Ok(text) => Settings::parse(&text),
            Err(error) => Err(error),
        };
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        self.expired.store(false, Ordering::Release);
        match (loaded, cached.as_mut()) {
            (Ok(settings), _) => {
                let settings = Arc::new(settings);
                *cached = Some((Instant::now(), settings.clone()));
                Ok(settings)
            }
            (Err(error), Some((at, stale))) => {
                tracing::error!(error = %error, "reloading settings failed; keeping the previous settings");
                *at = Instant::now();
                Ok(stale.clone())
            }
            (Err(error), None) => Err(error),
        }
    }

    /// Whether settings were ever loaded in this container (a fresh container has none yet).
    pub fn loaded(&self) -> bool {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Makes the next [`get`](Self::get) read the source (e.g. after Microsoft rejected the client
    /// secret, which may have been rotated); the current settings stay as a fallback.
    pub fn expire(&self) {
        self.expired.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_util::FixedSettings;

    /// A source that fails, as Secrets Manager does in an outage.
    struct Unavailable;

    #[async_trait]
    impl SettingsSource for Unavailable {
        async fn fetch(&self) -> Result<String, ApiError> {
            Err(ApiError::unavailable("Secrets Manager is down", None))
        }
    }

    #[tokio::test]
    async fn settings_count_as_loaded_once_read_and_stay_so_when_expired() {
        let failing = SettingsProvider::new(Arc::new(Unavailable), Duration::from_secs(60));
        assert!(failing.get().await.is_err());
        assert!(!failing.loaded(), "a failed read loads nothing");

        let text = json!({
            "clientId": "client-1",
            "clientSecret": "s3cr3t",
            "tenantId": "organizations",
            "tokenEncryptionKeys": {"active": "k1", "keys": {"k1": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}
        });
        let provider = SettingsProvider::new(
            Arc::new(FixedSettings(text.to_string())),
            Duration::from_secs(60),
        );
        assert!(!provider.loaded());
        provider.get().await.unwrap();
        assert!(provider.loaded());
        provider.expire();
        assert!(provider.loaded(), "expired settings are still a fallback");
    }
}
