//! The benchmark's results as Markdown: the full report (docs/benchmark.md and the terminal) and
//! the summary table (README).

use std::fmt::Write;

use crate::budgets::BudgetCheck;
use crate::comparison::{Comparison, DistanceRun};
use crate::distribution::Distribution;
use crate::keeper_throughput::KeeperMeasurement;
use crate::large_tenant::LargeTenantRun;
use crate::machine::Machine;
use crate::measurement::{Measurement, Plan, RoundTrips};
use crate::outbound_counts::{OutboundCounts, OutboundTally};
use crate::report_format::{count, megabytes, ms, ratio};

/// Everything one run found.
pub struct Report<'a> {
    /// Where it ran.
    pub machine: &'a Machine,
    /// When it ran (UTC).
    pub date: String,
    /// The command that ran it.
    pub command: &'a str,
    /// How much was measured.
    pub plan: Plan,
    /// The scenarios measured on loopback (the first distance, 0 ms).
    pub comparisons: &'a [Comparison],
    /// The scenarios measured at every distance, the first of them 0 ms.
    pub distances: &'a [DistanceRun],
    /// Why some scenarios were not measured.
    pub skipped: &'a [String],
    /// The keeper's throughput, or why it was not measured.
    pub keeper: &'a Result<KeeperMeasurement, String>,
    /// `users-list` over a large tenant, or why it was not measured.
    pub large_tenant: &'a Result<LargeTenantRun, String>,
    /// The performance budgets.
    pub budgets: &'a [BudgetCheck],
}

