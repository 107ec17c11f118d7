//! The yardstick of "added latency": a scenario's Graph request sent straight to the simulator
//! from the benchmark, with a token obtained beforehand.

use std::time::{Duration, Instant};

use e2e::demo_directory::DEMO_TENANT_ID;
use e2e::sign_in::{adapters, parsed_settings};
use e2e::stack::TestStack;
use shared::support::deadline::Deadline;
use shared::support::secret::Secret;

use crate::distribution::milliseconds;
use crate::scenario::{Mode, Scenario};

/// How long token requests may take.
const TOKEN_DEADLINE: Duration = Duration::from_secs(20);

/// A Graph client holding an access token for each permission mode.
pub struct DirectGraph {
    http: reqwest::Client,
    graph_base_url: String,
    delegated_token: Secret,
    application_token: Secret,
}

impl DirectGraph {
    /// Obtains a delegated token for Microsoft user `ms_user_id` with `scopes` (through a new
    /// sign-in) and an application token, from `stack`'s simulator.
    pub async fn new(
        stack: &TestStack,
        ms_user_id: &str,
        scopes: &[&str],
    ) -> Result<DirectGraph, String> {
        let (_, adapters) = adapters(stack);
        let settings = parsed_settings(stack);
        let issued = stack.link_user("direct-graph", ms_user_id, scopes).await;
        let delegated = adapters
            .identity_platform
            .refresh(
                &settings,
                &settings.tenant_id,
                &Secret::new(issued.refresh_token),
                &issued.scopes,
                None,
                Deadline::after(TOKEN_DEADLINE),
            )
            .await
            .map_err(|failure| format!("delegated token: {failure:?}"))?;
        let application = adapters
            .identity_platform
            .client_credentials(
                &settings,
                DEMO_TENANT_ID,
                None,
                Deadline::after(TOKEN_DEADLINE),
            )
            .await
            .map_err(|failure| format!("application token: {failure:?}"))?;
        Ok(DirectGraph {
            http: reqwest::Client::new(),
            graph_base_url: stack.simulator_url().trim_end_matches('/').to_string(),
            delegated_token: delegated.access_token,
            application_token: application.access_token,
        })
    }

    /// The same requests, sent to Graph at `graph_base_url` (e.g. through a distance proxy).
    pub fn through(&self, graph_base_url: &str) -> DirectGraph {
        DirectGraph {
            http: self.http.clone(),
            graph_base_url: graph_base_url.trim_end_matches('/').to_string(),
            delegated_token: self.delegated_token.clone(),
            application_token: self.application_token.clone(),
        }
    }

    /// Sends `scenario`'s Graph request and returns how long it took to the end of the body, in
    /// milliseconds; an answer other than the expected status is an error.
    pub async fn send(&self, scenario: &Scenario) -> Result<f64, String> {
        let token = match scenario.mode {
            Mode::Delegated => &self.delegated_token,
            Mode::Application => &self.application_token,
        };
        let graph = &scenario.graph;
        let mut request = self
            .http
            .request(
                graph.method.clone(),
                format!("{}{}", self.graph_base_url, graph.path),
            )
            .bearer_auth(token.expose());
        if let Some(body) = graph.next_body() {
            request = request.json(&body);
        }
        let started = Instant::now();
        let response = request
            .send()
            .await
            .map_err(|error| format!("{} {}: {error}", graph.method, graph.path))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| format!("{} {}: {error}", graph.method, graph.path))?;
        let elapsed = started.elapsed();
        if status != graph.status {
            return Err(format!(
                "{} {} answered {status}: {}",
                graph.method,
                graph.path,
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(milliseconds(elapsed))
    }
}
