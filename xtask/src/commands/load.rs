//! `load`: a bounded load run on loopback: 50 `users-get` containers (each its own process under
//! its own Lambda Runtime API) serve 10,000 invocations, half delegated and half with application
//! permissions, against moto and the simulator. Prints the latency distribution and the error
//! count, and fails on any error.
//!
//! Run with `infra/load.sh` (release build), or `cargo xtask load [invocations] [containers]`.

use std::time::{Duration, Instant};

use e2e::demo_directory::{ADELE, ALEX};
use e2e::function_process::spawn_function;
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use serde_json::json;

use super::Failure;

/// The command line.
pub const USAGE: &str =
    "load [invocations (default 10000, at most 100000)] [containers (default 50, 1 to 200)]";

/// Longest the whole run may take before it is called off.
const RUN_LIMIT: Duration = Duration::from_secs(600);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The `index`th argument as a number, or `default` when there are fewer arguments.
fn number_argument(args: &[String], index: usize, default: usize) -> Result<usize, Failure> {
    args.get(index).map_or(Ok(default), |arg| {
        arg.parse()
            .map_err(|_| Failure::Usage(format!("{arg:?} is not a number")))
    })
}

/// Runs the load and prints the distribution.
pub async fn run(args: &[String]) -> Result<(), Failure> {
    if let Some(extra) = args.get(2) {
        return Err(Failure::Usage(format!("unexpected argument {extra:?}")));
    }
    let invocations = number_argument(args, 0, 10_000)?.min(100_000);
    let containers = number_argument(args, 1, 50)?.clamp(1, 200);

    let stack = TestStack::start().await;
    sign_in(
        &stack,
        "load-user",
        ADELE.id,
        &["User.Read", "User.Read.All"],
    )
    .await;
    let mut env = stack.env();
    env.insert("RUST_LOG".into(), "warn".into());
    let mut functions = Vec::new();
    for _ in 0..containers {
        functions.push(spawn_function("users-get", &env).await);
    }
    let per_container = invocations.div_ceil(containers);
    let started = Instant::now();
    let results = futures::future::join_all(functions.iter().enumerate().map(
        |(index, function)| async move {
            let mut latencies = Vec::with_capacity(per_container);
            let mut errors = Vec::new();
            for i in 0..per_container {
                if index * per_container + i >= invocations || started.elapsed() > RUN_LIMIT {
                    break;
                }
                let event = if i % 2 == 0 {
                    json!({"userId": "me", "authUserId": "load-user"})
                } else {
                    json!({"userId": ALEX.user_principal_name})
                };
                let sent = Instant::now();
                match function.invoke(event).await {
                    Ok(answer) if answer["status"] == 200 => latencies.push(sent.elapsed()),
                    Ok(answer) => errors.push(answer.to_string()),
                    Err(error) => errors.push(error.to_string()),
                }
            }
            (latencies, errors)
        },
    ))
    .await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results
        .iter()
        .flat_map(|(l, _)| l.iter().copied())
        .collect();
    let errors: Vec<&String> = results.iter().flat_map(|(_, e)| e.iter()).collect();
    latencies.sort();
    let done = latencies.len() + errors.len();
    println!(
        "load run: {done} invocations over {containers} containers in {:.1} s ({:.0}/s)",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    println!("errors: {}", errors.len());
    if !latencies.is_empty() {
        for (name, p) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9)] {
            println!(
                "{name}: {:.2} ms",
                percentile(&latencies, p).as_secs_f64() * 1000.0
            );
        }
        println!(
            "max: {:.2} ms",
            latencies.last().unwrap().as_secs_f64() * 1000.0
        );
    }
    for error in errors.iter().take(5) {
        println!("  {error}");
    }
    if !errors.is_empty() || done < invocations {
        return Err(Failure::Failed(format!(
            "{} errors, {done} of {invocations} invocations done",
            errors.len()
        )));
    }
    Ok(())
}