impl Report<'_> {
    fn context(&self) -> String {
        let distances: Vec<String> = self
            .distances
            .iter()
            .map(|run| run.distance.round_trip_ms.to_string())
            .collect();
        format!(
            "Measured on {} at {} with `{}`: {} cold starts and {} warm invocations per function, \
             mode, implementation and distance. Every endpoint (DynamoDB, Secrets Manager, the \
             identity platform, Graph) is behind a proxy that puts it {} ms of round trip away, a \
             new connection costing two round trips more (TCP and TLS handshakes); \
             the budgets and the per-function tables are at 0 ms, on loopback.",
            self.machine.summary(),
            self.date,
            self.command,
            self.plan.cold_starts,
            self.plan.warm_invocations,
            distances.join(", ")
        )
    }

    /// The table of every scenario at every distance: `columns` names the cells `cells` fills.
    fn distance_table(
        &self,
        columns: &[&str],
        cells: impl Fn(&Comparison) -> Vec<String>,
    ) -> String {
        let mut text = format!(
            "| function (permissions) | round trip | {} |\n|{}\n",
            columns.join(" | "),
            " --- |".repeat(columns.len() + 2)
        );
        for (index, comparison) in self.comparisons.iter().enumerate() {
            for run in self.distances {
                let Some(at_distance) = run.comparisons.get(index) else {
                    continue;
                };
                let _ = writeln!(
                    text,
                    "| {} | {} ms | {} |",
                    comparison.scenario.label(),
                    run.distance.round_trip_ms,
                    cells(at_distance).join(" | ")
                );
            }
        }
        text
    }

    /// The section on distance: the table, and the chains of round trips behind its counts.
    fn at_a_distance(&self) -> String {
        let mut text = String::from(
            "### At a distance\n\n\
             Each cell: Rust · Python baseline (Python ÷ Rust). *Round trips in series* counts the \
             connection setups and requests before the first invocation's Graph call that had to \
             wait for one another (the longest chain of them on the proxies' timeline, each \
             beginning after the previous one ended); overlapping ones count once.\n\n",
        );
        text.push_str(&self.distance_table(
            &[
                "cold start + first invocation p50 / p99 ms",
                "round trips in series before the Graph call",
                "requests from process start to first result",
                "warm invocation p50 / p99 ms",
                "added latency p99 ms",
            ],
            |comparison| {
                let (rust, python) = (&comparison.rust, &comparison.python);
                let total = |m: &Measurement| m.cold_outbound.per_invocation(OutboundCounts::total);
                vec![
                    format!(
                        "{} · {} ({})",
                        percentiles(&rust.cold_start_and_first_invocation),
                        percentiles(&python.cold_start_and_first_invocation),
                        ratio(
                            python.cold_start_and_first_invocation.p50,
                            rust.cold_start_and_first_invocation.p50
                        )
                    ),
                    format!(
                        "{} · {}",
                        round_trips(&rust.cold_round_trips),
                        round_trips(&python.cold_round_trips)
                    ),
                    side_by_side(total(rust), total(python), count),
                    format!(
                        "{} · {} ({})",
                        percentiles(&rust.warm_invocation),
                        percentiles(&python.warm_invocation),
                        ratio(python.warm_invocation.p50, rust.warm_invocation.p50)
                    ),
                    side_by_side(rust.added_latency.p99, python.added_latency.p99, ms),
                ]
            },
        ));
        if let Some(run) = self
            .distances
            .iter()
            .find(|run| run.distance.round_trip_ms > 0)
        {
            let _ = writeln!(
                text,
                "\nThe chains counted at {} ms (of the last cold start):\n",
                run.distance.round_trip_ms
            );
            for comparison in &run.comparisons {
                for (name, measurement) in
                    [("Rust", &comparison.rust), ("Python", &comparison.python)]
                {
                    let _ = writeln!(
                        text,
                        "- {}, {name}: {}",
                        comparison.scenario.label(),
                        chain(&measurement.cold_round_trips)
                    );
                }
            }
        }
        text
    }

    /// The full report.
    pub fn full(&self) -> String {
        let mut text = format!("{}\n\n", self.context());
        for note in self.skipped {
            let _ = writeln!(text, "- Skipped: {note}");
        }
        if !self.skipped.is_empty() {
            text.push('\n');
        }
        text.push_str("### Budgets (the Rust functions)\n\n");
        text.push_str(
            "| budget | limit | measured (worst case) | result |\n| --- | --- | --- | --- |\n",
        );
        for check in self.budgets {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} |",
                check.budget,
                check.limit,
                check.measured,
                if check.met { "PASS" } else { "MISS" }
            );
        }
        text.push('\n');
        text.push_str(&self.at_a_distance());
        for comparison in self.comparisons {
            text.push('\n');
            text.push_str(&scenario_table(comparison));
        }
        text.push_str("\n### A large tenant\n\n");
        match self.large_tenant {
            Ok(run) => text.push_str(&run.table()),
            Err(why) => {
                let _ = writeln!(text, "Not measured: {why}");
            }
        }
        text.push_str("\n### Token keeper\n\n");
        match self.keeper {
            Ok(keeper) => text.push_str(&keeper.table()),
            Err(why) => {
                let _ = writeln!(text, "Not measured: {why}");
            }
        }
        text
    }

    /// The summary table.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} Each cell: Rust · Python baseline (Python ÷ Rust); times in ms, sizes in MB. \
             Details, method and the keeper: [docs/benchmark.md](docs/benchmark.md).\n\n",
            self.context()
        );
        text.push_str(
            "| function (permissions) | cold start p50 | cold start + first invocation p50 | warm invocation p50 | warm invocation p99 | added latency p99 | requests per warm invocation | peak RSS | binary / packages |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for comparison in self.comparisons {
            let (rust, python) = (&comparison.rust, &comparison.python);
            let requests = |measurement: &Measurement| {
                measurement
                    .warm_outbound
                    .per_invocation(OutboundCounts::total)
            };
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                comparison.scenario.label(),
                side_by_side(rust.cold_start.p50, python.cold_start.p50, ms),
                side_by_side(
                    rust.cold_start_and_first_invocation.p50,
                    python.cold_start_and_first_invocation.p50,
                    ms
                ),
                side_by_side(rust.warm_invocation.p50, python.warm_invocation.p50, ms),
                side_by_side(rust.warm_invocation.p99, python.warm_invocation.p99, ms),
                side_by_side(rust.added_latency.p99, python.added_latency.p99, ms),
                side_by_side(requests(rust), requests(python), count),
                side_by_side(
                    (rust.peak_rss_kib * 1024) as f64,
                    (python.peak_rss_kib * 1024) as f64,
                    |bytes| megabytes(bytes as u64)
                ),
                side_by_side(
                    comparison.rust_binary_bytes as f64,
                    comparison.python_packages_bytes as f64,
                    |bytes| megabytes(bytes as u64)
                ),
            );
        }
        text.push_str("\nAt a distance (round trips in series: connection setups and requests before the Graph call that waited for one another):\n\n");
        text.push_str(&self.distance_table(
            &[
                "cold start + first invocation p50",
                "round trips in series before the Graph call",
                "warm invocation p50",
            ],
            |comparison| {
                let (rust, python) = (&comparison.rust, &comparison.python);
                vec![
                    side_by_side(
                        rust.cold_start_and_first_invocation.p50,
                        python.cold_start_and_first_invocation.p50,
                        ms,
                    ),
                    format!(
                        "{} · {}",
                        round_trips(&rust.cold_round_trips),
                        round_trips(&python.cold_round_trips)
                    ),
                    side_by_side(rust.warm_invocation.p50, python.warm_invocation.p50, ms),
                ]
            },
        ));
        let met = self.budgets.iter().filter(|check| check.met).count();
        let _ = writeln!(
            text,
            "\nBudgets met: {met} of {}{}.",
            self.budgets.len(),
            missed(self.budgets)
        );
        text
    }
}

