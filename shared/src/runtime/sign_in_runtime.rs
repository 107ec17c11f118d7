//! What every sign-in function binary (`auth-start`, `auth-callback`, `auth-revoke`,
//! `auth-status`) runs: logging, configuration, its handler over the real adapters, and the Lambda
//! runtime loop handling API Gateway and direct events alike.

use std::sync::Arc;
use std::time::Instant;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

use crate::runtime::config::Config;
use crate::runtime::event::decode;
use crate::runtime::logging;
use crate::runtime::sign_in_response::{SignInAnswer, encode_answer};
use crate::runtime::wiring::Adapters;
use crate::adapters::sign_in::dynamo_sign_in_states::DynamoSignInStates;
use crate::sign_in::account_linker::AccountLinker;
use crate::support::clock::rfc3339;
use crate::support::deadline::Deadline;
use crate::error::ApiError;
use crate::sign_in::linked_accounts::LinkedAccounts;
use crate::sign_in::functions::{self, SignInFunction};
use crate::sign_in::request::{account_request, callback, start_invocation};
use crate::operations::request::RawRequest;
use crate::settings::provider::SettingsProvider;
use crate::sign_in::flow::SignInFlow;

/// Which sign-in function a binary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    Callback,
    Revoke,
    Status,
}

fn kind_of(function: &SignInFunction) -> Option<Kind> {
    match function.name {
        "auth-start" => Some(Kind::Start),
        "auth-callback" => Some(Kind::Callback),
        "auth-revoke" => Some(Kind::Revoke),
        "auth-status" => Some(Kind::Status),
        _ => None,
    }
}

/// A sign-in function's logic over its ports.
enum Handler {
    Start(SignInFlow),
    Callback(SignInFlow),
    Revoke(LinkedAccounts),
    Status(LinkedAccounts),
}

impl Handler {
    fn new(kind: Kind, config: &Config, aws: &aws_config::SdkConfig) -> Self {
        let adapters = Adapters::new(config, aws);
        let flow = || {
            SignInFlow::new(
                SettingsProvider::new(adapters.settings_source.clone(), config.settings_ttl),
                Arc::new(DynamoSignInStates::new(
                    aws_sdk_dynamodb::Client::new(aws),
                    &config.table_name,
                )),
                adapters.identity_platform.clone(),
                AccountLinker::new(adapters.store.clone(), adapters.graph.clone()),
                config.login_base_url.clone(),
            )
        };
        match kind {
            Kind::Start => Self::Start(flow()),
            Kind::Callback => Self::Callback(flow()),
            Kind::Revoke => Self::Revoke(LinkedAccounts::new(adapters.store.clone())),
            Kind::Status => Self::Status(LinkedAccounts::new(adapters.store.clone())),
        }
    }

    async fn answer(
        &self,
        raw: RawRequest,
        deadline: Deadline,
    ) -> Result<SignInAnswer, ApiError> {
        match self {
            Self::Start(flow) => {
                let invocation = start_invocation(raw)?;
                let started = flow.start(invocation.request).await?;
                Ok(if invocation.redirect {
                    SignInAnswer::Redirect {
                        location: started.authorize_url,
                    }
                } else {
                    SignInAnswer::Json {
                        status: 200,
                        body: json!({
                            "authorizeUrl": started.authorize_url,
                            "expiresAt": rfc3339(started.expires_at),
                        }),
                    }
                })
            }
            Self::Callback(flow) => Ok(SignInAnswer::Redirect {
                location: flow.finish(callback(raw), deadline).await?,
            }),
            Self::Revoke(accounts) => {
                accounts.revoke(&account_request(raw)?).await?;
                Ok(SignInAnswer::Json {
                    status: 204,
                    body: Value::Null,
                })
            }
            Self::Status(accounts) => Ok(SignInAnswer::Json {
                status: 200,
                body: accounts.status(&account_request(raw)?).await?,
            }),
        }
    }
}

/// Runs the Lambda function for the sign-in function `name` until the runtime stops it.
pub async fn run(name: &str) -> Result<(), Error> {
    logging::init();
    let function = functions::find(name)
        .ok_or_else(|| format!("`{name}` is not a sign-in function"))?;
    let kind = kind_of(function).ok_or_else(|| format!("`{name}` has no handler"))?;
    let config = Config::from_env()?;
    let aws = aws_config::load_from_env().await;
    let handler = Arc::new(Handler::new(kind, &config, &aws));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let handler = handler.clone();
        async move { Ok::<Value, Error>(handle(&handler, function, event).await) }
    }))
    .await
}

/// Handles one invocation; never fails: every error becomes a response in the event's style. Logs
/// the outcome, never a parameter value (codes, states and tokens stay out of the logs).
async fn handle(
    handler: &Handler,
    function: &SignInFunction,
    event: LambdaEvent<Value>,
) -> Value {
    let started = Instant::now();
    let request_id = event.context.request_id.clone();
    let deadline = Deadline::from_epoch_millis(event.context.deadline);
    let (style, raw) = decode(event.payload);
    let result = match raw {
        Ok(raw) => handler.answer(raw, deadline).await,
        Err(error) => Err(error),
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(answer) => tracing::info!(
            function = function.name,
            status = answer.status(),
            duration_ms,
            "sign-in function answered"
        ),
        Err(error) => tracing::warn!(
            function = function.name,
            status = error.status(),
            error = %error,
            duration_ms,
            "sign-in function failed"
        ),
    }
    encode_answer(style, &result, &request_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::functions::SIGN_IN_FUNCTIONS;

    #[test]
    fn every_platform_function_has_a_handler() {
        let kinds: Vec<Option<Kind>> = SIGN_IN_FUNCTIONS.iter().map(kind_of).collect();
        assert_eq!(
            kinds,
            [
                Some(Kind::Start),
                Some(Kind::Callback),
                Some(Kind::Revoke),
                Some(Kind::Status)
            ]
        );
    }
}
