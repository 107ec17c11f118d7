//! The benchmark of the product's performance budgets: `users-get` and `events-create`, in both permission
//! modes, as the Rust binaries and as a Python MSAL + boto3 baseline under awslambdaric, each run
//! under the e2e harness's Lambda Runtime API against the same Microsoft simulator and moto server;
//! then `users-list` over a large tenant, and the token keeper over many seeded links. Prints a Markdown report and, with
//! `--write-docs`, writes it into docs/benchmark.md and README.md. Run it with `infra/bench.sh`,
//! which builds what it needs in release mode first.

mod budgets;
mod comparison;
mod direct_graph;
mod distance_proxy;
mod distant_endpoints;
mod distribution;
mod docs_update;
mod generated_block;
mod implementation;
mod keeper_throughput;
mod lambda_process;
mod large_tenant;
mod machine;
mod measurement;
mod oidc_discovery;
mod options;
mod outbound_counts;
mod outbound_meter;
mod process_memory;
mod python_baseline;
mod report;
mod report_format;
mod scenario;
mod timeline;

use std::process::ExitCode;

use e2e::demo_directory::ADELE;
use e2e::paths::{built_binary, profile_dir};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;

use crate::budgets::{check_budgets, check_distance_budgets};
use crate::comparison::{Comparison, DistanceRun};
use crate::direct_graph::DirectGraph;
use crate::distance_proxy::Distance;
use crate::distant_endpoints::DistantEndpoints;
use crate::docs_update::write_docs;
use crate::implementation::Implementation;
use crate::keeper_throughput::measure_keeper;
use crate::large_tenant::measure_large_tenant;
use crate::machine::Machine;
use crate::measurement::{Instruments, Plan, measure};
use crate::options::{Options, USAGE};
use crate::outbound_meter::OutboundMeter;
use crate::report::Report;
use crate::scenario::{Scenario, scenarios};

/// The application user the delegated scenarios act as.
const APP_USER: &str = "bench-user";
/// The delegated scopes it signs in with.
const SCOPES: &[&str] = &["User.Read.All", "Calendars.ReadWrite"];

// One thread: the simulator, moto's proxy and the Runtime API answer one request at a time, and
// no work hops between threads while a request is timed.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("benchmark failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The size of the arm64 `bootstrap` of function `name` as `infra/package.sh` builds it for Lambda
/// (`target/lambda/<name>/bootstrap`, beside the release profile's directory), if it was built.
fn deployed_size(name: &str) -> Option<u64> {
    let target = profile_dir().parent()?.to_path_buf();
    let path = target.join("lambda").join(name).join("bootstrap");
    std::fs::metadata(path).ok().map(|metadata| metadata.len())
}

/// The size of a built file, or why it is missing.
fn built_size(name: &str) -> Result<u64, String> {
    let path = built_binary(name);
    std::fs::metadata(&path).map(|metadata| metadata.len()).map_err(|error| {
        format!(
            "{}: {error} (build it first: infra/bench.sh runs `cargo build --release -p functions --bin {name}`)",
            path.display()
        )
    })
}

