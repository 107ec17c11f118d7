//! Resolves `userId`: an application user who signed in through this bundle becomes their Microsoft
//! object id; anything else (a Microsoft object id or userPrincipalName) goes to Graph as it is.
//! An application user id wins over an identical Microsoft id.

use std::sync::Arc;
use std::time::Duration;

use crate::error::ApiError;
use crate::operations::request::validate_app_user_id;
use crate::support::memory_cache::MemoryCache;
use crate::tokens::store::TokenStore;

/// Looks up application users' Microsoft object ids, remembering answers for a while.
pub struct IdentityResolver {
    store: Arc<dyn TokenStore>,
    memory: MemoryCache<Option<String>>,
    memory_ttl: Duration,
}

impl IdentityResolver {
    /// A resolver over `store`, remembering answers (also "not an application user") for `memory_ttl`.
    pub fn new(store: Arc<dyn TokenStore>, memory_ttl: Duration) -> Self {
        Self {
            store,
            memory: MemoryCache::default(),
            memory_ttl,
        }
    }

    /// The id to send to Graph for `user_id`.
    pub async fn graph_user_id(&self, user_id: &str) -> Result<String, ApiError> {
        if validate_app_user_id("userId", user_id).is_err() {
            return Ok(user_id.to_string());
        }
        let known = match self.memory.get(user_id) {
            Some(known) => known,
            None => {
                let known = self
                    .store
                    .get_link(user_id)
                    .await?
                    .map(|link| link.ms_user_id);
                self.memory.insert(user_id, known.clone(), self.memory_ttl);
                known
            }
        };
        Ok(known.unwrap_or_else(|| user_id.to_string()))
    }
}
