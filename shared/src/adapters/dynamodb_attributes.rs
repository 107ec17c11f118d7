//! Reading and writing DynamoDB attribute values, and the errors a failed call or a malformed item
//! becomes; shared by every DynamoDB adapter.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::aws_errors::describe;
use crate::error::{ApiError, ErrorCode};
use crate::tokens::cipher::Sealed;

/// One DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// A failed DynamoDB call: logged (its kind and AWS's error code, never the response), answered
/// as `InternalError`.
pub fn unavailable<E: ProvideErrorMetadata>(what: &str, error: SdkError<E>) -> ApiError {
    tracing::error!(error = %describe(&error), "DynamoDB {what} failed");
    ApiError::new(
        ErrorCode::InternalError,
        format!("the token table is unavailable ({what} failed)"),
    )
}

/// A stored item lacking `field` or holding it in the wrong type.
pub fn corrupt(field: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InternalError,
        format!("a stored item has a missing or malformed `{field}`"),
    )
}

/// A string attribute.
pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

/// A number attribute.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `field`.
pub fn get_s<'a>(item: &'a Item, field: &str) -> Result<&'a str, ApiError> {
    item.get(field)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| corrupt(field))
}

/// The string attribute `field`, if present.
pub fn get_opt_s(item: &Item, field: &str) -> Option<String> {
    item.get(field).and_then(|v| v.as_s().ok()).cloned()
}

/// The number attribute `field`.
pub fn get_n<T: std::str::FromStr>(item: &Item, field: &str) -> Result<T, ApiError> {
    item.get(field)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| corrupt(field))
}

/// The binary attribute `field` with the key id stored in `key_field`, as a ciphertext.
pub fn get_sealed(item: &Item, field: &str, key_field: &str) -> Result<Sealed, ApiError> {
    let bytes = item
        .get(field)
        .and_then(|v| v.as_b().ok())
        .ok_or_else(|| corrupt(field))?;
    Ok(Sealed {
        key_id: get_s(item, key_field)?.to_string(),
        bytes: bytes.as_ref().to_vec(),
    })
}
