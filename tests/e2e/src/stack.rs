//! One test's world: the shared moto server plus its own Microsoft simulator, table and
//! settings secret, seeded with the demo directory.

use std::collections::BTreeMap;

use ms_simulator::Simulator;
use serde_json::Value;

use crate::aws::{dynamodb_client, secrets_client};
use crate::demo_directory::{DEMO_CLIENT_ID, seed_demo_directory};
use crate::event_bus::EventQueue;
use crate::function_env::FunctionEnv;
use crate::moto::shared_moto;
use crate::secret::put_settings_secret;
use crate::settings::demo_settings;
use crate::simulator_control::SimulatorControl;
use crate::table::create_table;
use crate::unique_name::unique_name;

/// The most talkative log filter there is, asking the libraries that quote requests and responses
/// for `trace` explicitly: the functions must still log no secret (the harness scans every
/// function's logs when its test ends).
pub const TEST_RUST_LOG: &str =
    "trace,lambda_runtime=trace,aws_smithy_runtime=trace,hyper=trace,h2=trace,reqwest=trace";

/// The redirect URI registered for the demo app in test stacks. Nothing listens there: tests
/// hand the sign-in callback to `auth-callback` as an event.
pub const TEST_REDIRECT_URI: &str = "http://127.0.0.1:9/auth/callback";

/// A refresh token issued for an application user, ready to be stored as that user's link.
#[derive(Clone, Debug)]
pub struct UserLink {
    /// The application user id (the functions' `authUserId`).
    pub app_user_id: String,
    /// The Microsoft object id of the signed-in user.
    pub ms_user_id: String,
    /// The delegated scopes granted.
    pub scopes: Vec<String>,
    /// The refresh token the simulator issued.
    pub refresh_token: String,
}

/// A test's stack; the simulator stops when it is dropped (table and secret die with moto).
pub struct TestStack {
    simulator: Simulator,
    control: SimulatorControl,
    function_env: FunctionEnv,
    settings: Value,
    dynamodb: aws_sdk_dynamodb::Client,
    secrets: aws_sdk_secretsmanager::Client,
    events: EventQueue,
}

impl TestStack {
    /// Starts a simulator seeded with the demo directory, and creates a fresh table and
    /// settings secret on the shared moto server.
    ///
    /// # Panics
    /// When any part cannot be set up; the message says which.
    pub async fn start() -> TestStack {
        let moto = tokio::task::spawn_blocking(shared_moto)
            .await
            .expect("starting moto server");
        let simulator = Simulator::start().await;
        let control = SimulatorControl::new(simulator.base_url());
        seed_demo_directory(&control, TEST_REDIRECT_URI)
            .await
            .expect("seeding the simulator");
        let events = EventQueue::create(moto.endpoint_url())
            .await
            .expect("creating the event bus and its queue");
        let function_env = FunctionEnv {
            aws_endpoint_url: moto.endpoint_url().to_string(),
            table_name: unique_name("graph-functions"),
            settings_secret_id: unique_name("graph-functions-settings"),
            simulator_url: simulator.base_url().to_string(),
            event_bus_name: events.bus_name().to_string(),
        };
        let dynamodb = dynamodb_client(moto.endpoint_url());
        let secrets = secrets_client(moto.endpoint_url());
        create_table(&dynamodb, &function_env.table_name)
            .await
            .expect("creating the table");
        let settings = demo_settings(TEST_REDIRECT_URI);
        put_settings_secret(&secrets, &function_env.settings_secret_id, &settings)
            .await
            .expect("creating the settings secret");
        TestStack {
            simulator,
            control,
            function_env,
            settings,
            dynamodb,
            secrets,
            events,
        }
    }

    /// The environment a function binary needs to run against this stack, logging everything it
    /// can ([`TEST_RUST_LOG`]): every function a test runs is scanned for secrets in its logs.
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut vars = self.function_env.vars();
        vars.insert("RUST_LOG".into(), TEST_RUST_LOG.into());
        vars
    }

    /// Table, secret and endpoint names of this stack.
    pub fn function_env(&self) -> &FunctionEnv {
        &self.function_env
    }

    /// The settings currently stored in the secret.
    pub fn settings(&self) -> &Value {
        &self.settings
    }

    /// Replaces the settings stored in the secret (a new secret version, as a rotation would).
    ///
    /// # Panics
    /// When Secrets Manager refuses.
    pub async fn put_settings(&mut self, settings: Value) {
        put_settings_secret(
            &self.secrets,
            &self.function_env.settings_secret_id,
            &settings,
        )
        .await
        .expect("updating the settings secret");
        self.settings = settings;
    }

    /// The simulator's control API.
    pub fn simulator(&self) -> &SimulatorControl {
        &self.control
    }

    /// `http://127.0.0.1:PORT` of this stack's simulator.
    pub fn simulator_url(&self) -> &str {
        self.simulator.base_url()
    }

    /// The application's view of the event bus: every event the functions publish lands in its queue.
    pub fn events(&self) -> &EventQueue {
        &self.events
    }

    /// A DynamoDB client for the stack's moto server.
    pub fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        &self.dynamodb
    }

    /// A Secrets Manager client for the stack's moto server.
    pub fn secrets(&self) -> &aws_sdk_secretsmanager::Client {
        &self.secrets
    }

    /// Signs `ms_user_id` in to the demo app as application user `app_user_id` with delegated
    /// `scopes`, as far as Microsoft is concerned: the simulator records the consent and issues
    /// a refresh token. The caller stores the returned link through the token store.
    ///
    /// # Panics
    /// When the simulator refuses.
    pub async fn link_user(
        &self,
        app_user_id: &str,
        ms_user_id: &str,
        scopes: &[&str],
    ) -> UserLink {
        let refresh_token = self
            .control
            .issue_refresh_token(DEMO_CLIENT_ID, ms_user_id, scopes)
            .await
            .expect("issuing a refresh token");
        UserLink {
            app_user_id: app_user_id.to_string(),
            ms_user_id: ms_user_id.to_string(),
            scopes: scopes.iter().map(|scope| scope.to_string()).collect(),
            refresh_token,
        }
    }
}
