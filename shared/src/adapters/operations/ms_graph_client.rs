//! Microsoft Graph v1.0 over HTTP: bearer token, `client-request-id`, bounded retries, and
//! `@odata.nextLink` paging that only ever follows links to Graph's own host.

use async_trait::async_trait;
use reqwest::{Method as HttpMethod, Response, Url};
use serde_json::Value;

use crate::adapters::retry_policy::{is_retryable, parse_retry_after};
use crate::adapters::retrying_sender::{RetryRules, RetryingSender, SendFailure};
use crate::error::{ApiError, ErrorCode};
use crate::operations::graph_api::{GraphApi, GraphBody, GraphCall, GraphResponse};
use crate::operations::operation::Method;
use crate::operations::response_limits::{
    ANSWER_BUDGET, MAX_GRAPH_BODY_BYTES, MAX_MEDIA_BYTES, encoded_size,
};
use crate::settings::cloud::Cloud;
use crate::support::deadline::Deadline;
use crate::support::upstream_record::record_graph_request_id;
use crate::tokens::claims_challenge::claims_challenge;

/// Most pages `all=true` follows; past it the last `@odata.nextLink` is returned to continue from.
/// Paging also stops before the merged answer would pass [`ANSWER_BUDGET`].
pub const MAX_PAGES: usize = 50;

const RETRY_READS: RetryRules = RetryRules {
    retry_status: |s| is_retryable(s, false),
    retry_connection_errors: true,
};
const RETRY_WRITES: RetryRules = RetryRules {
    retry_status: |s| is_retryable(s, true),
    retry_connection_errors: false,
};

/// [`GraphApi`] over HTTP.
pub struct MsGraphClient {
    sender: RetryingSender,
    base: Url,
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Patch => HttpMethod::PATCH,
        Method::Delete => HttpMethod::DELETE,
    }
}

fn unavailable(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::UpstreamUnavailable,
        format!("Microsoft Graph is unavailable: {why}"),
    )
}

impl MsGraphClient {
    /// `base` is `GRAPH_BASE_URL`: the global default (`https://graph.microsoft.com`) stands for
    /// the Graph of each call's cloud, anything else (the local simulator) overrides it.
    pub fn new(sender: RetryingSender, base: Url) -> Self {
        Self { sender, base }
    }

    /// Graph's origin for `cloud`.
    fn base_for(&self, cloud: Cloud) -> Result<Url, ApiError> {
        if cloud == Cloud::Global {
            return Ok(self.base.clone());
        }
        Url::parse(&cloud.graph_origin_or(self.base.as_str()))
            .map_err(|_| ApiError::invalid("the Graph origin is not valid"))
    }

    fn first_url(&self, call: &GraphCall) -> Result<Url, ApiError> {
        let mut url = self
            .base_for(call.cloud)?
            .join(&format!("/v1.0{}", call.path))
            .map_err(|_| ApiError::invalid("the Graph path is not valid"))?;
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        Ok(url)
    }

    /// Whether `link` points at the origin and API version of `cloud`'s Graph (a `nextLink`
    /// anywhere else is refused).
    pub fn is_graph_link(&self, link: &Url, cloud: Cloud) -> bool {
        let Ok(base) = self.base_for(cloud) else {
            return false;
        };
        link.scheme() == base.scheme()
            && link.host_str() == base.host_str()
            && link.port_or_known_default() == base.port_or_known_default()
            && link.path().starts_with("/v1.0/")
            && link.username().is_empty()
            && link.password().is_none()
    }

    async fn send_once(
        &self,
        call: &GraphCall,
        method: HttpMethod,
        url: &Url,
        deadline: Deadline,
    ) -> Result<Response, ApiError> {
        let build = || {
            let mut request = self
                .sender
                .client()
                .request(method.clone(), url.clone())
                .bearer_auth(call.access_token.expose())
                .header("client-request-id", &call.client_request_id)
                .header("Accept", call.accept);
            for (name, value) in &call.headers {
                request = request.header(*name, value);
            }
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            request
        };
        let rules = if call.retry_safe || method != HttpMethod::POST {
            RETRY_READS
        } else {
            RETRY_WRITES
        };
        self.sender
            .send(call.method.as_str(), &build, rules, deadline)
            .await
            .map_err(|SendFailure::NoResponse(why)| unavailable(why))
    }

