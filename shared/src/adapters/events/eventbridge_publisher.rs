//! [`EventPublisher`] over EventBridge `PutEvents`
//! (<https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html>).
//!
//! `PutEvents` can accept part of a request: the answer's `FailedEntryCount` and each entry's
//! `ErrorCode` say which entries were refused. Refused entries are sent again (only those), a few
//! times with a short backoff, because EventBridge refuses entries for throttling and internal
//! failures that pass; when some are still refused, publishing fails as a whole so the caller
//! answers with an error (Graph then redelivers; the keeper retries on its next run).

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use crate::adapters::aws_errors::describe;
use crate::error::{ApiError, ErrorCode};
use crate::events::batches::{PreparedEvent, into_requests};
use crate::events::publisher::EventPublisher;

/// How many times refused entries are sent again before publishing fails.
const RESENDS: u32 = 3;
/// The wait before the first resend; it doubles each time (50, 100, 200 ms).
const FIRST_RESEND_DELAY: Duration = Duration::from_millis(50);

/// Publishes to one EventBridge bus.
#[derive(Clone)]
pub struct EventBridgePublisher {
    client: Client,
    bus_name: String,
}

impl EventBridgePublisher {
    /// A publisher to the bus named `bus_name` (name or ARN).
    pub fn new(client: Client, bus_name: &str) -> Self {
        Self {
            client,
            bus_name: bus_name.to_string(),
        }
    }

    fn entry(&self, prepared: &PreparedEvent<'_>) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(prepared.event.source)
            .detail_type(prepared.event.detail_type)
            .detail(&prepared.detail_json)
            .time(DateTime::from_millis(
                prepared.event.time.timestamp_millis(),
            ))
            .build()
    }

    /// Sends one request's entries, resending refused ones; `Ok` once every entry was accepted.
    async fn send(&self, request: &[PreparedEvent<'_>]) -> Result<(), ApiError> {
        let mut pending: Vec<PutEventsRequestEntry> =
            request.iter().map(|p| self.entry(p)).collect();
        let mut delay = FIRST_RESEND_DELAY;
        for attempt in 0..=RESENDS {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            let answer = self
                .client
                .put_events()
                .set_entries(Some(pending.clone()))
                .send()
                .await
                .map_err(|error| {
                    tracing::warn!(error = %describe(&error), "EventBridge PutEvents failed");
                    failed("EventBridge did not accept the events")
                })?;
            if answer.failed_entry_count() == 0 {
                return Ok(());
            }
            let refused: Vec<(PutEventsRequestEntry, String)> = pending
                .into_iter()
                .zip(answer.entries())
                .filter_map(|(entry, result)| {
                    result.error_code().map(|code| (entry, code.to_string()))
                })
                .collect();
            tracing::warn!(
                refused = refused.len(),
                codes = ?refused.iter().map(|(_, code)| code.as_str()).collect::<Vec<_>>(),
                attempt,
                "EventBridge refused some entries"
            );
            pending = refused.into_iter().map(|(entry, _)| entry).collect();
        }
        Err(failed("EventBridge kept refusing some events"))
    }
}

fn failed(message: &str) -> ApiError {
    ApiError::new(ErrorCode::InternalError, message)
}

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[crate::events::bus_event::BusEvent]) -> Result<(), ApiError> {
        for request in into_requests(events)? {
            self.send(&request).await?;
        }
        Ok(())
    }
}
