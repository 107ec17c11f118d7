//! The port events leave the bundle through.

use async_trait::async_trait;

use crate::error::ApiError;
use crate::events::bus_event::BusEvent;

/// Publishes events to the application's event bus.
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes every event, in order, or fails with `InternalError`. `Ok` means the bus accepted
    /// all of them. On `Err` some may have been accepted: publishing is at least once, and callers
    /// that retry may publish an event twice (consumers deduplicate on the detail's `eventId`).
    async fn publish(&self, events: &[BusEvent]) -> Result<(), ApiError>;
}
