//! The change feed over the real adapters: the subscriptions (Graph through the executor, records
//! in the table), the notification receiver and the keeper's renewal step, both of which need the
//! event bus (`EVENT_BUS_NAME`), and ending a revoked link's subscriptions.

use std::sync::Arc;

use crate::change_feed::receiver::NotificationReceiver;
use crate::change_feed::renewal::SubscriptionRenewal;
use crate::change_feed::subscription::Owner;
use crate::change_feed::subscriptions::Subscriptions;
use crate::error::{ApiError, ErrorCode};
use crate::events::publisher::EventPublisher;
use crate::runtime::config::Config;
use crate::runtime::wiring::Adapters;
use crate::support::deadline::Deadline;

impl Adapters {
    /// The subscriptions over these adapters.
    pub fn subscriptions(&self, config: &Config) -> Arc<Subscriptions> {
        Arc::new(Subscriptions::new(
            Arc::new(self.executor(config)),
            self.subscription_store.clone(),
            self.store.clone(),
            config.notification_url.clone(),
        ))
    }

    /// The bus, which the change feed cannot do without.
    fn change_feed_bus(&self) -> Result<Arc<dyn EventPublisher>, ApiError> {
        self.events.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                "EVENT_BUS_NAME is not set: the change feed publishes to the event bus",
            )
        })
    }

    /// The notification endpoint's receiver (an error without a bus).
    pub fn notification_receiver(&self, config: &Config) -> Result<NotificationReceiver, ApiError> {
        Ok(NotificationReceiver::new(
            self.subscriptions(config),
            self.change_feed_bus()?,
        ))
    }

    /// The keeper's renewal step; `None` without a bus (no change feed deployed).
    pub fn subscription_renewal(&self, config: &Config) -> Option<SubscriptionRenewal> {
        let bus = self.change_feed_bus().ok()?;
        Some(SubscriptionRenewal::new(self.subscriptions(config), bus))
    }
}

/// Deletes the subscriptions of `app_user_id`, whose link `auth-revoke` is about to forget (with
/// it, nobody could renew or delete them). Best effort: what fails is logged, and the keeper forgets
/// any left once their renewal finds the link gone; Graph lets them expire.
pub async fn end_subscriptions_of(
    subscriptions: &Subscriptions,
    app_user_id: &str,
    deadline: Deadline,
) {
    let owner = Owner::AppUser(app_user_id.to_string());
    match subscriptions.remove_all_of(&owner, deadline).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "the revoked link's subscriptions were deleted"),
        Err(error) => tracing::warn!(
            error = %error,
            "the revoked link's subscriptions could not all be deleted; the keeper forgets them"
        ),
    }
}
