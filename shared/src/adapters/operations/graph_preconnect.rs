//! Opens the connection to Graph ahead of a container's first request: a `HEAD` of Graph's origin
//! (`/`), without credentials, on the HTTP client (and so the connection pool) every Graph request
//! goes through. Whatever Graph answers only the connection is wanted; the answer has no body, so
//! the connection goes back to the pool at once, for the Graph request to reuse.

use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use crate::operations::first_call::Preconnect;

/// How long the first call waits for the connection before going on without it.
const PRECONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Opens connections to one Graph origin.
pub struct GraphPreconnect {
    client: reqwest::Client,
    origin: Url,
}

impl GraphPreconnect {
    /// Connects to `graph_base_url`'s origin through `client`, the one Graph requests use.
    pub fn new(client: reqwest::Client, graph_base_url: &Url) -> Self {
        let mut origin = graph_base_url.clone();
        origin.set_path("/");
        origin.set_query(None);
        Self { client, origin }
    }
}

#[async_trait]
impl Preconnect for GraphPreconnect {
    async fn preconnect(&self) {
        let answer = self
            .client
            .head(self.origin.clone())
            .timeout(PRECONNECT_TIMEOUT)
            .send()
            .await;
        if let Err(error) = answer {
            tracing::debug!(error = %error, "opening the connection to Graph ahead failed; the request opens its own");
        }
    }
}
