//! The product's performance budgets (docs/benchmark.md lists them), checked against the Rust
//! functions' measurements.

use crate::comparison::{Comparison, DistanceRun};
use crate::keeper_throughput::KeeperMeasurement;
use crate::report_format::{megabytes, ms};

/// Added latency budget (p99), in milliseconds.
const ADDED_LATENCY_P99_MS: f64 = 1.0;
/// Cold start budget (p99), in milliseconds.
const COLD_START_MS: f64 = 50.0;
/// Peak RSS budget, in bytes.
const PEAK_RSS_BYTES: u64 = 32_000_000;
/// Binary size budget, in bytes: the stripped release binary of one function.
const BINARY_BYTES: u64 = 7_000_000;
/// Round trips in series before the Graph call of a cold start, at a distance, at most.
const COLD_ROUND_TRIPS: usize = 2;
/// How many times faster than the Python baseline a cold start and first invocation must be, at
/// every distance (p50).
const COLD_SPEEDUP: f64 = 3.0;

/// One budget and whether it was met.
#[derive(Clone, Debug)]
pub struct BudgetCheck {
    /// The budget, in words.
    pub budget: &'static str,
    /// The limit checked.
    pub limit: &'static str,
    /// The worst measurement, with where it was measured.
    pub measured: String,
    /// Met or missed.
    pub met: bool,
}

/// The worst of `value` over `comparisons`, with the scenario it was measured in.
fn worst<T: PartialOrd + Copy>(
    comparisons: &[Comparison],
    value: impl Fn(&Comparison) -> T,
) -> Option<(T, String)> {
    comparisons
        .iter()
        .map(|comparison| (value(comparison), comparison.scenario.label()))
        .reduce(|worst, next| if next.0 > worst.0 { next } else { worst })
}

/// Checks every budget the measurements cover.
pub fn check_budgets(
    comparisons: &[Comparison],
    keeper: Option<&KeeperMeasurement>,
) -> Vec<BudgetCheck> {
    let mut checks = Vec::new();
    if !comparisons.is_empty() {
        let off_budget: Vec<String> = comparisons
            .iter()
            .filter(|comparison| {
                let warm = &comparison.rust.warm_outbound;
                warm.min_total != 1 || warm.max_total != 1 || warm.sum.graph != warm.invocations
            })
            .map(|comparison| comparison.scenario.label())
            .collect();
        checks.push(BudgetCheck {
            budget: "warm invocation: exactly one outbound request (Graph)",
            limit: "1 Graph request, nothing else, on every warm invocation",
            measured: if off_budget.is_empty() {
                "1 Graph request on every warm invocation of every scenario".to_string()
            } else {
                format!("other counts in {}", off_budget.join(", "))
            },
            met: off_budget.is_empty(),
        });
    }
    if let Some((p99, label)) = worst(comparisons, |c| c.rust.added_latency.p99) {
        checks.push(BudgetCheck {
            budget: "warm invocation: added latency p99 under 1 ms on loopback",
            limit: "p99 < 1 ms",
            measured: format!("{} ms, {label}", ms(p99)),
            met: p99 < ADDED_LATENCY_P99_MS,
        });
    }
    if let Some((p99, label)) = worst(comparisons, |c| c.rust.cold_start.p99) {
        checks.push(BudgetCheck {
            budget: "cold start: process start to first invocation ready well under 50 ms",
            limit: "p99 < 50 ms",
            measured: format!("{} ms, {label}", ms(p99)),
            met: p99 < COLD_START_MS,
        });
    }
    if let Some((kib, label)) = worst(comparisons, |c| c.rust.peak_rss_kib) {
        checks.push(BudgetCheck {
            budget: "peak RSS under 32 MB",
            limit: "< 32 MB",
            measured: format!("{} MB, {label}", megabytes(kib * 1024)),
            met: kib * 1024 < PEAK_RSS_BYTES,
        });
    }
    // The budget is for what Lambda runs: the arm64 bootstrap, when it was built; otherwise this
    // machine's binary stands in for it (x86_64 code is larger than arm64's).
    let deployed = comparisons
        .iter()
        .all(|c| c.deployed_binary_bytes.is_some());
    let size = |c: &Comparison| {
        if deployed {
            c.deployed_binary_bytes.unwrap_or(c.rust_binary_bytes)
        } else {
            c.rust_binary_bytes
        }
    };
    if let Some((bytes, label)) = worst(comparisons, size) {
        let built = if deployed {
            "arm64 bootstrap as deployed"
        } else {
            "this machine's build; the arm64 bootstrap was not built"
        };
        checks.push(BudgetCheck {
            budget: "stripped binary under 7 MB",
            limit: "< 7 MB",
            measured: format!("{} MB ({built}), {label}", megabytes(bytes)),
            met: bytes < BINARY_BYTES,
        });
    }
    if let Some(keeper) = keeper {
        checks.push(keeper.proportionality_check());
    }
    checks
}

/// The budgets of the first call at a distance, over every distance above 0 ms.
pub fn check_distance_budgets(runs: &[DistanceRun]) -> Vec<BudgetCheck> {
    let at_distance: Vec<(u64, &Comparison)> = runs
        .iter()
        .filter(|run| run.distance.round_trip_ms > 0)
        .flat_map(|run| {
            run.comparisons
                .iter()
                .map(move |comparison| (run.distance.round_trip_ms, comparison))
        })
        .collect();
    let worst_of = |value: &dyn Fn(&Comparison) -> f64| {
        at_distance
            .iter()
            .map(|(ms, comparison)| {
                (
                    value(comparison),
                    format!("{}, {ms} ms", comparison.scenario.label()),
                )
            })
            .reduce(|worst, next| if next.0 > worst.0 { next } else { worst })
    };
    let mut checks = Vec::new();
    if let Some((round_trips, label)) = worst_of(&|c| c.rust.cold_round_trips.max as f64) {
        checks.push(BudgetCheck {
            budget: "first call at a distance: at most two round trips in series before the Graph call",
            limit: "≤ 2 at every distance, every cold start",
            measured: format!("{round_trips}, {label}"),
            met: round_trips <= COLD_ROUND_TRIPS as f64,
        });
    }
    let slowdown = |c: &Comparison| {
        c.rust.cold_start_and_first_invocation.p50 / c.python.cold_start_and_first_invocation.p50
    };
    if let Some((fraction, label)) = worst_of(&slowdown) {
        checks.push(BudgetCheck {
            budget: "first call at a distance: cold start + first invocation at least 3× faster than the Python baseline",
            limit: "Python ÷ Rust ≥ 3 at p50, every distance",
            measured: format!("{:.1}×, {label}", 1.0 / fraction),
            met: fraction * COLD_SPEEDUP <= 1.0,
        });
    }
    checks
}
