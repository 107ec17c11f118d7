//! Resolves a `userId` of the form `app:<id>`: the application user's Microsoft object id, from
//! the link they made by signing in. Nothing else is ever looked up: a Microsoft object id or
//! userPrincipalName goes to Graph as it is (see [`crate::operations::request::Target`]).

use std::sync::Arc;
use std::time::Duration;

use crate::error::ApiError;
use crate::support::memory_cache::MemoryCache;
use crate::tokens::store::TokenStore;

/// Looks up application users' Microsoft object ids, remembering answers for a while.
pub struct IdentityResolver {
    store: Arc<dyn TokenStore>,
    memory: MemoryCache<Option<String>>,
    memory_ttl: Duration,
}

impl IdentityResolver {
    /// A resolver over `store`, remembering answers (also "no such application user") for `memory_ttl`.
    pub fn new(store: Arc<dyn TokenStore>, memory_ttl: Duration) -> Self {
        Self {
            store,
            memory: MemoryCache::default(),
            memory_ttl,
        }
    }

    /// The Microsoft object id of application user `app_user_id`; `InvalidRequest` when no such
    /// user has linked a Microsoft account.
    pub async fn ms_user_id(&self, app_user_id: &str) -> Result<String, ApiError> {
        let known = match self.memory.get(app_user_id) {
            Some(known) => known,
            None => {
                let known = self
                    .store
                    .get_link(app_user_id)
                    .await?
                    .map(|link| link.ms_user_id);
                self.memory
                    .insert(app_user_id, known.clone(), self.memory_ttl);
                known
            }
        };
        known.ok_or_else(|| {
            ApiError::invalid(format!(
                "`userId` names application user `{app_user_id}`, who has not linked a Microsoft account"
            ))
        })
    }
}
