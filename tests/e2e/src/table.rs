//! The functions' DynamoDB table, created with the layout `shared::adapters::dynamodb_table` names.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};

use shared::adapters::dynamodb_table::{
    KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY, TTL_ATTRIBUTE,
};

/// How long to wait for a new table to become ACTIVE.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(30);
const ACTIVE_POLL: Duration = Duration::from_millis(50);

/// Creates table `name` (on-demand; partition key, keeper index, TTL) and waits until it is ACTIVE.
pub async fn create_table(client: &Client, name: &str) -> Result<(), String> {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PARTITION_KEY, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(KEEPER_SHARD, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(KEEPER_DUE_AT, ScalarAttributeType::N)?)
        .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(KEEPER_INDEX)
                .key_schema(key(KEEPER_SHARD, KeyType::Hash)?)
                .key_schema(key(KEEPER_DUE_AT, KeyType::Range)?)
                // The keeper reads each due link itself: the index holds only the keys, so its
                // entries stay tiny (one write unit each) however large a link grows.
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::KeysOnly)
                        .build(),
                )
                .build()
                .map_err(|error| error.to_string())?,
        )
        .send()
        .await
        .map_err(|error| format!("creating table {name}: {error:?}"))?;
    wait_until_active(client, name).await?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()
                .map_err(|error| error.to_string())?,
        )
        .send()
        .await
        .map_err(|error| format!("enabling TTL on {name}: {error:?}"))?;
    Ok(())
}

async fn wait_until_active(client: &Client, name: &str) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + ACTIVE_TIMEOUT;
    loop {
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|error| format!("describing table {name}: {error:?}"))?;
        let status = described.table().and_then(|table| table.table_status());
        if status == Some(&TableStatus::Active) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "table {name} is still {status:?} after {ACTIVE_TIMEOUT:?}"
            ));
        }
        tokio::time::sleep(ACTIVE_POLL).await;
    }
}

fn attribute(name: &str, kind: ScalarAttributeType) -> Result<AttributeDefinition, String> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()
        .map_err(|error| error.to_string())
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, String> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|error| error.to_string())
}
