//! The port to the table's subscription items: one per subscription, findable by id (notifications),
//! by owner (revoking a link deletes its subscriptions) and, through the keeper's sparse index, by
//! renewal time (work grows with what is due, not with what exists).

use async_trait::async_trait;

use crate::change_feed::subscription::{Owner, SubscriptionRecord};
use crate::error::ApiError;

/// The subscriptions the bundle made.
#[async_trait]
pub trait SubscriptionStore: Send + Sync {
    /// Stores `record` (replacing one with its id) and lists it under its owner; `renew_at` and the
    /// shard place it in the renewal index.
    async fn put(&self, record: &SubscriptionRecord) -> Result<(), ApiError>;
    /// The subscription with Graph id `id`, if the bundle made it.
    async fn get(&self, id: &str) -> Result<Option<SubscriptionRecord>, ApiError>;
    /// Forgets subscription `id` of `owner`.
    async fn delete(&self, id: &str, owner: &Owner) -> Result<(), ApiError>;
    /// The ids of `owner`'s subscriptions.
    async fn ids_of(&self, owner: &Owner) -> Result<Vec<String>, ApiError>;
    /// Up to `limit` ids of subscriptions of renewal shard `shard` (`subs#NN`) due at or before
    /// `now`, earliest first.
    async fn due(&self, shard: &str, now: i64, limit: u32) -> Result<Vec<String>, ApiError>;
    /// Moves subscription `id` to be due again at `at` (after a renewal that failed for now).
    async fn defer(&self, id: &str, at: i64) -> Result<(), ApiError>;
    /// Claims the replacement of subscription `id` until `until` (epoch seconds): `false` when
    /// another invocation holds an unexpired claim (Graph redelivered a `subscriptionRemoved` while
    /// the first delivery is still being handled, or the keeper and the endpoint meet), so one
    /// subscription is never replaced twice.
    async fn claim_replacement(&self, id: &str, now: i64, until: i64) -> Result<bool, ApiError>;
}
