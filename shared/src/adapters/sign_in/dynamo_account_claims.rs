//! Claims on Microsoft accounts on DynamoDB: one item per account
//! (`msaccount#<tenant>#<object id>`) with the holding application user (`appUserId`) and when it
//! was claimed (`claimedAt`). Every write is conditional on what the item holds, so of concurrent
//! writers exactly one wins.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::dynamodb_attributes::{get_n, get_s, n, s, unavailable};
use crate::adapters::dynamodb_table::PARTITION_KEY;
use crate::error::ApiError;
use crate::sign_in::account_claims::{AccountClaim, AccountClaims, MsAccountId};
use crate::support::table_keys::account_claim_key;

const APP_USER_ID: &str = "appUserId";
const CLAIMED_AT: &str = "claimedAt";

/// [`AccountClaims`] on the token table.
pub struct DynamoAccountClaims {
    client: Client,
    table: String,
}

impl DynamoAccountClaims {
    /// Claims in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Writes `app_user_id`'s claim on `account` at `now` if `condition` holds, with the
    /// expression's attribute `names` and `values`; `Ok(false)` when it does not hold.
    async fn put_if(
        &self,
        account: &MsAccountId,
        app_user_id: &str,
        now: i64,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> Result<bool, ApiError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(
                PARTITION_KEY,
                s(&account_claim_key(&account.tenant_id, &account.ms_user_id)),
            )
            .item(APP_USER_ID, s(app_user_id))
            .item(CLAIMED_AT, n(now))
            .condition_expression(condition);
        for (name, attribute) in names {
            put = put.expression_attribute_names(*name, *attribute);
        }
        for (name, value) in values {
            put = put.expression_attribute_values(*name, value.clone());
        }
        match put.send().await {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(unavailable("conditional PutItem", e)),
        }
    }
}

#[async_trait]
impl AccountClaims for DynamoAccountClaims {
    async fn claim(
        &self,
        account: &MsAccountId,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.put_if(
            account,
            app_user_id,
            now,
            "attribute_not_exists(#pk) OR #owner = :me",
            &[("#pk", PARTITION_KEY), ("#owner", APP_USER_ID)],
            &[(":me", s(app_user_id))],
        )
        .await
    }

    async fn holder(&self, account: &MsAccountId) -> Result<Option<AccountClaim>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(
                PARTITION_KEY,
                s(&account_claim_key(&account.tenant_id, &account.ms_user_id)),
            )
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        output
            .item
            .map(|item| {
                Ok(AccountClaim {
                    app_user_id: get_s(&item, APP_USER_ID)?.to_string(),
                    claimed_at: get_n(&item, CLAIMED_AT)?,
                })
            })
            .transpose()
    }

    async fn take_over(
        &self,
        account: &MsAccountId,
        held: &AccountClaim,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.put_if(
            account,
            app_user_id,
            now,
            "#owner = :holder AND #at = :heldAt",
            &[("#owner", APP_USER_ID), ("#at", CLAIMED_AT)],
            &[
                (":holder", s(&held.app_user_id)),
                (":heldAt", n(held.claimed_at)),
            ],
        )
        .await
    }

    async fn release(&self, account: &MsAccountId, app_user_id: &str) -> Result<(), ApiError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(
                PARTITION_KEY,
                s(&account_claim_key(&account.tenant_id, &account.ms_user_id)),
            )
            .condition_expression("#owner = :me")
            .expression_attribute_names("#owner", APP_USER_ID)
            .expression_attribute_values(":me", s(app_user_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(unavailable("conditional DeleteItem", e)),
        }
    }
}
