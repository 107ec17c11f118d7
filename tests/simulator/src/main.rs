//! `ms-simulator [--port N]`: serves the Microsoft simulator on 127.0.0.1 until SIGTERM or
//! SIGINT, after printing `ms-simulator listening on http://127.0.0.1:PORT`.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use ms_simulator::Simulator;
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str = "usage: ms-simulator [--port N]";

fn port_from_args() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or(USAGE)?;
                port = value
                    .parse()
                    .map_err(|_| format!("not a port: {value}\n{USAGE}"))?;
            }
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument: {other}\n{USAGE}")),
        }
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let port = match port_from_args() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let simulator = match Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("ms-simulator: cannot listen on port {port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("ms-simulator listening on {}", simulator.base_url());
    // A closed stdout (the reader went away) must not stop the simulator.
    let _ = std::io::stdout().flush();
    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        eprintln!("ms-simulator: cannot install signal handlers");
        return ExitCode::FAILURE;
    };
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    drop(simulator);
    ExitCode::SUCCESS
}
