//! Executes one validated operation request: settings, token, identity, then one Graph request.
//!
//! When Graph refuses the token, the request is sent once more with a new one: after a 401 with a
//! Continuous Access Evaluation claims challenge or `InvalidAuthenticationToken` (the token was
//! revoked early; the new one is asked for with the challenge's claims), and for application
//! tokens after a 403 `Authorization_RequestDenied` when the token predates permissions granted
//! since (see [`crate::tokens::app_tokens`]). Every other Graph error, and the answer to the second
//! attempt, is returned as Graph gave it. A 401 or 403 means Graph did not act on the request, so
//! repeating a write is safe.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::error::ApiError;
use crate::operations::advanced_query::{AdvancedQuery, advanced_query};
use crate::operations::first_call::Preconnect;
use crate::operations::graph_api::{GraphApi, GraphCall, GraphResponse, accept_for};
use crate::operations::graph_path::fill;
use crate::operations::identity_resolver::IdentityResolver;
use crate::operations::operation::{Method, Operation};
use crate::operations::read_ahead::ReadAheadStore;
use crate::operations::request::{CALENDAR_PARAMETER, Caller, OperationRequest, Target};
use crate::settings::provider::SettingsProvider;
use crate::support::deadline::Deadline;
use crate::tokens::app_tokens::AppTokens;
use crate::tokens::delegated_tokens::DelegatedTokens;
use crate::tokens::scopes::precheck;

/// Everything an operation needs, built once per container.
pub struct Executor {
    /// Settings from Secrets Manager.
    pub settings: SettingsProvider,
    /// Application tokens.
    pub app_tokens: AppTokens,
    /// Delegated tokens.
    pub delegated_tokens: DelegatedTokens,
    /// `userId` resolution.
    pub resolver: IdentityResolver,
    /// Graph.
    pub graph: Arc<dyn GraphApi>,
    /// The token store the token and identity steps read through, reading ahead on a
    /// container's first call ([`crate::operations::first_call`]).
    pub read_ahead: Arc<ReadAheadStore>,
    /// Opens the connection to Graph on a container's first call.
    pub preconnect: Arc<dyn Preconnect>,
}

impl Executor {
    /// Runs the request. `client_request_id` is sent to Graph and logged.
    pub async fn execute(
        &self,
        operation: &Operation,
        request: OperationRequest,
        client_request_id: String,
        deadline: Deadline,
    ) -> Result<GraphResponse, ApiError> {
        let (settings, _reads_ahead) = self.settings_reading_ahead(&request).await?;
        let (access_token, caller_ms_id) = match &request.caller {
            Caller::Application => (
                self.app_tokens.access_token(&settings, deadline).await?,
                None,
            ),
            Caller::Delegated(app_user_id) => {
                let access = self
                    .delegated_tokens
                    .access(&settings, app_user_id, precheck(operation), deadline)
                    .await?;
                (
                    access.access_token,
                    Some((app_user_id.as_str(), access.ms_user_id)),
                )
            }
        };
        let user_id = match (&request.target, &caller_ms_id) {
            (Target::None, _) => None,
            (Target::Me, Some((_, ms_id))) => Some(ms_id.clone()),
            (Target::AppUser(id), Some((caller, ms_id))) if id == caller => Some(ms_id.clone()),
            (Target::AppUser(id), _) => Some(self.resolver.ms_user_id(id).await?),
            (Target::Microsoft(id), _) => Some(id.clone()),
            (Target::Me, None) => {
                return Err(ApiError::invalid(
                    "`userId` may be `me` only with `authUserId`",
                ));
            }
        };

        let mut values: BTreeMap<&str, &str> = request
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(user_id) = &user_id {
            values.insert("userId", user_id);
        }
        let template = match operation.calendar_graph_path {
            Some(path) if request.params.contains_key(CALENDAR_PARAMETER) => path,
            _ => operation.graph_path,
        };
        let path = fill(template, &values)
            .ok_or_else(|| ApiError::invalid("a path parameter is missing"))?;
        let mut headers = Vec::new();
        let advanced = if operation.advanced_query {
            advanced_query(&request.query)
        } else {
            AdvancedQuery::default()
        };
        if advanced.eventual_consistency {
            headers.push(("ConsistencyLevel", "eventual".to_string()));
        }
        if let Some(zone) = &request.time_zone {
            headers.push(("Prefer", format!("outlook.timezone=\"{zone}\"")));
        }
        let mut query: Vec<(String, String)> = request
            .query
            .iter()
            .map(|(o, v)| (o.name().to_string(), v.clone()))
            .collect();
        if advanced.count {
            query.push(("$count".into(), "true".into()));
        }
        if let Some(window) = &request.window {
            query.push(("startDateTime".into(), window.start.clone()));
            query.push(("endDateTime".into(), window.end.clone()));
        }
        let mut body = request.body;
        if let (Some(key), Some(Value::Object(fields))) = (operation.idempotency_key, body.as_mut())
        {
            fields
                .entry(key)
                .or_insert_with(|| Value::String(uuid::Uuid::new_v4().to_string()));
        }
        let mut call = GraphCall {
            method: operation.method,
            path,
            query,
            headers,
            body,
            access_token,
            all_pages: request.all_pages,
            client_request_id,
            continuation: request.continuation,
            retry_safe: operation.method != Method::Post || operation.idempotency_key.is_some(),
            accept: accept_for(operation.graph_path),
            cloud: settings.cloud,
        };
        let first = self.graph.send(&call, deadline).await;
        let Err(ApiError::Graph {
            status,
            body,
            claims_challenge,
        }) = &first
        else {
            return first;
        };
        let renewed = match (&request.caller, *status, graph_error_code(body)) {
            (caller, 401, code)
                if claims_challenge.is_some() || code == Some(INVALID_AUTHENTICATION_TOKEN) =>
            {
                tracing::info!(
                    claims_challenge = claims_challenge.is_some(),
                    "Graph refused the access token (401); renewing it once"
                );
                let challenge = claims_challenge.as_deref();
                Some(match caller {
                    Caller::Application => {
                        self.app_tokens
                            .renew(&settings, &call.access_token, challenge, deadline)
                            .await?
                    }
                    Caller::Delegated(app_user_id) => {
                        self.delegated_tokens
                            .renew(
                                &settings,
                                app_user_id,
                                &call.access_token,
                                challenge,
                                deadline,
                            )
                            .await?
                            .access_token
                    }
                })
            }
            (Caller::Application, 403, Some(REQUEST_DENIED)) => {
                self.app_tokens
                    .renew_denied(&settings, &call.access_token, deadline)
                    .await?
            }
            _ => None,
        };
        match renewed {
            Some(token) => {
                call.access_token = token;
                self.graph.send(&call, deadline).await
            }
            None => first,
        }
    }
}

/// Graph's 401 code for a missing, malformed, expired or revoked access token.
const INVALID_AUTHENTICATION_TOKEN: &str = "InvalidAuthenticationToken";
/// Graph's (directory) 403 code for a token without the permission the request needs.
const REQUEST_DENIED: &str = "Authorization_RequestDenied";

/// `error.code` of a Graph error body.
fn graph_error_code(body: &Value) -> Option<&str> {
    body.pointer("/error/code").and_then(Value::as_str)
}
