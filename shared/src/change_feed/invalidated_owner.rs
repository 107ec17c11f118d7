//! The subscriptions of a link Microsoft invalidated are forgotten: Graph can no longer be called as
//! that user (no renewal, no reauthorization, no deletion), so their records are deleted from the
//! table as soon as the link is marked invalid. The notification endpoint then drops their
//! notifications as unknown, and Graph lets the subscriptions expire. Best effort: a failure is
//! logged, never the caller's error; what is left is forgotten by the keeper when a renewal finds
//! the link invalid (docs/change-feed.md).

use crate::change_feed::store::SubscriptionStore;
use crate::change_feed::subscription::Owner;

/// Deletes the subscription records of application user `app_user_id`, whose link was just marked
/// invalid; the count deleted (0 when reading or deleting failed, which is logged).
pub async fn forget_subscriptions_of(store: &dyn SubscriptionStore, app_user_id: &str) -> usize {
    let owner = Owner::AppUser(app_user_id.to_string());
    let ids = match store.ids_of(&owner).await {
        Ok(ids) => ids,
        Err(error) => {
            tracing::warn!(%error, "the subscriptions of the invalidated link could not be listed");
            return 0;
        }
    };
    let mut forgotten = 0;
    for id in ids {
        match store.delete(&id, &owner).await {
            Ok(()) => forgotten += 1,
            Err(error) => {
                tracing::warn!(%error, "a subscription of the invalidated link could not be forgotten");
            }
        }
    }
    if forgotten > 0 {
        tracing::info!(
            forgotten,
            "forgot the subscriptions of the invalidated link"
        );
    }
    forgotten
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change_feed::subscription::SubscriptionRecord;
    use crate::error::ApiError;
    use async_trait::async_trait;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Owner lists in memory; deleting `broken` fails.
    #[derive(Default)]
    struct Lists {
        ids: Mutex<BTreeMap<String, Vec<String>>>,
        broken: Option<String>,
    }

    #[async_trait]
    impl SubscriptionStore for Lists {
        async fn put(&self, _: &SubscriptionRecord) -> Result<(), ApiError> {
            unreachable!("forgetting never stores")
        }
        async fn get(&self, _: &str) -> Result<Option<SubscriptionRecord>, ApiError> {
            unreachable!("forgetting reads only the owner's list")
        }
        async fn delete(&self, id: &str, owner: &Owner) -> Result<(), ApiError> {
            if self.broken.as_deref() == Some(id) {
                return Err(ApiError::unavailable("DynamoDB is down", None));
            }
            let mut lists = self.ids.lock().unwrap();
            lists.entry(owner.stored()).or_default().retain(|i| i != id);
            Ok(())
        }
        async fn ids_of(&self, owner: &Owner) -> Result<Vec<String>, ApiError> {
            Ok(self
                .ids
                .lock()
                .unwrap()
                .get(&owner.stored())
                .cloned()
                .unwrap_or_default())
        }
        async fn due(&self, _: &str, _: i64, _: u32) -> Result<Vec<String>, ApiError> {
            unreachable!("forgetting never reads the renewal index")
        }
        async fn defer(&self, _: &str, _: i64) -> Result<(), ApiError> {
            unreachable!("forgetting never defers")
        }
        async fn claim_replacement(&self, _: &str, _: i64, _: i64) -> Result<bool, ApiError> {
            unreachable!("forgetting never replaces")
        }
    }

    fn lists(broken: Option<&str>) -> Lists {
        let ids = BTreeMap::from([
            (
                "user:ann".to_string(),
                vec!["s1".to_string(), "s2".to_string()],
            ),
            ("user:ben".to_string(), vec!["s3".to_string()]),
        ]);
        Lists {
            ids: Mutex::new(ids),
            broken: broken.map(String::from),
        }
    }

    #[tokio::test]
    async fn only_the_owners_subscriptions_are_forgotten_and_failures_are_skipped() {
        let store = lists(None);
        assert_eq!(forget_subscriptions_of(&store, "ann").await, 2);
        assert!(store.ids.lock().unwrap()["user:ann"].is_empty());
        assert_eq!(store.ids.lock().unwrap()["user:ben"], ["s3"]);

        let store = lists(Some("s1"));
        assert_eq!(forget_subscriptions_of(&store, "ann").await, 1);
        assert_eq!(store.ids.lock().unwrap()["user:ann"], ["s1"]);
        assert_eq!(forget_subscriptions_of(&store, "nobody").await, 0);
    }
}
