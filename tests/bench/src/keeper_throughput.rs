//! The token keeper's throughput: `token-keeper` run over seeded links that are all due, until it
//! has drained every shard, then once more when none is due; outbound requests counted by kind.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

use e2e::demo_directory::ADELE;
use e2e::link_seeding::{LinkBatch, seed_links};
use e2e::paths::{built_binary, profile_dir};
use e2e::stack::TestStack;
use serde_json::{Value, json};
use shared::keeper::schedule::KeeperSchedule;

use crate::budgets::BudgetCheck;
use crate::distribution::milliseconds;
use crate::lambda_process::LambdaProcess;
use crate::outbound_counts::OutboundCounts;
use crate::outbound_meter::OutboundMeter;
use crate::report_format::count;

/// Days since the seeded links were last refreshed: past the default 14-day refresh age.
const DAYS_SINCE_REFRESH: i64 = 20;
/// The invocation budget of each keeper run (Lambda's maximum is 15 minutes).
const RUN_BUDGET: Duration = Duration::from_secs(300);
/// Keeper invocations allowed before a run counts as stuck.
const MAX_INVOCATIONS: usize = 20;

/// One keeper run over every shard, repeated until drained.
#[derive(Clone, Debug)]
pub struct KeeperRun {
    /// Invocations it took.
    pub invocations: usize,
    /// Links taken up (read from the index and started).
    pub due: u64,
    /// Links refreshed.
    pub refreshed: u64,
    /// Wall time of all its invocations, in seconds.
    pub seconds: f64,
    /// Requests sent, by kind.
    pub outbound: OutboundCounts,
    /// AWS calls, by operation.
    pub aws_operations: BTreeMap<String, usize>,
}

/// The keeper over `links` seeded links.
#[derive(Clone, Debug)]
pub struct KeeperMeasurement {
    /// Links in the table.
    pub links: usize,
    /// Shards of the keeper index.
    pub shards: u32,
    /// Refresh concurrency.
    pub concurrency: usize,
    /// The run with every link due.
    pub all_due: KeeperRun,
    /// The run right after, with no link due.
    pub none_due: KeeperRun,
}

/// Keeper concurrency, as production defaults it (`KEEPER_CONCURRENCY`).
const CONCURRENCY: usize = 8;

