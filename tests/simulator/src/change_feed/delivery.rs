//! Sending notifications: one task per batch POSTs it to its URL and redelivers on failure,
//! and every attempt is recorded for `GET /_control/notifications`.
//!
//! Graph's rules (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>):
//! the endpoint must answer with a 2xx ("202 - Accepted" when it processes later) within 3
//! seconds; otherwise Graph "retries sending the notification ... for up to 4 hours" with
//! exponential backoff. The simulator retries `maxAttempts` times in all, waiting
//! `firstRetryMs`, then twice as long each time (see [`super::settings`]), then abandons the batch.

use std::time::Duration;

use axum::http::header;
use serde::Serialize;
use serde_json::Value;

use super::notify::{LifecycleEvent, lifecycle};
use crate::state::SharedState;

/// Which channel a delivery uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryKind {
    /// Change notifications to `notificationUrl`.
    Change,
    /// Lifecycle notifications to `lifecycleNotificationUrl`.
    Lifecycle,
    /// The validation request made while creating a subscription.
    Validation,
}

/// How one attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Answered with a 2xx in time.
    Delivered,
    /// Not delivered; it will be tried again.
    Failed,
    /// Not delivered, and this was the last attempt.
    Abandoned,
    /// Dropped on purpose (a fault a test arranged); never sent.
    Lost,
}

/// One recorded attempt.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// The channel.
    pub kind: DeliveryKind,
    /// The subscription (for validation: none yet, `null`).
    pub subscription_id: Option<String>,
    /// Where it was sent.
    pub url: String,
    /// 1 for the first attempt; 0 for lost notifications.
    pub attempt: u32,
    /// The answer's status; `null` when there was none.
    pub status: Option<u16>,
    /// Why there was no answer: `timeout`, `connect`, `request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// How it ended.
    pub outcome: Outcome,
    /// The body sent (`{"value": [...]}`), `null` for validation.
    pub body: Value,
}

/// Every attempt, in order.
#[derive(Default)]
pub struct NotificationLog(Vec<DeliveryRecord>);

impl NotificationLog {
    /// Records an attempt.
    pub fn push(&mut self, record: DeliveryRecord) {
        self.0.push(record);
    }

    /// Every attempt so far.
    pub fn records(&self) -> &[DeliveryRecord] {
        &self.0
    }

    /// Forgets every attempt.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// A batch to deliver.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Change or lifecycle.
    pub kind: DeliveryKind,
    /// The subscription it is about.
    pub subscription_id: String,
    /// Where to POST it.
    pub url: String,
    /// `{"value": [...]}`.
    pub body: Value,
}

/// Why a request got no answer.
pub fn failure_reason(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "request"
    }
}

/// After change notifications were abandoned, a `missed` lifecycle notification tells the
/// subscriber to resynchronise ("missed lifecycle events alert you that some change notifications
/// weren't delivered", <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>).
fn announce_abandoned(state: &SharedState, abandoned: &Delivery) {
    if abandoned.kind != DeliveryKind::Change {
        return;
    }
    let missed = state
        .world()
        .change_feed
        .subscriptions
        .get(&abandoned.subscription_id)
        .and_then(|subscription| lifecycle(subscription, LifecycleEvent::Missed));
    if let Some(missed) = missed {
        send(state, missed);
    }
}

/// Sends `delivery` in a task of its own; the caller does not wait.
pub fn send(state: &SharedState, delivery: Delivery) {
    tokio::spawn(deliver(state.clone(), delivery));
}

async fn deliver(state: SharedState, delivery: Delivery) {
    let settings = state.world().change_feed.settings;
    let body = delivery.body.to_string();
    for attempt in 1..=settings.max_attempts {
        let answer = state
            .http
            .post(&delivery.url)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body.clone())
            .timeout(Duration::from_millis(settings.delivery_timeout_ms))
            .send()
            .await;
        let (status, error) = match &answer {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) => (None, Some(failure_reason(error))),
        };
        let delivered = status.is_some_and(|status| (200..300).contains(&status));
        let last = attempt == settings.max_attempts;
        let outcome = match (delivered, last) {
            (true, _) => Outcome::Delivered,
            (false, false) => Outcome::Failed,
            (false, true) => Outcome::Abandoned,
        };
        state.world().change_feed.log.push(DeliveryRecord {
            kind: delivery.kind,
            subscription_id: Some(delivery.subscription_id.clone()),
            url: delivery.url.clone(),
            attempt,
            status,
            error,
            outcome,
            body: delivery.body.clone(),
        });
        if delivered {
            return;
        }
        if last {
            announce_abandoned(&state, &delivery);
            return;
        }
        tokio::time::sleep(Duration::from_millis(settings.retry_delay_ms(attempt))).await;
    }
}
