//! `stack-init`: prepares the local stack (`infra/stack.sh up` runs it). Creates the table and the
//! settings secret on moto server, the event bus with a rule to a queue (as an application consumes
//! the bundle's events), seeds the Microsoft simulator with the demo directory, prints the
//! functions' env file, and writes what the demo needs to know to the demo env file: the
//! application's callback URL (`CALLBACK_URL=...`), the events queue (`EVENTS_QUEUE_URL=...`) and
//! the demo users' ids and userPrincipalNames (`ADELE_ID=...`, `ADELE_UPN=...`).

use std::collections::HashMap;

use e2e::aws::{dynamodb_client, secrets_client};
use e2e::demo_directory::{DEMO_USERS, seed_demo_directory};
use e2e::event_bus::EventQueue;
use e2e::function_env::FunctionEnv;
use e2e::secret::put_settings_secret;
use e2e::settings::{CALLBACK_URL, demo_settings};
use e2e::simulator_control::SimulatorControl;
use e2e::table::create_table;

use super::Failure;

/// The command line.
pub const USAGE: &str = "stack-init --endpoint <moto url> --table <name> --secret <name> \
                         --simulator <url> --redirect-uri <url> --demo-env <file>";
/// The options, all required.
const OPTIONS: [&str; 6] = [
    "--endpoint",
    "--table",
    "--secret",
    "--simulator",
    "--redirect-uri",
    "--demo-env",
];

/// The command line, by option name.
fn parse_options(args: &[String]) -> Result<HashMap<String, String>, String> {
    let mut options = HashMap::new();
    let mut args = args.iter().cloned();
    while let Some(name) = args.next() {
        if !OPTIONS.contains(&name.as_str()) {
            return Err(format!("unknown argument {name:?}"));
        }
        let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
        options.insert(name, value);
    }
    match OPTIONS.iter().find(|name| !options.contains_key(**name)) {
        Some(missing) => Err(format!("{missing} is missing")),
        None => Ok(options),
    }
}

async fn init(options: &HashMap<String, String>) -> Result<String, String> {
    let events = EventQueue::create(&options["--endpoint"])
        .await
        .map_err(|error| format!("creating the event bus: {error}"))?;
    let function_env = FunctionEnv {
        aws_endpoint_url: options["--endpoint"].clone(),
        table_name: options["--table"].clone(),
        settings_secret_id: options["--secret"].clone(),
        simulator_url: options["--simulator"].clone(),
        event_bus_name: events.bus_name().to_string(),
    };
    let redirect_uri = &options["--redirect-uri"];
    create_table(
        &dynamodb_client(&function_env.aws_endpoint_url),
        &function_env.table_name,
    )
    .await?;
    let secrets = secrets_client(&function_env.aws_endpoint_url);
    put_settings_secret(
        &secrets,
        &function_env.settings_secret_id,
        &demo_settings(redirect_uri),
    )
    .await?;
    seed_demo_directory(
        &SimulatorControl::new(&function_env.simulator_url),
        redirect_uri,
    )
    .await?;
    let demo_env = &options["--demo-env"];
    std::fs::write(demo_env, demo_env_file(events.queue_url()))
        .map_err(|error| format!("writing {demo_env}: {error}"))?;
    Ok(function_env.to_env_file())
}

/// `CALLBACK_URL=<url>`, `EVENTS_QUEUE_URL=<url>`, then `<GIVENNAME>_ID=<object id>` and
/// `<GIVENNAME>_UPN=<userPrincipalName>` for every demo user.
fn demo_env_file(events_queue_url: &str) -> String {
    let users = DEMO_USERS.iter().map(|user| {
        let name = user.given_name.to_uppercase();
        format!(
            "{name}_ID={}\n{name}_UPN={}\n",
            user.id, user.user_principal_name
        )
    });
    std::iter::once(format!(
        "CALLBACK_URL={CALLBACK_URL}\nEVENTS_QUEUE_URL={events_queue_url}\n"
    ))
    .chain(users)
    .collect()
}

/// Prepares the stack and prints the functions' env file.
pub async fn run(args: &[String]) -> Result<(), Failure> {
    let options = parse_options(args).map_err(Failure::Usage)?;
    let env_file = init(&options).await.map_err(Failure::Failed)?;
    print!("{env_file}");
    Ok(())
}
