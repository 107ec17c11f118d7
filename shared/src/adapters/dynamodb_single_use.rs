//! Single-use items on the token table (pending sign-ins, pending completions): written once, and
//! taken with a conditional delete that returns the old item, so of two callers racing for the same
//! key only one ever gets it. DynamoDB's TTL removes the ones nobody took.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::ReturnValue;

use crate::adapters::dynamodb_attributes::{Item, s, unavailable};
use crate::adapters::dynamodb_table::PARTITION_KEY;
use crate::error::ApiError;

/// Writes `item` to `table`.
pub async fn put_single_use(client: &Client, table: &str, item: Item) -> Result<(), ApiError> {
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| unavailable("PutItem", e))?;
    Ok(())
}

/// Deletes the item with key `key` from `table` and returns it, or `None` when it is not there
/// (never written, already taken, or removed by the TTL).
pub async fn take_single_use(
    client: &Client,
    table: &str,
    key: &str,
) -> Result<Option<Item>, ApiError> {
    let result = client
        .delete_item()
        .table_name(table)
        .key(PARTITION_KEY, s(key))
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PARTITION_KEY)
        .return_values(ReturnValue::AllOld)
        .send()
        .await;
    match result {
        Ok(output) => Ok(output.attributes),
        Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
            Ok(None)
        }
        Err(e) => Err(unavailable("conditional DeleteItem", e)),
    }
}
