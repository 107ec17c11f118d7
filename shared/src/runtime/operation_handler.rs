//! The handler of every Graph operation function: decode the event, validate it against the
//! operation's catalog entry, execute it, and answer in the event's style.

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::change_feed::sync_state::expired_sync_state;
use crate::operations::executor::Executor;
use crate::operations::operation::Operation;
use crate::operations::request::Caller;
use crate::runtime::event::{decode_with, encode};
use crate::runtime::handler::Handler;
use crate::runtime::jwt_rules::JwtRules;
use crate::runtime::outcome::{Mode, Outcome};
use crate::support::deadline::Deadline;

/// One catalog operation over the executor.
pub struct OperationHandler {
    /// The operation this function runs.
    pub operation: &'static Operation,
    /// Settings, tokens, identities and Graph.
    pub executor: Executor,
    /// What a JWT-authorized caller's token must carry.
    pub jwt_rules: JwtRules,
}

#[async_trait]
impl Handler for OperationHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let request_id = event.context.request_id.clone();
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let (style, raw) = decode_with(event.payload, &self.jwt_rules);
        let (mut mode, mut app_user_id) = (None, None);
        let caller = raw
            .as_ref()
            .ok()
            .and_then(|raw| raw.caller_identity.clone());
        let result = match raw.and_then(|raw| raw.validate(self.operation)) {
            Ok(request) => {
                mode = Some(match &request.caller {
                    Caller::Application => Mode::Application,
                    Caller::Delegated(id) => {
                        app_user_id = Some(id.clone());
                        Mode::Delegated
                    }
                });
                self.executor
                    .execute(self.operation, request, client_request_id.clone(), deadline)
                    .await
                    .map_err(expired_sync_state)
            }
            Err(error) => Err(error),
        };
        let status = match &result {
            Ok(response) => response.status,
            Err(error) => error.status(),
        };
        let mut outcome = Outcome::answered(
            style,
            encode(style, &result, &request_id),
            status,
            result.as_ref().err(),
        );
        outcome.mode = mode;
        outcome.caller = caller;
        outcome.app_user_id = app_user_id;
        outcome.client_request_id = Some(client_request_id);
        outcome
    }
}
