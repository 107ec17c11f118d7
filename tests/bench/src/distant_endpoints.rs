//! Every endpoint a function talks to, each behind its own distance proxy (one host each, as in
//! AWS: DynamoDB, Secrets Manager, the identity platform and Graph are four hosts, so a connection
//! to one is never reused for another), recording on one timeline.

use std::collections::BTreeMap;

use crate::distance_proxy::{Distance, DistanceProxy, Upstreams};
use crate::timeline::{GRAPH, Timeline};

/// The proxies of one distance.
pub struct DistantEndpoints {
    /// How far away they are.
    pub distance: Distance,
    /// What they saw.
    pub timeline: Timeline,
    graph: DistanceProxy,
    login: DistanceProxy,
    dynamodb: DistanceProxy,
    secrets_manager: DistanceProxy,
}

impl DistantEndpoints {
    /// Puts the simulator (`simulator_url`, Graph and the identity platform), the OpenID discovery
    /// stand-in (`discovery_url`, on the identity platform's host as at Microsoft) and the AWS
    /// endpoint (`aws_url`) at `distance`.
    pub async fn start(
        distance: Distance,
        simulator_url: &str,
        discovery_url: &str,
        aws_url: &str,
    ) -> Result<DistantEndpoints, String> {
        let timeline = Timeline::default();
        let proxy = |endpoint: &'static str, upstreams: Upstreams| {
            DistanceProxy::start(endpoint, distance, upstreams, timeline.clone())
        };
        let only = |url: &str| Upstreams {
            rules: Vec::new(),
            default: url.to_string(),
        };
        let started = async {
            Ok::<_, std::io::Error>(DistantEndpoints {
                distance,
                timeline: timeline.clone(),
                graph: proxy(GRAPH, only(simulator_url)).await?,
                login: proxy(
                    "Identity platform",
                    Upstreams {
                        rules: vec![("/.well-known/", discovery_url.to_string())],
                        default: simulator_url.to_string(),
                    },
                )
                .await?,
                dynamodb: proxy("DynamoDB", only(aws_url)).await?,
                secrets_manager: proxy("Secrets Manager", only(aws_url)).await?,
            })
        };
        started
            .await
            .map_err(|error| format!("starting the distance proxies: {error}"))
    }

    /// Graph, at this distance.
    pub fn graph_url(&self) -> &str {
        self.graph.url()
    }

    /// The identity platform's host (token endpoint and OpenID discovery), at this distance.
    pub fn login_url(&self) -> &str {
        self.login.url()
    }

    /// `function_env` with every endpoint at this distance: Graph, the identity platform, and
    /// DynamoDB and Secrets Manager through their service-specific endpoint variables
    /// (`AWS_ENDPOINT_URL_<SERVICE>`, read by the AWS SDK for Rust and by boto3 alike, and taking
    /// precedence over `AWS_ENDPOINT_URL`:
    /// <https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>, service
    /// identifiers in <https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html>).
    pub fn function_env(
        &self,
        function_env: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut env = function_env.clone();
        for (name, url) in [
            ("GRAPH_BASE_URL", self.graph.url()),
            ("LOGIN_BASE_URL", self.login.url()),
            ("AWS_ENDPOINT_URL_DYNAMODB", self.dynamodb.url()),
            (
                "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                self.secrets_manager.url(),
            ),
        ] {
            env.insert(name.to_string(), url.to_string());
        }
        env
    }
}
