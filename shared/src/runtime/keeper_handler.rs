//! `token-keeper`: each invocation processes the shards its event names (see [`keeper_shards`]) and
//! returns the run's summary; the counts join the invocation's summary line and metrics. A bad
//! event or unreadable settings fail the invocation (a function error whose type is the code).

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::{Map, Value, json};

use crate::change_feed::renewal::{RenewalSummary, SubscriptionRenewal};
use crate::error::ApiError;
use crate::keeper::token_keeper::{KeeperSummary, TokenKeeper};
use crate::runtime::embedded_metrics::{Metric, Unit};
use crate::runtime::event::EventStyle;
use crate::runtime::handler::Handler;
use crate::runtime::keeper_event::keeper_shards;
use crate::runtime::outcome::Outcome;
use crate::runtime::renewal_report::report_renewal;
use crate::settings::provider::SettingsProvider;
use crate::support::deadline::Deadline;

/// The keeper and what it needs, built once per container.
pub struct KeeperHandler {
    /// Settings (client credentials for the refreshes).
    pub settings: SettingsProvider,
    /// The keeper over the real token store and index.
    pub keeper: TokenKeeper,
    /// How many shards the keeper index has.
    pub shard_count: u32,
    /// The change feed's step: renewing the shards' due subscriptions (with an event bus only).
    pub renewal: Option<SubscriptionRenewal>,
}

impl KeeperHandler {
    async fn start(
        &self,
        event: Value,
        deadline: Deadline,
    ) -> Result<(KeeperSummary, Option<RenewalSummary>), ApiError> {
        let shards = keeper_shards(event, self.shard_count)?;
        let settings = self.settings.get().await?;
        let summary = self.keeper.run(&settings, &shards, deadline).await;
        let renewal = match &self.renewal {
            Some(renewal) => Some(renewal.run(&shards, deadline).await),
            None => None,
        };
        Ok((summary, renewal))
    }
}

#[async_trait]
impl Handler for KeeperHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        match self.start(event.payload, deadline).await {
            Ok((summary, renewal)) => {
                let mut answer = serde_json::to_value(&summary).unwrap_or(Value::Null);
                let mut outcome = Outcome::answered(EventStyle::Direct, Value::Null, 200, None);
                outcome.details = summary_details(&summary);
                outcome.metrics = summary_metrics(&summary);
                if let Some(renewal) = &renewal {
                    report_renewal(renewal, &mut answer, &mut outcome);
                }
                outcome.answer = Ok(answer);
                outcome
            }
            Err(error) => Outcome::function_error(&error),
        }
    }
}

/// The run's counts, as fields of the invocation's summary line.
fn summary_details(summary: &KeeperSummary) -> Map<String, Value> {
    let mut details = Map::new();
    for (key, value) in [
        ("shards", json!(summary.shards)),
        ("due", json!(summary.due)),
        ("refreshed", json!(summary.refreshed)),
        ("no_longer_due", json!(summary.no_longer_due)),
        ("invalidated", json!(summary.invalidated)),
        ("deferred", json!(summary.deferred)),
        ("deferral_causes", json!(summary.deferral_causes)),
        ("failed", json!(summary.failed)),
        ("drained", json!(summary.drained)),
    ] {
        details.insert(key.into(), value);
    }
    details
}

/// The run's counts as metrics.
fn summary_metrics(summary: &KeeperSummary) -> Vec<Metric> {
    let count = |name, value: usize| Metric {
        name,
        unit: Unit::Count,
        value: value as f64,
    };
    vec![
        count("Due", summary.due),
        count("Refreshed", summary.refreshed),
        count("NoLongerDue", summary.no_longer_due),
        count("Invalidated", summary.invalidated),
        count("Deferred", summary.deferred),
        count("Failed", summary.failed),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_details_and_metrics_carry_every_count_of_the_summary() {
        let summary = KeeperSummary {
            shards: vec![2],
            due: 6,
            refreshed: 2,
            no_longer_due: 1,
            invalidated: 1,
            deferred: 1,
            failed: 1,
            drained: true,
            duration_ms: 40,
            ..KeeperSummary::default()
        };
        let metrics: Vec<(&str, f64)> = summary_metrics(&summary)
            .iter()
            .map(|metric| (metric.name, metric.value))
            .collect();
        assert_eq!(
            metrics,
            [
                ("Due", 6.0),
                ("Refreshed", 2.0),
                ("NoLongerDue", 1.0),
                ("Invalidated", 1.0),
                ("Deferred", 1.0),
                ("Failed", 1.0),
            ]
        );
        let details = summary_details(&summary);
        assert_eq!(details["shards"], json!([2]));
        assert_eq!(details["drained"], true);
        assert_eq!(details["failed"], 1);
    }
}
