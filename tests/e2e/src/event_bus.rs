//! The application's side of the event bus in tests: a bus on moto with a rule sending every event
//! the bundle publishes (`source` prefix `graph-functions.`) to an SQS queue, and a reader of that
//! queue. This is how an application consumes the bundle's events (docs: an EventBridge rule to SQS),
//! with EventBridge's own envelope as moto produces it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::aws::moto_sdk_config;
use crate::unique_name::unique_name;

/// The rule's pattern: every event whose `source` starts with the bundle's prefix.
fn bundle_events_pattern() -> String {
    json!({ "source": [{ "prefix": "graph-functions." }] }).to_string()
}

/// A bus whose events land in a queue.
pub struct EventQueue {
    bus_name: String,
    queue_url: String,
    eventbridge: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
}

/// What a failed bus setup or read says.
pub type BusError = Box<dyn std::error::Error + Send + Sync>;

impl EventQueue {
    /// Creates a bus, a queue and a rule between them on the moto server at `endpoint_url`.
    pub async fn create(endpoint_url: &str) -> Result<Self, BusError> {
        let config = moto_sdk_config(endpoint_url);
        let eventbridge = aws_sdk_eventbridge::Client::new(&config);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let bus_name = unique_name("graph-functions-bus");
        eventbridge
            .create_event_bus()
            .name(&bus_name)
            .send()
            .await?;
        let queue_url = sqs
            .create_queue()
            .queue_name(unique_name("graph-functions-events"))
            .send()
            .await?
            .queue_url()
            .ok_or("SQS answered without a queue URL")?
            .to_string();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .ok_or("SQS answered without the queue ARN")?
            .clone();
        eventbridge
            .put_rule()
            .name("bundle-events")
            .event_bus_name(&bus_name)
            .event_pattern(bundle_events_pattern())
            .send()
            .await?;
        eventbridge
            .put_targets()
            .rule("bundle-events")
            .event_bus_name(&bus_name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(queue_arn)
                    .build()?,
            )
            .send()
            .await?;
        Ok(Self {
            bus_name,
            queue_url,
            eventbridge,
            sqs,
        })
    }

    /// The bus name the functions publish to (`EVENT_BUS_NAME`).
    pub fn bus_name(&self) -> &str {
        &self.bus_name
    }

    /// The queue the rule delivers to.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// An EventBridge client on the same moto server (to break the bus in fault tests).
    pub fn eventbridge(&self) -> &aws_sdk_eventbridge::Client {
        &self.eventbridge
    }

    /// Takes every event that has reached the queue, waiting until `quiet` passes with nothing new
    /// (at most `limit` in all). Each is EventBridge's envelope (`source`, `detail-type`, `time`,
    /// `detail`, ...), parsed.
    pub async fn drain(&self, quiet: Duration, limit: Duration) -> Result<Vec<Value>, BusError> {
        let started = Instant::now();
        let mut last_seen = Instant::now();
        let mut events = Vec::new();
        while last_seen.elapsed() < quiet && started.elapsed() < limit {
            let answer = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await?;
            let messages = answer.messages();
            if messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            last_seen = Instant::now();
            for message in messages {
                let body = message.body().ok_or("an SQS message without a body")?;
                events.push(serde_json::from_str(body)?);
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await?;
                }
            }
        }
        Ok(events)
    }
}
