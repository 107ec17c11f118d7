//! Pending sign-ins on DynamoDB: one item per `state` (`state#<state>`) in the token table, removed
//! by DynamoDB's TTL (`expiresAt`) once expired. Taking one is a conditional delete returning the
//! old item, so of two callbacks with the same state only one ever gets it.

use crate::support::table_keys::sign_in_state_key;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::adapters::dynamodb_attributes::{Item, corrupt, get_s, unavailable};
use crate::adapters::dynamodb_table::{PARTITION_KEY, TTL_ATTRIBUTE};
use crate::error::ApiError;
use crate::sign_in::pending_states::{PendingSignIn, SignInStateStore};
use crate::sign_in::scopes::SignInMode;
use crate::tokens::cipher::Sealed;

const APP_USER_ID: &str = "appUserId";
const MODE: &str = "mode";
const RETURN_URL: &str = "returnUrl";
const SCOPES: &str = "scopes";
const VERIFIER: &str = "verifier";
const VERIFIER_KEY_ID: &str = "verifierKeyId";

/// [`SignInStateStore`] on the token table.
pub struct DynamoSignInStates {
    client: Client,
    table: String,
}

fn parse(item: &Item) -> Result<PendingSignIn, ApiError> {
    let scopes = item
        .get(SCOPES)
        .and_then(|v| v.as_l().ok())
        .ok_or_else(|| corrupt(SCOPES))?
        .iter()
        .map(|v| v.as_s().cloned().map_err(|_| corrupt(SCOPES)))
        .collect::<Result<_, _>>()?;
    let verifier = item
        .get(VERIFIER)
        .and_then(|v| v.as_b().ok())
        .ok_or_else(|| corrupt(VERIFIER))?;
    Ok(PendingSignIn {
        app_user_id: get_s(item, APP_USER_ID)?.to_string(),
        mode: SignInMode::parse(get_s(item, MODE)?).map_err(|_| corrupt(MODE))?,
        return_url: get_s(item, RETURN_URL)?.to_string(),
        scopes,
        verifier: Sealed {
            key_id: get_s(item, VERIFIER_KEY_ID)?.to_string(),
            bytes: verifier.as_ref().to_vec(),
        },
        expires_at: item
            .get(TTL_ATTRIBUTE)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| corrupt(TTL_ATTRIBUTE))?,
    })
}

impl DynamoSignInStates {
    /// Pending sign-ins in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

#[async_trait]
impl SignInStateStore for DynamoSignInStates {
    async fn put(&self, state: &str, pending: &PendingSignIn) -> Result<(), ApiError> {
        let string = |value: &str| AttributeValue::S(value.to_string());
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PARTITION_KEY, string(&sign_in_state_key(state)))
            .item(APP_USER_ID, string(&pending.app_user_id))
            .item(MODE, string(pending.mode.as_str()))
            .item(RETURN_URL, string(&pending.return_url))
            .item(
                SCOPES,
                AttributeValue::L(pending.scopes.iter().map(|s| string(s)).collect()),
            )
            .item(
                VERIFIER,
                AttributeValue::B(Blob::new(pending.verifier.bytes.clone())),
            )
            .item(VERIFIER_KEY_ID, string(&pending.verifier.key_id))
            .item(
                TTL_ATTRIBUTE,
                AttributeValue::N(pending.expires_at.to_string()),
            )
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn take(&self, state: &str) -> Result<Option<PendingSignIn>, ApiError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(sign_in_state_key(state)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.as_ref().map(parse).transpose(),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(unavailable("conditional DeleteItem", e)),
        }
    }
}
