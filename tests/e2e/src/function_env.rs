//! The environment a function binary reads its configuration from.

use std::collections::BTreeMap;

use crate::aws::{REGION, TEST_CREDENTIAL};

/// Log filter the functions run with unless a test says otherwise.
const DEFAULT_RUST_LOG: &str = "info";

/// Where a function finds its table, its settings, Microsoft and AWS.
#[derive(Clone, Debug)]
pub struct FunctionEnv {
    /// moto server URL (`AWS_ENDPOINT_URL`).
    pub aws_endpoint_url: String,
    /// DynamoDB table (`TABLE_NAME`).
    pub table_name: String,
    /// Settings secret name (`SETTINGS_SECRET_ID`).
    pub settings_secret_id: String,
    /// Simulator URL, serving both Graph (`GRAPH_BASE_URL`) and the identity platform (`LOGIN_BASE_URL`).
    pub simulator_url: String,
    /// The EventBridge bus events are published to (`EVENT_BUS_NAME`).
    pub event_bus_name: String,
}

impl FunctionEnv {
    /// The variables, by name.
    pub fn vars(&self) -> BTreeMap<String, String> {
        [
            ("TABLE_NAME", self.table_name.as_str()),
            ("SETTINGS_SECRET_ID", &self.settings_secret_id),
            ("GRAPH_BASE_URL", &self.simulator_url),
            ("LOGIN_BASE_URL", &self.simulator_url),
            ("AWS_ENDPOINT_URL", &self.aws_endpoint_url),
            ("EVENT_BUS_NAME", &self.event_bus_name),
            ("AWS_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", TEST_CREDENTIAL),
            ("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIAL),
            ("RUST_LOG", DEFAULT_RUST_LOG),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
    }

    /// The variables as an env file: one `NAME=value` line each (the format of `cargo lambda watch --env-file`).
    pub fn to_env_file(&self) -> String {
        self.vars()
            .iter()
            .map(|(name, value)| format!("{name}={value}\n"))
            .collect()
    }
}