    async fn read(response: Response) -> Result<GraphResponse, ApiError> {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let request_id = header("request-id");
        let retry_after = header("retry-after").and_then(|value| parse_retry_after(&value));
        // A Continuous Access Evaluation challenge: a new token must be asked for with its claims.
        let claims_challenge = (status == 401)
            .then(|| {
                claims_challenge(
                    response
                        .headers()
                        .get_all(reqwest::header::WWW_AUTHENTICATE)
                        .iter()
                        .filter_map(|value| value.to_str().ok()),
                )
            })
            .flatten();
        if let Some(id) = &request_id {
            record_graph_request_id(id);
        }
        let content_type = header("content-type").unwrap_or_default();
        let is_json = content_type.is_empty() || content_type.contains("json");
        let cap = if is_json {
            MAX_GRAPH_BODY_BYTES
        } else {
            MAX_MEDIA_BYTES
        };
        let bytes = read_capped(response, cap).await?;
        if status < 400 && !bytes.is_empty() && !is_json {
            return Ok(GraphResponse {
                status,
                body: GraphBody::Media {
                    content_type,
                    bytes: bytes.to_vec(),
                },
            });
        }
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|_| unavailable(format!("unreadable answer (HTTP {status})")))?
        };
        if status < 400 {
            // Counted only when it could matter: escaping for API Gateway at most doubles the text,
            // and re-serialising can lengthen a number (`1e15` → `1000000000000000.0`) under five
            // times, so a body under a tenth of the budget always fits.
            if bytes.len() > ANSWER_BUDGET / 10 && encoded_size(&body) > ANSWER_BUDGET {
                return Err(too_large(ANSWER_BUDGET));
            }
            return Ok(GraphResponse::json(status, body));
        }
        tracing::info!(target: "outbound", status, graph_request_id = request_id.as_deref(), "Graph returned an error");
        if matches!(status, 429 | 503 | 504) {
            let code = body
                .pointer("/error/code")
                .and_then(Value::as_str)
                .unwrap_or("no code");
            let wait = retry_after.map(|wait| wait.as_secs().max(1));
            let why = match wait {
                Some(seconds) => format!(
                    "HTTP {status} ({code}); Microsoft asked to wait {seconds} s, more than the invocation has left"
                ),
                None => format!("HTTP {status} ({code}) after retries"),
            };
            return Err(ApiError::unavailable(
                format!("Microsoft Graph is unavailable: {why}"),
                wait,
            ));
        }
        Err(ApiError::Graph {
            status,
            body,
            claims_challenge,
        })
    }

    /// The URL of the first request: the caller's continuation link (checked), or Graph's path and query.
    fn start_url(&self, call: &GraphCall) -> Result<Url, ApiError> {
        let Some(link) = &call.continuation else {
            return self.first_url(call);
        };
        let expected_path = format!("/v1.0{}", call.path);
        match Url::parse(link) {
            Ok(url)
                if self.is_graph_link(&url, call.cloud)
                    && same_resource(url.path(), &expected_path)
                    && url.fragment().is_none() =>
            {
                Ok(url)
            }
            _ => Err(ApiError::invalid(format!(
                "the link must be one Graph returned for {expected_path} (Graph's own host, same path)"
            ))),
        }
    }
}

/// One path segment as Graph reads it: percent-decoded, a function or action without its
/// `microsoft.graph.` namespace and empty parentheses (`microsoft.graph.delta()` is `delta`).
fn canonical_segment(segment: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    let bare = decoded.strip_prefix("microsoft.graph.").unwrap_or(&decoded);
    Some(bare.strip_suffix("()").unwrap_or(bare).to_string())
}

/// Whether a link's `path` addresses the same resource as `expected` in any of the equivalent
/// forms Graph writes (`delta`, `delta()`, `microsoft.graph.delta()`, percent-encoded segments).
/// A decoded segment holding a `/` never matches: it cannot turn one segment into two.
fn same_resource(path: &str, expected: &str) -> bool {
    let segments =
        |p: &str| -> Option<Vec<String>> { p.split('/').map(canonical_segment).collect() };
    match (segments(path), segments(expected)) {
        (Some(ours), Some(theirs)) => {
            ours == theirs && ours.iter().all(|segment| !segment.contains('/'))
        }
        _ => false,
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::ResponseTooLarge,
        format!(
            "Graph's answer is larger than {limit} bytes, more than a Lambda response can carry; \
             ask for fewer items ($top) or fewer properties ($select)"
        ),
    )
}

