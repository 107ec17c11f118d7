//! Measures one implementation of one scenario: cold starts and first invocations in fresh
//! processes, then warm invocations, each paired with the same Graph request sent directly;
//! outbound requests by kind; the process's peak memory.

use std::time::Instant;

use crate::direct_graph::DirectGraph;
use crate::distribution::{Distribution, milliseconds};
use crate::implementation::Launch;
use crate::lambda_process::LambdaProcess;
use crate::outbound_counts::OutboundTally;
use crate::outbound_meter::OutboundMeter;
use crate::scenario::Scenario;
use crate::timeline::{Timeline, critical_path_before_graph};

/// How much to measure.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Fresh processes started, each measured to its first invocation's result.
    pub cold_starts: usize,
    /// Invocations of the last of them afterwards.
    pub warm_invocations: usize,
}

/// The services a measurement uses.
pub struct Instruments<'a> {
    /// Counts outbound requests.
    pub meter: &'a OutboundMeter,
    /// Sends the scenario's Graph request directly.
    pub direct: &'a DirectGraph,
    /// The distance proxies' record of connection setups and requests.
    pub timeline: &'a Timeline,
}

/// The round trips a cold start made one after another before its Graph call, over all cold
/// starts (see [`critical_path_before_graph`]).
#[derive(Clone, Debug, Default)]
pub struct RoundTrips {
    /// The fewest of any cold start.
    pub min: usize,
    /// The most of any cold start.
    pub max: usize,
    /// The chain of the last cold start, e.g. `Secrets Manager connection`, `Secrets Manager GetSecretValue`.
    pub example: Vec<String>,
}

/// What was measured; times in milliseconds.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// Process start to its first poll for an invocation.
    pub cold_start: Distribution,
    /// The first invocation, from queueing the event to its result.
    pub first_invocation: Distribution,
    /// Both together, per process.
    pub cold_start_and_first_invocation: Distribution,
    /// Requests sent from process start to the first invocation's result.
    pub cold_outbound: OutboundTally,
    /// Round trips one after another before the first invocation's Graph call.
    pub cold_round_trips: RoundTrips,
    /// Warm invocations, from queueing the event to its result.
    pub warm_invocation: Distribution,
    /// The same Graph request sent directly, right before each warm invocation.
    pub direct_request: Distribution,
    /// Each warm invocation minus the direct request before it.
    pub added_latency: Distribution,
    /// Requests sent by each warm invocation.
    pub warm_outbound: OutboundTally,
    /// Peak resident set size of the process after all its invocations, in KiB.
    pub peak_rss_kib: u64,
}

/// Measures `launch` running `scenario` as `plan` says. A discarded start comes first, so every
/// measured start finds the program's files in the page cache.
pub async fn measure(
    launch: &Launch,
    scenario: &Scenario,
    plan: Plan,
    instruments: &Instruments<'_>,
) -> Result<Measurement, String> {
    // A fresh log per run: every process of this measurement appends to it.
    let _ = std::fs::remove_file(&launch.log);
    let (mut warm_up, _) = start(launch).await?;
    invoke(&mut warm_up, scenario).await?;
    drop(warm_up);

    let mut cold_starts = Vec::new();
    let mut first_invocations = Vec::new();
    let mut cold_totals = Vec::new();
    let mut cold_outbound = OutboundTally::default();
    let mut round_trips: Vec<usize> = Vec::new();
    let mut example = Vec::new();
    let mut last = None;
    for _ in 0..plan.cold_starts {
        drop(last.take());
        instruments.meter.reset().await?;
        instruments.timeline.reset();
        let (mut process, cold_start) = start(launch).await?;
        let first = invoke(&mut process, scenario).await?;
        cold_outbound.record(instruments.meter.read().await?);
        let path = critical_path_before_graph(&instruments.timeline.spans()).ok_or_else(|| {
            format!(
                "{}: no Graph call went through the distance proxy",
                scenario.label()
            )
        })?;
        round_trips.push(path.round_trips);
        example = path.chain;
        cold_starts.push(cold_start);
        first_invocations.push(first);
        cold_totals.push(cold_start + first);
        last = Some(process);
    }
    let mut process = last.ok_or("a plan needs at least one cold start")?;

    let mut warm = Vec::new();
    let mut direct = Vec::new();
    let mut added = Vec::new();
    let mut warm_outbound = OutboundTally::default();
    for _ in 0..plan.warm_invocations {
        let direct_ms = instruments.direct.send(scenario).await?;
        instruments.meter.reset().await?;
        let warm_ms = invoke(&mut process, scenario).await?;
        warm_outbound.record(instruments.meter.read().await?);
        warm.push(warm_ms);
        direct.push(direct_ms);
        added.push(warm_ms - direct_ms);
    }
    Ok(Measurement {
        cold_start: Distribution::of(&cold_starts),
        first_invocation: Distribution::of(&first_invocations),
        cold_start_and_first_invocation: Distribution::of(&cold_totals),
        cold_outbound,
        cold_round_trips: RoundTrips {
            min: round_trips.iter().copied().min().unwrap_or_default(),
            max: round_trips.iter().copied().max().unwrap_or_default(),
            example,
        },
        warm_invocation: Distribution::of(&warm),
        direct_request: Distribution::of(&direct),
        added_latency: Distribution::of(&added),
        warm_outbound,
        peak_rss_kib: process.peak_rss_kib()?,
    })
}

/// Starts the process and waits until it polls for its first invocation; returns it and its cold
/// start in milliseconds.
async fn start(launch: &Launch) -> Result<(LambdaProcess, f64), String> {
    let mut process = LambdaProcess::spawn(
        &launch.program,
        launch.function_name,
        &launch.env,
        &launch.log,
    )
    .await?;
    let cold_start = process.cold_start().await?;
    Ok((process, milliseconds(cold_start)))
}

/// Invokes the scenario's event and returns how long the result took, in milliseconds; a
/// result with another status than the Graph request's success is an error.
async fn invoke(process: &mut LambdaProcess, scenario: &Scenario) -> Result<f64, String> {
    let event = scenario.next_event();
    let started = Instant::now();
    let result = process.invoke(event).await;
    let elapsed = milliseconds(started.elapsed());
    let result = result.map_err(|error| format!("{}: {error}", scenario.label()))?;
    if result["status"] != scenario.graph.status {
        let unexpected = format!("expected status {}, got {result}", scenario.graph.status);
        return Err(format!(
            "{}: {}",
            scenario.label(),
            process.failure(&unexpected)
        ));
    }
    Ok(elapsed)
}
