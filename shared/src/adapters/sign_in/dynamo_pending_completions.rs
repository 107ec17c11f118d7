//! Pending completions on DynamoDB: one item per handle (`completion#<handle>`) in the token table,
//! the tokens encrypted and bound to that key, removed by DynamoDB's TTL (`expiresAt`) once
//! expired. Taking one is a conditional delete returning the old item, so of two `auth-complete`
//! calls with the same handle only one ever gets it.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::dynamodb_attributes::{
    Item, corrupt, get_n, get_opt_s, get_s, get_sealed, n, s,
};
use crate::adapters::dynamodb_single_use::{put_single_use, take_single_use};
use crate::adapters::dynamodb_table::{PARTITION_KEY, TTL_ATTRIBUTE};
use crate::error::ApiError;
use crate::sign_in::pending_completions::{PendingCompletion, PendingCompletions};
use crate::sign_in::scopes::SignInMode;
use crate::sign_in::signed_in_account::SignedInAccount;
use crate::support::table_keys::sign_in_completion_key;

const APP_USER_ID: &str = "appUserId";
const MODE: &str = "mode";
const MS_USER_ID: &str = "msUserId";
const MS_TENANT_ID: &str = "msTenantId";
const USER_PRINCIPAL_NAME: &str = "userPrincipalName";
const PREFERRED_USERNAME: &str = "preferredUsername";
const REFRESH_TOKEN: &str = "refreshToken";
const REFRESH_KEY_ID: &str = "refreshKeyId";
const ACCESS_TOKEN: &str = "accessToken";
const ACCESS_KEY_ID: &str = "accessKeyId";
const ACCESS_EXPIRES_AT: &str = "accessExpiresAt";
const SCOPES: &str = "scopes";

/// [`PendingCompletions`] on the token table.
pub struct DynamoPendingCompletions {
    client: Client,
    table: String,
}

fn parse(item: &Item) -> Result<PendingCompletion, ApiError> {
    let scopes = item
        .get(SCOPES)
        .and_then(|v| v.as_l().ok())
        .ok_or_else(|| corrupt(SCOPES))?
        .iter()
        .map(|v| v.as_s().cloned().map_err(|_| corrupt(SCOPES)))
        .collect::<Result<_, _>>()?;
    Ok(PendingCompletion {
        app_user_id: get_s(item, APP_USER_ID)?.to_string(),
        mode: SignInMode::parse(get_s(item, MODE)?).map_err(|_| corrupt(MODE))?,
        account: SignedInAccount {
            ms_user_id: get_s(item, MS_USER_ID)?.to_string(),
            tenant_id: get_opt_s(item, MS_TENANT_ID),
            user_principal_name: get_opt_s(item, USER_PRINCIPAL_NAME),
            preferred_username: get_opt_s(item, PREFERRED_USERNAME),
        },
        refresh_token: get_sealed(item, REFRESH_TOKEN, REFRESH_KEY_ID)?,
        access_token: get_sealed(item, ACCESS_TOKEN, ACCESS_KEY_ID)?,
        access_expires_at: get_n(item, ACCESS_EXPIRES_AT)?,
        scopes,
        expires_at: get_n(item, TTL_ATTRIBUTE)?,
    })
}

fn item(handle: &str, pending: &PendingCompletion) -> Item {
    let blob = |bytes: &[u8]| AttributeValue::B(Blob::new(bytes.to_vec()));
    let mut item = Item::from([
        (PARTITION_KEY.into(), s(&sign_in_completion_key(handle))),
        (APP_USER_ID.into(), s(&pending.app_user_id)),
        (MODE.into(), s(pending.mode.as_str())),
        (MS_USER_ID.into(), s(&pending.account.ms_user_id)),
        (REFRESH_TOKEN.into(), blob(&pending.refresh_token.bytes)),
        (REFRESH_KEY_ID.into(), s(&pending.refresh_token.key_id)),
        (ACCESS_TOKEN.into(), blob(&pending.access_token.bytes)),
        (ACCESS_KEY_ID.into(), s(&pending.access_token.key_id)),
        (ACCESS_EXPIRES_AT.into(), n(pending.access_expires_at)),
        (
            SCOPES.into(),
            AttributeValue::L(pending.scopes.iter().map(|scope| s(scope)).collect()),
        ),
        (TTL_ATTRIBUTE.into(), n(pending.expires_at)),
    ]);
    for (field, value) in [
        (MS_TENANT_ID, &pending.account.tenant_id),
        (USER_PRINCIPAL_NAME, &pending.account.user_principal_name),
        (PREFERRED_USERNAME, &pending.account.preferred_username),
    ] {
        if let Some(value) = value {
            item.insert(field.into(), s(value));
        }
    }
    item
}

impl DynamoPendingCompletions {
    /// Pending completions in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

#[async_trait]
impl PendingCompletions for DynamoPendingCompletions {
    async fn put(&self, handle: &str, pending: &PendingCompletion) -> Result<(), ApiError> {
        put_single_use(&self.client, &self.table, item(handle, pending)).await
    }

    async fn take(&self, handle: &str) -> Result<Option<PendingCompletion>, ApiError> {
        take_single_use(&self.client, &self.table, &sign_in_completion_key(handle))
            .await?
            .as_ref()
            .map(parse)
            .transpose()
    }
}
