//! `cargo xtask <command> [arguments]`: the developer tools of [`xtask::commands`]. Without a
//! command, prints the list.

use std::process::ExitCode;

use xtask::commands::{
    Failure, catalog_docs, extract_graph_schemas, generate_template, load, stack_init,
    vendor_openapi,
};

/// Every command's usage line.
const USAGES: [&str; 6] = [
    generate_template::USAGE,
    catalog_docs::USAGE,
    extract_graph_schemas::USAGE,
    stack_init::USAGE,
    load::USAGE,
    vendor_openapi::USAGE,
];

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let args: Vec<String> = args.collect();
    let outcome = match command.as_str() {
        "generate-template" => generate_template::run(&args),
        "catalog-docs" => catalog_docs::run(&args),
        "extract-graph-schemas" => extract_graph_schemas::run(&args),
        "stack-init" => stack_init::run(&args).await,
        "load" => load::run(&args).await,
        "vendor-openapi" => vendor_openapi::run(&args),
        "" => Err(Failure::Usage("no command".to_string())),
        unknown => Err(Failure::Usage(format!("unknown command {unknown:?}"))),
    };
    let program = format!("xtask {command}");
    let program = program.trim_end();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("{program}: {message}\nusage:");
            for usage in USAGES {
                eprintln!("  cargo xtask {usage}");
            }
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("{program}: {message}");
            ExitCode::FAILURE
        }
    }
}
