//! Reading and bending the link items a stack's functions wrote, for tests that check what was
//! stored or need a link in a given state.

use shared::support::table_keys::link_key;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use shared::support::secret::Secret;
use shared::tokens::cipher::{Sealed, TokenCipher};
use shared::tokens::delegated_tokens::REFRESH_PURPOSE;

use crate::sign_in::parsed_settings;
use crate::stack::TestStack;

/// A stored DynamoDB item.
pub type StoredItem = HashMap<String, AttributeValue>;

/// The link item of `app_user_id` (strongly consistent read).
///
/// # Panics
/// When the table cannot be read or there is no such link.
pub async fn stored_link(stack: &TestStack, app_user_id: &str) -> StoredItem {
    stack
        .dynamodb()
        .get_item()
        .table_name(&stack.function_env().table_name)
        .key("pk", AttributeValue::S(link_key(app_user_id)))
        .consistent_read(true)
        .send()
        .await
        .expect("reading the link")
        .item
        .expect("the link exists")
}

/// The number attribute `field` of `item`.
pub fn number(item: &StoredItem, field: &str) -> u64 {
    item[field].as_n().unwrap().parse().unwrap()
}

/// Makes the stored access token of `app_user_id` look expired, so the next call must refresh.
pub async fn expire_stored_access_token(stack: &TestStack, app_user_id: &str) {
    stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key("pk", AttributeValue::S(link_key(app_user_id)))
        .update_expression("SET accessExpiresAt = :past")
        .expression_attribute_values(":past", AttributeValue::N("0".into()))
        .send()
        .await
        .expect("expiring the access token");
}

/// Sets the number attribute `field` of `app_user_id`'s link to `value`, e.g. `failingSince` to
/// seed a link that has been failing for days, or `keeperDueAt` to make it due for the keeper.
pub async fn set_link_number(stack: &TestStack, app_user_id: &str, field: &str, value: i64) {
    stack
        .dynamodb()
        .update_item()
        .table_name(&stack.function_env().table_name)
        .key("pk", AttributeValue::S(link_key(app_user_id)))
        .update_expression("SET #field = :value")
        .expression_attribute_names("#field", field)
        .expression_attribute_values(":value", AttributeValue::N(value.to_string()))
        .send()
        .await
        .unwrap_or_else(|error| panic!("setting {field} of {app_user_id}'s link: {error}"));
}

/// The refresh token stored in `item` (a link of `app_user_id`), decrypted with the stack's keys.
pub fn stored_refresh_token(stack: &TestStack, app_user_id: &str, item: &StoredItem) -> Secret {
    let settings = parsed_settings(stack);
    let sealed = Sealed {
        key_id: item["refreshKeyId"].as_s().unwrap().clone(),
        bytes: item["refreshToken"].as_b().unwrap().as_ref().to_vec(),
    };
    TokenCipher::new(&settings.encryption_keys)
        .open(&sealed, REFRESH_PURPOSE, &link_key(app_user_id))
        .expect("the stored refresh token decrypts")
}
