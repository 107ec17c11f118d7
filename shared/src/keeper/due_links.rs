//! The port to the keeper index: which links of one shard are due for a refresh, earliest first,
//! read page by page so the keeper's work is proportional to the links due, not to all links.

use async_trait::async_trait;

use crate::error::ApiError;

/// A link the keeper index lists as due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLink {
    /// The application user id of the link.
    pub app_user_id: String,
    /// When the link became due (epoch seconds), as the index has it.
    pub due_at: i64,
}

/// One page of due links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePage {
    /// The links, earliest due first.
    pub links: Vec<DueLink>,
    /// Whether more due links may follow the last one.
    pub more: bool,
}

/// Reads the keeper index.
#[async_trait]
pub trait DueLinks: Send + Sync {
    /// Up to `limit` links of shard `shard` (its `shard#NN` key) due at or before `now`, earliest
    /// first, starting after `after` (the last link of the previous page).
    async fn due_page(
        &self,
        shard: &str,
        now: i64,
        after: Option<&DueLink>,
        limit: u32,
    ) -> Result<DuePage, ApiError>;
}
