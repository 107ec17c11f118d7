//! A small in-memory map whose entries expire, for what a warm container may reuse between invocations.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept at most; beyond it, expired entries are dropped, then the map is cleared.
const MAX_ENTRIES: usize = 10_000;

/// A string-keyed cache with a time to live per entry.
pub struct MemoryCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> Default for MemoryCache<V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> MemoryCache<V> {
    /// The live value for `key`, if any.
    pub fn get(&self, key: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(until, _)| *until > Instant::now())
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` for `ttl`; a zero `ttl` stores nothing.
    pub fn insert(&self, key: &str, value: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, (until, _)| *until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key.to_string(), (Instant::now() + ttl, value));
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire() {
        let cache = MemoryCache::default();
        cache.insert("a", 1, Duration::from_secs(60));
        cache.insert("b", 2, Duration::from_millis(1));
        cache.insert("c", 3, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(cache.get("a"), Some(1));
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.get("c"), None);
        cache.remove("a");
        assert_eq!(cache.get("a"), None);
    }
}