/// `; missed: a, b` for the budgets not met.
fn missed(budgets: &[BudgetCheck]) -> String {
    let missed: Vec<&str> = budgets
        .iter()
        .filter(|check| !check.met)
        .map(|check| check.budget)
        .collect();
    if missed.is_empty() {
        String::new()
    } else {
        format!("; missed: {}", missed.join("; "))
    }
}

/// `4.80 · 412 (86×)`.
fn side_by_side(rust: f64, python: f64, format: impl Fn(f64) -> String) -> String {
    format!(
        "{} · {} ({})",
        format(rust),
        format(python),
        ratio(python, rust)
    )
}

/// `2`, or `2–3` when cold starts differed.
fn round_trips(round_trips: &RoundTrips) -> String {
    if round_trips.min == round_trips.max {
        round_trips.max.to_string()
    } else {
        format!("{}–{}", round_trips.min, round_trips.max)
    }
}

/// `2: Secrets Manager connection → Secrets Manager GetSecretValue`.
fn chain(round_trips: &RoundTrips) -> String {
    format!(
        "{}: {}",
        round_trips.example.len(),
        if round_trips.example.is_empty() {
            "none".to_string()
        } else {
            round_trips.example.join(" → ")
        }
    )
}

/// `p50 / p99`.
fn percentiles(distribution: &Distribution) -> String {
    format!("{} / {}", ms(distribution.p50), ms(distribution.p99))
}

/// `Graph / token / discovery / Secrets Manager / DynamoDB (+ other)` per invocation.
fn by_kind(tally: &OutboundTally) -> String {
    let kinds: [fn(&OutboundCounts) -> usize; 5] = [
        |c| c.graph,
        |c| c.token,
        |c| c.discovery,
        |c| c.secrets_manager,
        |c| c.dynamodb,
    ];
    let mut text = kinds
        .iter()
        .map(|kind| count(tally.per_invocation(kind)))
        .collect::<Vec<_>>()
        .join(" / ");
    if tally.sum.other > 0 {
        let _ = write!(
            text,
            " (+{} other)",
            count(tally.per_invocation(|c| c.other))
        );
    }
    text
}

/// A row of a scenario's table: its name and what it shows of a measurement.
type Row<T> = (&'static str, fn(&Measurement) -> T);

/// One scenario's table.
fn scenario_table(comparison: &Comparison) -> String {
    let (rust, python) = (&comparison.rust, &comparison.python);
    let mut text = format!(
        "### {}\n\n| measure | Rust | Python baseline | Python ÷ Rust |\n| --- | ---: | ---: | ---: |\n",
        comparison.scenario.label()
    );
    let distributions: [Row<Distribution>; 6] = [
        (
            "cold start (process start → first poll), p50 / p99 ms",
            |m| m.cold_start,
        ),
        ("first invocation, p50 / p99 ms", |m| m.first_invocation),
        ("cold start + first invocation, p50 / p99 ms", |m| {
            m.cold_start_and_first_invocation
        }),
        ("warm invocation, p50 / p99 ms", |m| m.warm_invocation),
        ("same Graph request sent directly, p50 / p99 ms", |m| {
            m.direct_request
        }),
        (
            "added latency (warm − direct, paired), p50 / p99 ms",
            |m| m.added_latency,
        ),
    ];
    for (name, distribution) in distributions {
        let (r, p) = (distribution(rust), distribution(python));
        let _ = writeln!(
            text,
            "| {name} | {} | {} | {} / {} |",
            percentiles(&r),
            percentiles(&p),
            ratio(p.p50, r.p50),
            ratio(p.p99, r.p99)
        );
    }
    let tallies: [Row<OutboundTally>; 2] = [
        (
            "requests from process start to first result: Graph / token / discovery / Secrets Manager / DynamoDB",
            |m| m.cold_outbound,
        ),
        (
            "requests per warm invocation: Graph / token / discovery / Secrets Manager / DynamoDB",
            |m| m.warm_outbound,
        ),
    ];
    for (name, tally) in tallies {
        let (r, p) = (tally(rust), tally(python));
        let _ = writeln!(
            text,
            "| {name} | {} | {} | {} |",
            by_kind(&r),
            by_kind(&p),
            ratio(
                p.per_invocation(OutboundCounts::total),
                r.per_invocation(OutboundCounts::total)
            )
        );
    }
    let _ = writeln!(
        text,
        "| peak RSS (VmHWM after all invocations), MB | {} | {} | {} |",
        megabytes(rust.peak_rss_kib * 1024),
        megabytes(python.peak_rss_kib * 1024),
        ratio(python.peak_rss_kib as f64, rust.peak_rss_kib as f64)
    );
    let _ = writeln!(
        text,
        "| binary (Rust) / installed packages (Python), MB | {} | {} | {} |",
        megabytes(comparison.rust_binary_bytes),
        megabytes(comparison.python_packages_bytes),
        ratio(
            comparison.python_packages_bytes as f64,
            comparison.rust_binary_bytes as f64
        )
    );
    text
}
