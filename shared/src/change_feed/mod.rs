//! The change feed (issue 17): Graph subscriptions the bundle creates, stores and renews for an
//! application user or the application, the public endpoint Graph posts change and lifecycle
//! notifications to, and the events it publishes to EventBridge (docs/change-feed.md).
//!
//! Domain code: it imports the token, operation, event and settings ports, never an adapter or the
//! runtime. Its own ports: [`store::SubscriptionStore`] (the table).

pub mod client_state;
pub mod feed_events;
pub mod functions;
pub mod invalidated_owner;
pub mod notification;
pub mod receiver;
pub mod renewal;
pub mod store;
pub mod subscription;
pub mod subscription_request;
pub mod subscriptions;
pub mod sync_state;
