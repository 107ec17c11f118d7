//! The handler of `subscriptions-create`, `subscriptions-list` and `subscriptions-delete`: decode
//! the event, validate it ([`crate::change_feed::subscription_request`]), act through
//! [`Subscriptions`], and answer in the event's style. No answer ever carries a `clientState`.

use std::sync::Arc;

use async_trait::async_trait;
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

use crate::change_feed::functions::{
    SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE, SUBSCRIPTIONS_LIST,
};
use crate::change_feed::subscription_request::{create_request, delete_request, list_request};
use crate::change_feed::subscriptions::Subscriptions;
use crate::error::ApiError;
use crate::operations::graph_api::GraphResponse;
use crate::operations::request::{Caller, RawRequest};
use crate::runtime::event::{decode_with, encode};
use crate::runtime::handler::Handler;
use crate::runtime::jwt_rules::JwtRules;
use crate::runtime::outcome::{Mode, Outcome};
use crate::support::deadline::Deadline;

/// Which subscription function a binary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    List,
    Delete,
}

/// One of the subscription functions over the real subscriptions.
pub struct SubscriptionsHandler {
    kind: Kind,
    subscriptions: Arc<Subscriptions>,
    jwt_rules: JwtRules,
}

impl SubscriptionsHandler {
    /// The handler of function `name`, if it is a subscription function.
    pub fn new(name: &str, subscriptions: Arc<Subscriptions>, jwt_rules: JwtRules) -> Option<Self> {
        let kind = match name {
            SUBSCRIPTIONS_CREATE => Kind::Create,
            SUBSCRIPTIONS_LIST => Kind::List,
            SUBSCRIPTIONS_DELETE => Kind::Delete,
            _ => return None,
        };
        Some(Self {
            kind,
            subscriptions,
            jwt_rules,
        })
    }

    async fn run(
        &self,
        raw: RawRequest,
        caller: &mut Option<Caller>,
        deadline: Deadline,
    ) -> Result<GraphResponse, ApiError> {
        match self.kind {
            Kind::Create => {
                let request = create_request(raw)?;
                *caller = Some(request.caller.clone());
                let (answer, record) = self.subscriptions.create(request, deadline).await?;
                tracing::info!(subscription_id = %record.id, kind = record.kind.as_str(), "subscription created");
                Ok(answer)
            }
            Kind::List => {
                let request = list_request(raw)?;
                *caller = Some(request.clone());
                self.subscriptions.list(request, deadline).await
            }
            Kind::Delete => {
                let request = delete_request(raw)?;
                *caller = Some(request.caller.clone());
                self.subscriptions
                    .delete(&request.caller, &request.subscription_id, deadline)
                    .await?;
                Ok(GraphResponse::json(
                    200,
                    json!({ "deleted": request.subscription_id }),
                ))
            }
        }
    }
}

#[async_trait]
impl Handler for SubscriptionsHandler {
    async fn handle(&self, event: LambdaEvent<Value>) -> Outcome {
        let request_id = event.context.request_id.clone();
        let deadline = Deadline::from_epoch_millis(event.context.deadline);
        let (style, raw) = decode_with(event.payload, &self.jwt_rules);
        let identity = raw
            .as_ref()
            .ok()
            .and_then(|raw| raw.caller_identity.clone());
        let mut caller = None;
        let result = match raw {
            Ok(raw) => self.run(raw, &mut caller, deadline).await,
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
        outcome.caller = identity;
        match caller {
            Some(Caller::Delegated(id)) => {
                outcome.mode = Some(Mode::Delegated);
                outcome.app_user_id = Some(id);
            }
            Some(Caller::Application) => outcome.mode = Some(Mode::Application),
            None => {}
        }
        outcome
    }
}