async fn run(options: &Options) -> Result<(), String> {
    let plan = Plan {
        cold_starts: options.cold_starts,
        warm_invocations: options.warm_invocations,
    };
    let python_packages_bytes = python_baseline::installed_size()?;
    let stack = TestStack::start().await;
    sign_in(&stack, APP_USER, ADELE.id, SCOPES).await;
    python_baseline::seed_link(&stack, &stack.link_user(APP_USER, ADELE.id, SCOPES).await).await?;
    let meter = OutboundMeter::start(
        stack.simulator().clone(),
        &stack.function_env().aws_endpoint_url,
    )
    .await
    .map_err(|error| format!("starting the outbound meter: {error}"))?;
    let direct = DirectGraph::new(&stack, ADELE.id, SCOPES).await?;
    let function_env = {
        let mut env = stack.env();
        env.insert("AWS_ENDPOINT_URL".into(), meter.aws_url().to_string());
        env
    };

    let mut measurable = Vec::new();
    let mut skipped = Vec::new();
    for scenario in scenarios(APP_USER, ADELE.id) {
        match direct.send(&scenario).await {
            Ok(_) => measurable.push(scenario),
            Err(error) => {
                eprintln!("skipping {}: {error}", scenario.label());
                skipped.push(format!(
                    "{}: the simulator does not serve its Graph request ({error})",
                    scenario.label()
                ));
            }
        }
    }
    let mut runs = Vec::new();
    for &round_trip_ms in &options.distances_ms {
        let endpoints = DistantEndpoints::start(
            Distance { round_trip_ms },
            stack.simulator_url(),
            meter.discovery_url(),
            meter.aws_url(),
        )
        .await?;
        let comparisons = measure_at(
            options,
            &endpoints,
            &measurable,
            &function_env,
            &meter,
            &direct,
            python_packages_bytes,
        )
        .await?;
        runs.push(DistanceRun {
            distance: endpoints.distance,
            comparisons,
        });
    }
    let comparisons = &runs.first().ok_or("no distance to measure at")?.comparisons;

    eprintln!("measuring users-list over {} users...", large_tenant::USERS);
    let large_tenant =
        measure_large_tenant(&stack, &function_env, &profile_dir().join("bench-logs")).await;

    let keeper = if options.keeper_links == 0 {
        Err("skipped (--keeper-links 0)".to_string())
    } else {
        eprintln!(
            "measuring the token keeper over {} links...",
            options.keeper_links
        );
        measure_keeper(&stack, &meter, options.keeper_links).await
    };
    let mut budgets = check_budgets(comparisons, keeper.as_ref().ok());
    budgets.extend(check_distance_budgets(&runs));
    if let Ok(run) = &large_tenant {
        budgets.push(run.budget_check());
    }
    let machine = Machine::describe();
    let report = Report {
        machine: &machine,
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        command: &options.command,
        plan,
        comparisons,
        distances: &runs,
        skipped: &skipped,
        keeper: &keeper,
        large_tenant: &large_tenant,
        budgets: &budgets,
    };
    println!("{}", report.full());
    if options.write_docs {
        write_docs(&report)?;
        eprintln!("wrote docs/benchmark.md and the README's benchmark table");
    }
    Ok(())
}

/// Measures every scenario, for both implementations, with every endpoint behind `endpoints`.
async fn measure_at(
    options: &Options,
    endpoints: &DistantEndpoints,
    scenarios: &[Scenario],
    function_env: &std::collections::BTreeMap<String, String>,
    meter: &OutboundMeter,
    direct: &DirectGraph,
    python_packages_bytes: u64,
) -> Result<Vec<Comparison>, String> {
    let plan = Plan {
        cold_starts: options.cold_starts,
        warm_invocations: options.warm_invocations,
    };
    let env = endpoints.function_env(function_env);
    let direct = direct.through(endpoints.graph_url());
    let instruments = Instruments {
        meter,
        direct: &direct,
        timeline: &endpoints.timeline,
    };
    let mut comparisons = Vec::new();
    for scenario in scenarios {
        let rust_binary_bytes = built_size(scenario.function)?;
        let deployed_binary_bytes = deployed_size(scenario.function);
        let mut measured = Vec::new();
        for implementation in [Implementation::Rust, Implementation::Python] {
            eprintln!(
                "measuring {} as {}, {} ms away...",
                scenario.label(),
                implementation.label(),
                endpoints.distance.round_trip_ms
            );
            let launch = implementation.launch(
                scenario,
                &env,
                endpoints.login_url(),
                options.rust_binaries.as_deref(),
            );
            measured.push(measure(&launch, scenario, plan, &instruments).await?);
        }
        let mut measured = measured.into_iter();
        let (Some(rust), Some(python)) = (measured.next(), measured.next()) else {
            unreachable!("two implementations were measured")
        };
        comparisons.push(Comparison {
            scenario: scenario.clone(),
            rust,
            python,
            rust_binary_bytes,
            deployed_binary_bytes,
            python_packages_bytes,
        });
    }
    Ok(comparisons)
}
