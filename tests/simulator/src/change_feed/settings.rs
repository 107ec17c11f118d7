//! Delivery timings of the change feed, changed through `POST /_control/change-feed/settings`.
//!
//! Graph's own timings (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>):
//! the validation request must be answered "within 10 seconds", a notification "within 3 seconds",
//! and undelivered notifications are retried with exponential backoff "for up to 4 hours". Tests
//! compress the retry schedule: the first retry waits `first_retry_ms`, each later one twice as long.

use serde::{Deserialize, Serialize};

/// How the simulator delivers notifications.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedSettings {
    /// Wait before the first redelivery; each later wait doubles.
    pub first_retry_ms: u64,
    /// Delivery attempts in all (the first one included) before a batch is abandoned.
    pub max_attempts: u32,
    /// How long a notification endpoint may take to answer (Graph: 3 seconds).
    pub delivery_timeout_ms: u64,
    /// How long the validation request may take (Graph: 10 seconds).
    pub validation_timeout_ms: u64,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            first_retry_ms: 200,
            max_attempts: 6,
            delivery_timeout_ms: 3_000,
            validation_timeout_ms: 10_000,
        }
    }
}

/// A partial update of [`FeedSettings`]; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeedSettingsUpdate {
    first_retry_ms: Option<u64>,
    max_attempts: Option<u32>,
    delivery_timeout_ms: Option<u64>,
    validation_timeout_ms: Option<u64>,
}

/// The longest wait or timeout a setting may name: an hour.
const MAX_MS: u64 = 3_600_000;

fn duration(name: &str, ms: u64) -> Result<u64, String> {
    if (1..=MAX_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(format!("{name} must be between 1 and {MAX_MS}, not {ms}"))
    }
}

impl FeedSettings {
    /// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed.
    pub fn retry_delay_ms(&self, attempt: u32) -> u64 {
        self.first_retry_ms
            .saturating_mul(1 << attempt.saturating_sub(1).min(20))
    }

    /// Applies the fields present in `update`; out-of-range values are refused.
    pub fn apply(&mut self, update: FeedSettingsUpdate) -> Result<(), String> {
        let mut next = *self;
        if let Some(ms) = update.first_retry_ms {
            next.first_retry_ms = duration("firstRetryMs", ms)?;
        }
        if let Some(attempts) = update.max_attempts {
            if !(1..=20).contains(&attempts) {
                return Err(format!(
                    "maxAttempts must be between 1 and 20, not {attempts}"
                ));
            }
            next.max_attempts = attempts;
        }
        if let Some(ms) = update.delivery_timeout_ms {
            next.delivery_timeout_ms = duration("deliveryTimeoutMs", ms)?;
        }
        if let Some(ms) = update.validation_timeout_ms {
            next.validation_timeout_ms = duration("validationTimeoutMs", ms)?;
        }
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially() {
        let settings = FeedSettings::default();
        let delays: Vec<u64> = (1..=4).map(|a| settings.retry_delay_ms(a)).collect();
        assert_eq!(delays, [200, 400, 800, 1600]);
    }
}