/// Seeds `links` due links in `stack` and measures the `token-keeper` binary over them; an error
/// says why it could not be measured (e.g. the binary is not built).
pub async fn measure_keeper(
    stack: &TestStack,
    meter: &OutboundMeter,
    links: usize,
) -> Result<KeeperMeasurement, String> {
    let program = built_binary("token-keeper");
    if !program.exists() {
        return Err(format!("{} is not built", program.display()));
    }
    let schedule = KeeperSchedule::default();
    let started = Instant::now();
    seed_links(
        stack,
        schedule,
        &LinkBatch {
            prefix: "keeper",
            count: links,
            ms_user_id: ADELE.id,
            scopes: &["User.Read.All"],
            days_ago: DAYS_SINCE_REFRESH,
        },
    )
    .await;
    eprintln!(
        "seeded {links} links in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut env = stack.env();
    env.insert("AWS_ENDPOINT_URL".into(), meter.aws_url().to_string());
    env.insert("KEEPER_CONCURRENCY".into(), CONCURRENCY.to_string());
    let log = profile_dir().join("bench-logs").join("token-keeper.log");
    let _ = std::fs::remove_file(&log);
    let mut keeper = LambdaProcess::spawn(&program, "token-keeper", &env, &log).await?;
    let shards: Vec<u32> = (0..schedule.shards).collect();
    let all_due = run_until_drained(&mut keeper, &shards, meter).await?;
    let none_due = run_until_drained(&mut keeper, &shards, meter).await?;
    Ok(KeeperMeasurement {
        links,
        shards: schedule.shards,
        concurrency: CONCURRENCY,
        all_due,
        none_due,
    })
}

/// Index pages a keeper run reads per shard when nothing is due: the shard's links and its
/// subscriptions.
const INDEX_READS_PER_SHARD: usize = 2;

/// Invokes the keeper over `shards` until a run reports them drained.
async fn run_until_drained(
    keeper: &mut LambdaProcess,
    shards: &[u32],
    meter: &OutboundMeter,
) -> Result<KeeperRun, String> {
    meter.reset().await?;
    let started = Instant::now();
    let (mut invocations, mut due, mut refreshed) = (0, 0, 0);
    loop {
        let summary = keeper
            .invoke_within(json!({ "shards": shards }), RUN_BUDGET)
            .await
            .map_err(|error| format!("token-keeper: {error}"))?;
        invocations += 1;
        let number = |field: &str| summary[field].as_u64().unwrap_or_default();
        due += number("due");
        refreshed += number("refreshed");
        if summary["drained"] == Value::Bool(true) {
            break;
        }
        if invocations == MAX_INVOCATIONS {
            return Err(format!(
                "token-keeper did not drain its shards in {MAX_INVOCATIONS} invocations: {summary}"
            ));
        }
    }
    let seconds = milliseconds(started.elapsed()) / 1000.0;
    Ok(KeeperRun {
        invocations,
        due,
        refreshed,
        seconds,
        outbound: meter.read().await?,
        aws_operations: meter.aws_operations(),
    })
}

impl KeeperRun {
    /// `DynamoDB_20120810.Query 17, ...`.
    fn operations(&self) -> String {
        self.aws_operations
            .iter()
            .map(|(operation, calls)| {
                let name = operation.rsplit('.').next().unwrap_or(operation);
                format!("{name} {calls}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl KeeperMeasurement {
    /// The keeper's results as a Markdown table.
    pub fn table(&self) -> String {
        let mut text = format!(
            "`token-keeper` over {} seeded links (all last refreshed {DAYS_SINCE_REFRESH} days ago, so due), \
             {} shards in one invocation, {} refreshes at a time.\n\n\
             | run | invocations | due | refreshed | seconds | refreshes / s | token requests | DynamoDB calls | Secrets Manager | requests per refreshed link | AWS calls by operation |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
            self.links, self.shards, self.concurrency
        );
        for (name, run) in [
            ("every link due", &self.all_due),
            ("right after: none due", &self.none_due),
        ] {
            let per_link = if run.refreshed == 0 {
                "–".to_string()
            } else {
                count(run.outbound.total() as f64 / run.refreshed as f64)
            };
            let _ = writeln!(
                text,
                "| {name} | {} | {} | {} | {:.1} | {:.0} | {} | {} | {} | {per_link} | {} |",
                run.invocations,
                run.due,
                run.refreshed,
                run.seconds,
                run.refreshed as f64 / run.seconds,
                run.outbound.token,
                run.outbound.dynamodb,
                run.outbound.secrets_manager,
                run.operations()
            );
        }
        text
    }

    /// The keeper budget: with no link due, the keeper reads one index page per shard for links
    /// and one for subscriptions (the change feed's renewals share the index under `subs#NN`), and
    /// sends nothing else; with all due, the same few requests per link.
    pub fn proportionality_check(&self) -> BudgetCheck {
        let idle = &self.none_due.outbound;
        let shards = self.shards as usize;
        BudgetCheck {
            budget: "keeper: work proportional to the links due, not to all links",
            limit: "none due: at most two index reads per shard (links, subscriptions), no token request",
            measured: format!(
                "{} links, none due: {} requests ({} token); all due: {} requests per refreshed link",
                self.links,
                idle.total(),
                idle.token,
                count(self.all_due.outbound.total() as f64 / self.all_due.refreshed.max(1) as f64)
            ),
            met: idle.token == 0
                && idle.total() <= INDEX_READS_PER_SHARD * shards
                && self.all_due.refreshed as usize == self.links,
        }
    }
}
