//! The handler of the sign-in functions (`auth-start`, `auth-callback`, `auth-complete`,
//! `auth-revoke`, `auth-status`): decode the event, run the sign-in step, and answer in the event's
//! style. Logs nothing of the parameters (codes, states, handles and tokens stay out of the logs).

use std::sync::Arc;

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

use crate::adapters::sign_in::dynamo_account_claims::DynamoAccountClaims;
use crate::adapters::sign_in::dynamo_pending_completions::DynamoPendingCompletions;
use crate::adapters::sign_in::dynamo_sign_in_states::DynamoSignInStates;
use crate::change_feed::subscriptions::Subscriptions;
use crate::error::{ApiError, ErrorCode};
use crate::operations::request::RawRequest;
use crate::runtime::change_feed_wiring::end_subscriptions_of;
use crate::runtime::config::Config;
use crate::runtime::event::decode_with;
use crate::runtime::jwt_rules::JwtRules;
use crate::runtime::outcome::Outcome;
use crate::runtime::sign_in_response::{SignInAnswer, encode_answer};
use crate::runtime::wiring::Adapters;
use crate::settings::provider::SettingsProvider;
use crate::sign_in::account_linker::AccountLinker;
use crate::sign_in::account_uniqueness::AccountUniqueness;
use crate::sign_in::completion::SignInCompletion;
use crate::sign_in::flow::{SignInFlow, SignInPorts};
use crate::sign_in::functions::SignInFunction;
use crate::sign_in::linked_accounts::{LinkedAccounts, status_report};
use crate::sign_in::request::{account_request, callback, complete_request, start_invocation};
use crate::sign_in::scopes::SignInMode;
use crate::support::clock::rfc3339;
use crate::support::deadline::Deadline;

/// Which sign-in function a binary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    Callback,
    Complete,
    Revoke,
    Status,
}

fn kind_of(function: &SignInFunction) -> Option<Kind> {
    match function.name {
        "auth-start" => Some(Kind::Start),
        "auth-callback" => Some(Kind::Callback),
        "auth-complete" => Some(Kind::Complete),
        "auth-revoke" => Some(Kind::Revoke),
        "auth-status" => Some(Kind::Status),
        _ => None,
    }
}

/// A sign-in function: its step, and what a JWT-authorized caller's token must carry (the same
/// rules as the Graph operations', so `authUserId` comes from the same claim).
pub struct SignInHandler {
    step: SignInStep,
    jwt_rules: JwtRules,
    dev_mode_allowed: bool,
    /// `auth-revoke`: the change feed's subscriptions, ended with the link they belong to.
    subscriptions: Option<Arc<Subscriptions>>,
}

/// A sign-in function's logic over its ports.
enum SignInStep {
    /// `auth-start`: begins a sign-in.
    Start(SignInFlow),
    /// `auth-callback`: Microsoft's redirect back.
    Callback(SignInFlow),
    /// `auth-complete`: links a redeemed sign-in in its user's session.
    Complete(SignInCompletion),
    /// `auth-revoke`: forgets a link.
    Revoke(LinkedAccounts),
    /// `auth-status`: reports a link's health.
    Status(LinkedAccounts),
}

impl SignInHandler {
    /// The handler of sign-in function `function` over the real adapters.
    pub fn new(
        function: &SignInFunction,
        adapters: &Adapters,
        config: &Config,
        aws: &aws_config::SdkConfig,
    ) -> Result<Self, String> {
        let kind =
            kind_of(function).ok_or_else(|| format!("`{}` has no handler", function.name))?;
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        let table = config.table_name.as_str();
        let settings =
            || SettingsProvider::new(adapters.settings_source.clone(), config.settings_ttl);
        let linker = || {
            AccountLinker::new(adapters.store.clone(), adapters.graph.clone())
                .with_link_events(adapters.link_events(config))
        };
        let completions = || Arc::new(DynamoPendingCompletions::new(dynamodb.clone(), table));
        let uniqueness = || {
            AccountUniqueness::new(
                Arc::new(DynamoAccountClaims::new(dynamodb.clone(), table)),
                adapters.store.clone(),
            )
        };
        let flow = || {
            SignInFlow::new(
                SignInPorts {
                    settings: settings(),
                    states: Arc::new(DynamoSignInStates::new(dynamodb.clone(), table)),
                    completions: completions(),
                    identity_platform: adapters.identity_platform.clone(),
                    linker: linker(),
                },
                config.login_base_url.clone(),
            )
        };
        let accounts = || {
            LinkedAccounts::new(adapters.store.clone(), uniqueness())
                .with_link_events(adapters.link_events(config))
        };
        let step = match kind {
            Kind::Start => SignInStep::Start(flow()),
            Kind::Callback => SignInStep::Callback(flow()),
            Kind::Complete => SignInStep::Complete(SignInCompletion::new(
                settings(),
                completions(),
                adapters.store.clone(),
                linker(),
                uniqueness(),
            )),
            Kind::Revoke => SignInStep::Revoke(accounts()),
            Kind::Status => SignInStep::Status(accounts()),
        };
        Ok(Self {
            step,
            jwt_rules: config.jwt_rules.clone(),
            dev_mode_allowed: config.sign_in_dev_mode_allowed,
            subscriptions: (kind == Kind::Revoke).then(|| adapters.subscriptions(config)),
        })
    }

    async fn answer(&self, raw: RawRequest, deadline: Deadline) -> Result<SignInAnswer, ApiError> {
        match &self.step {
            SignInStep::Start(flow) => {
                let invocation = start_invocation(raw)?;
                if invocation.request.mode == SignInMode::Dev && !self.dev_mode_allowed {
                    return Err(ApiError::new(
                        ErrorCode::Forbidden,
                        "`mode=dev` sign-ins are switched off for this deployment (SIGN_IN_DEV_MODE)",
                    ));
                }
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
            SignInStep::Callback(flow) => Ok(SignInAnswer::Redirect {
                location: flow.finish(callback(raw)?, deadline).await?,
            }),
            SignInStep::Complete(completion) => {
                let request = complete_request(raw)?;
                let link = completion.complete(request).await?;
                Ok(SignInAnswer::Json {
                    status: 200,
                    body: status_report(&link.app_user_id, Some(&link)),
                })
            }
            SignInStep::Revoke(accounts) => {
                let app_user_id = account_request(raw)?;
                if let Some(subscriptions) = &self.subscriptions {
                    end_subscriptions_of(subscriptions, &app_user_id, deadline).await;
                }
                accounts.revoke(&app_user_id).await?;
                Ok(SignInAnswer::Json {
                    status: 204,
                    body: Value::Null,
                })
            }
            SignInStep::Status(accounts) => Ok(SignInAnswer::Json {
                status: 200,
                body: accounts.status(&account_request(raw)?).await?,
            }),
        }
    }
}

#[async_trait]
impl crate::runtime::handler::Handler for SignInHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let request_id = event.context.request_id.clone();
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        let (style, raw) = decode_with(event.payload, &self.jwt_rules);
        let result = match raw {
            Ok(raw) => self.answer(raw, deadline).await,
            Err(error) => Err(error),
        };
        let status = result
            .as_ref()
            .map_or_else(ApiError::status, SignInAnswer::status);
        Outcome::answered(
            style,
            encode_answer(style, &result, &request_id),
            status,
            result.as_ref().err(),
        )
    }
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
                Some(Kind::Complete),
                Some(Kind::Revoke),
                Some(Kind::Status)
            ]
        );
    }
}