/// The body of `response`, refused as soon as it passes `cap` bytes (announced or received).
async fn read_capped(mut response: Response, cap: usize) -> Result<Vec<u8>, ApiError> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(too_large(cap));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
        if bytes.len() + chunk.len() > cap {
            return Err(too_large(cap));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The cost of a page's items in the answer: their encoded sizes and the commas between them.
fn items_size(items: &[Value]) -> usize {
    items.iter().map(|item| encoded_size(item) + 1).sum()
}

#[async_trait]
impl GraphApi for MsGraphClient {
    async fn send(&self, call: &GraphCall, deadline: Deadline) -> Result<GraphResponse, ApiError> {
        let url = self.start_url(call)?;
        let first = Self::read(
            self.send_once(call, http_method(call.method), &url, deadline)
                .await?,
        )
        .await?;
        let GraphBody::Json(Value::Object(mut merged)) = first.body else {
            return Ok(first);
        };
        if !call.all_pages {
            return Ok(GraphResponse::json(first.status, Value::Object(merged)));
        }
        let mut size = encoded_size(&merged);
        let mut items = match merged.remove("value") {
            Some(Value::Array(items)) => items,
            other => {
                if let Some(value) = other {
                    merged.insert("value".into(), value);
                }
                return Ok(GraphResponse::json(first.status, Value::Object(merged)));
            }
        };
        let mut pages = 1;
        while let Some(next) = merged.remove("@odata.nextLink") {
            let link = next.as_str().and_then(|s| Url::parse(s).ok());
            let Some(link) = link.filter(|l| self.is_graph_link(l, call.cloud)) else {
                tracing::warn!("refused an @odata.nextLink outside Graph's host");
                return Err(unavailable(
                    "Graph returned a next-page link to another host",
                ));
            };
            if pages >= MAX_PAGES {
                merged.insert("@odata.nextLink".into(), Value::String(link.to_string()));
                break;
            }
            let page = Self::read(
                self.send_once(call, HttpMethod::GET, &link, deadline)
                    .await?,
            )
            .await?;
            let GraphBody::Json(Value::Object(mut page)) = page.body else {
                break;
            };
            if let Some(Value::Array(more)) = page.remove("value") {
                let added = items_size(&more);
                if size + added > ANSWER_BUDGET {
                    // This page would not fit: the caller continues from it.
                    merged.insert("@odata.nextLink".into(), Value::String(link.to_string()));
                    break;
                }
                size += added;
                items.extend(more);
            }
            for key in ["@odata.nextLink", "@odata.deltaLink"] {
                if let Some(link) = page.remove(key) {
                    merged.insert(key.into(), link);
                }
            }
            pages += 1;
        }
        merged.insert("value".into(), Value::Array(items));
        Ok(GraphResponse::json(first.status, Value::Object(merged)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_graphs_own_origin_and_version_are_followed() {
        let client = MsGraphClient::new(
            RetryingSender::new(reqwest::Client::new()),
            Url::parse("https://graph.microsoft.com").unwrap(),
        );
        let link = |text: &str| Url::parse(text).unwrap();
        assert!(client.is_graph_link(
            &link("https://graph.microsoft.com/v1.0/users?$skiptoken=x"),
            Cloud::Global
        ));
        for foreign in [
            "https://graph.microsoft.com.evil.example/v1.0/users",
            "http://graph.microsoft.com/v1.0/users",
            "https://graph.microsoft.com:8443/v1.0/users",
            "https://graph.microsoft.com/beta/users",
            "https://user:pw@graph.microsoft.com/v1.0/users",
            "https://evil.example/v1.0/users",
        ] {
            assert!(
                !client.is_graph_link(&link(foreign), Cloud::Global),
                "{foreign}"
            );
        }
        // A national cloud's links are followed only on its own Graph host.
        let us = link("https://graph.microsoft.us/v1.0/users?$skiptoken=x");
        assert!(client.is_graph_link(&us, Cloud::UsGovL4));
        assert!(!client.is_graph_link(&us, Cloud::Global));
        assert!(!client.is_graph_link(&us, Cloud::UsGovL5));
        assert!(!client.is_graph_link(
            &link("https://graph.microsoft.com/v1.0/users"),
            Cloud::China
        ));
    }

    #[test]
    fn continuation_links_in_graphs_equivalent_forms_are_the_same_resource() {
        for form in [
            "/v1.0/users/delta",
            "/v1.0/users/delta()",
            "/v1.0/users/microsoft.graph.delta()",
            "/v1.0/users/microsoft.graph.delta",
            "/v1.0/users/%64elta",
        ] {
            assert!(same_resource(form, "/v1.0/users/delta"), "{form}");
        }
        for other in [
            "/v1.0/users",
            "/v1.0/groups/delta",
            "/v1.0/users/delta/extra",
            "/v1.0/users%2Fdelta",
            "/v1.0/users/delta%2F..",
        ] {
            assert!(!same_resource(other, "/v1.0/users/delta"), "{other}");
        }
    }
}
