//! Pending sign-ins on DynamoDB: one single-use item per `state` (`state#<state>`) in the token
//! table, with the expected account when one was named (see [`crate::adapters::dynamodb_single_use`]:
//! of two callbacks with the same state only one ever gets it).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::dynamodb_attributes::{Item, corrupt, get_opt_s, get_s};
use crate::adapters::dynamodb_single_use::{put_single_use, take_single_use};
use crate::adapters::dynamodb_table::{PARTITION_KEY, TTL_ATTRIBUTE};
use crate::error::ApiError;
use crate::sign_in::expected_account::ExpectedAccount;
use crate::sign_in::pending_states::{PendingSignIn, SignInStateStore};
use crate::sign_in::scopes::SignInMode;
use crate::support::table_keys::sign_in_state_key;
use crate::tokens::cipher::Sealed;

const APP_USER_ID: &str = "appUserId";
const MODE: &str = "mode";
const RETURN_URL: &str = "returnUrl";
const SCOPES: &str = "scopes";
const VERIFIER: &str = "verifier";
const VERIFIER_KEY_ID: &str = "verifierKeyId";
const EXPECTED_LOGIN_HINT: &str = "expectedLoginHint";
const EXPECTED_TENANT_ID: &str = "expectedTenantId";

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
        expected: ExpectedAccount {
            login_hint: get_opt_s(item, EXPECTED_LOGIN_HINT),
            tenant_id: get_opt_s(item, EXPECTED_TENANT_ID),
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
        let mut item = Item::from([
            (PARTITION_KEY.into(), string(&sign_in_state_key(state))),
            (APP_USER_ID.into(), string(&pending.app_user_id)),
            (MODE.into(), string(pending.mode.as_str())),
            (RETURN_URL.into(), string(&pending.return_url)),
            (
                SCOPES.into(),
                AttributeValue::L(pending.scopes.iter().map(|s| string(s)).collect()),
            ),
            (
                VERIFIER.into(),
                AttributeValue::B(Blob::new(pending.verifier.bytes.clone())),
            ),
            (VERIFIER_KEY_ID.into(), string(&pending.verifier.key_id)),
            (
                TTL_ATTRIBUTE.into(),
                AttributeValue::N(pending.expires_at.to_string()),
            ),
        ]);
        if let Some(hint) = &pending.expected.login_hint {
            item.insert(EXPECTED_LOGIN_HINT.into(), string(hint));
        }
        if let Some(tenant) = &pending.expected.tenant_id {
            item.insert(EXPECTED_TENANT_ID.into(), string(tenant));
        }
        put_single_use(&self.client, &self.table, item).await
    }

    async fn take(&self, state: &str) -> Result<Option<PendingSignIn>, ApiError> {
        take_single_use(&self.client, &self.table, &sign_in_state_key(state))
            .await?
            .as_ref()
            .map(parse)
            .transpose()
    }
}
