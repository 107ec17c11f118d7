//! Counts what a function sends: Microsoft Graph and the token endpoint from the simulator's
//! request log, OpenID discovery from the discovery stand-in, Secrets Manager and DynamoDB from a
//! counting proxy in front of moto (by `X-Amz-Target`).

use std::collections::BTreeMap;

use e2e::counting_proxy::CountingProxy;
use e2e::simulator_control::SimulatorControl;

use crate::oidc_discovery::OidcDiscovery;
use crate::outbound_counts::OutboundCounts;

/// The counters of one stack; functions must use [`OutboundMeter::aws_url`] as their AWS endpoint.
pub struct OutboundMeter {
    simulator: SimulatorControl,
    aws: CountingProxy,
    discovery: OidcDiscovery,
}

impl OutboundMeter {
    /// Counts requests to `simulator`, to moto at `moto_url` through a new proxy, and to a new
    /// discovery stand-in.
    pub async fn start(simulator: SimulatorControl, moto_url: &str) -> std::io::Result<Self> {
        Ok(OutboundMeter {
            simulator,
            aws: CountingProxy::start(moto_url).await,
            discovery: OidcDiscovery::start().await?,
        })
    }

    /// The AWS endpoint (`AWS_ENDPOINT_URL`) that counts.
    pub fn aws_url(&self) -> &str {
        self.aws.url()
    }

    /// The discovery stand-in's URL.
    pub fn discovery_url(&self) -> &str {
        self.discovery.url()
    }

    /// Forgets everything counted so far.
    pub async fn reset(&self) -> Result<(), String> {
        self.aws.reset();
        self.discovery.reset();
        self.simulator.clear_requests().await
    }

    /// AWS calls since the last [`OutboundMeter::reset`], by operation (`X-Amz-Target`).
    pub fn aws_operations(&self) -> BTreeMap<String, usize> {
        self.aws.counts()
    }

    /// Requests since the last [`OutboundMeter::reset`], by kind.
    pub async fn read(&self) -> Result<OutboundCounts, String> {
        let mut counts = OutboundCounts {
            discovery: self.discovery.requests(),
            ..OutboundCounts::default()
        };
        for request in self.simulator.requests().await? {
            if request.path.starts_with("/v1.0/") {
                counts.graph += 1;
            } else if request.path.ends_with("/oauth2/v2.0/token") {
                counts.token += 1;
            } else {
                counts.other += 1;
            }
        }
        for (operation, calls) in self.aws_operations() {
            if operation.starts_with("DynamoDB_") {
                counts.dynamodb += calls;
            } else if operation.starts_with("secretsmanager.") {
                counts.secrets_manager += calls;
            } else {
                counts.other += calls;
            }
        }
        Ok(counts)
    }
}
