//! What the `token-keeper` binary runs: logging, configuration, the keeper over the real adapters,
//! and the Lambda runtime loop. Each invocation processes the shards its event names (see
//! [`keeper_shards`]), logs one JSON summary line and one line of CloudWatch metrics (EMF), and
//! returns the summary. A bad event or unreadable settings fail the invocation.

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Map, Value, json};

use crate::runtime::config::Config;
use crate::runtime::embedded_metrics::{Metric, Unit, emf_document};
use crate::runtime::keeper_event::keeper_shards;
use crate::runtime::logging;
use crate::runtime::wiring::Adapters;
use crate::adapters::keeper::dynamo_due_links::DynamoDueLinks;
use crate::support::deadline::Deadline;
use crate::tokens::delegated_tokens::DelegatedTokens;
use crate::error::ApiError;
use crate::settings::provider::SettingsProvider;
use crate::keeper::token_keeper::{KeeperSummary, TokenKeeper};

/// The function's name: the `Function` dimension of its metrics.
const FUNCTION: &str = "token-keeper";

/// The keeper and what it needs, built once per container.
struct Keeper {
    settings: SettingsProvider,
    keeper: TokenKeeper,
    shard_count: u32,
}

/// Runs the token keeper until the runtime stops it.
pub async fn run() -> Result<(), Error> {
    logging::init();
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let adapters = Adapters::new(&config, &aws);
    let keeper = Arc::new(Keeper {
        settings: SettingsProvider::new(adapters.settings_source.clone(), config.settings_ttl),
        keeper: TokenKeeper::new(
            DelegatedTokens::new(
                adapters.store.clone(),
                adapters.identity_platform.clone(),
                config.token_cache_ttl,
            ),
            Arc::new(DynamoDueLinks::new(
                aws_sdk_dynamodb::Client::new(&aws),
                &config.table_name,
            )),
            config.keeper_schedule,
            config.keeper_concurrency,
        ),
        shard_count: config.keeper_schedule.shards,
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let keeper = keeper.clone();
        async move { keeper.handle(event).await }
    }))
    .await
}

impl Keeper {
    /// Handles one invocation: the run's summary, or an error when nothing could be started.
    async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, Error> {
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        let summary = match self.start(event.payload, deadline).await {
            Ok(summary) => summary,
            Err(error) => {
                tracing::error!(function = FUNCTION, error = %error, "token keeper could not run");
                return Err(error.into());
            }
        };
        log_summary(&summary);
        println!("{}", metrics_document(&summary));
        Ok(serde_json::to_value(&summary)?)
    }

    async fn start(&self, event: Value, deadline: Deadline) -> Result<KeeperSummary, ApiError> {
        let shards = keeper_shards(event, self.shard_count)?;
        let settings = self.settings.get().await?;
        Ok(self.keeper.run(&settings, &shards, deadline).await)
    }
}

/// The run's one JSON summary line.
fn log_summary(summary: &KeeperSummary) {
    tracing::info!(
        function = FUNCTION,
        shards = ?summary.shards,
        due = summary.due,
        refreshed = summary.refreshed,
        no_longer_due = summary.no_longer_due,
        invalidated = summary.invalidated,
        deferred = summary.deferred,
        deferral_causes = %json!(summary.deferral_causes),
        failed = summary.failed,
        drained = summary.drained,
        duration_ms = summary.duration_ms,
        "token keeper run finished"
    );
}

/// The run's metrics in the embedded metric format.
fn metrics_document(summary: &KeeperSummary) -> Value {
    let count = |name, value: usize| Metric {
        name,
        unit: Unit::Count,
        value: value as f64,
    };
    let metrics = [
        count("Due", summary.due),
        count("Refreshed", summary.refreshed),
        count("NoLongerDue", summary.no_longer_due),
        count("Invalidated", summary.invalidated),
        count("Deferred", summary.deferred),
        count("Failed", summary.failed),
        Metric {
            name: "Duration",
            unit: Unit::Milliseconds,
            value: summary.duration_ms as f64,
        },
    ];
    let mut properties = Map::new();
    properties.insert("Shards".into(), json!(summary.shards));
    properties.insert("Drained".into(), json!(summary.drained));
    emf_document(FUNCTION, &metrics, properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_carry_every_count_of_the_summary() {
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
        let document = metrics_document(&summary);
        for (name, value) in [
            ("Due", 6.0),
            ("Refreshed", 2.0),
            ("NoLongerDue", 1.0),
            ("Invalidated", 1.0),
            ("Deferred", 1.0),
            ("Failed", 1.0),
            ("Duration", 40.0),
        ] {
            assert_eq!(document[name], value, "{name}");
        }
        assert_eq!(document["Function"], "token-keeper");
        assert_eq!(document["Shards"], json!([2]));
    }
}
