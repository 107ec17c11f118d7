//! The stack's state: the DynamoDB table (links, pending sign-ins, cached application tokens) with
//! the layout `shared::adapters::dynamodb_table` names, and the settings secret. Both outlive the
//! stack (`Retain`): deleting the stack must not lose users' sign-ins or the keys that decrypt them.

use serde_yaml_ng::Value;

use super::cfn::{list, map};
use shared::adapters::dynamodb_table::{
    KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY, TTL_ATTRIBUTE,
};

/// Logical id of the table.
pub const TABLE: &str = "Table";
/// Logical id of the settings secret.
pub const SETTINGS_SECRET: &str = "SettingsSecret";

/// The value the settings secret is created with: not settings (every function answers
/// `ConfigurationInvalid` naming the unknown field until the operator puts the real settings in).
///
/// Never change it: CloudFormation writes a changed `SecretString` into the secret at the next stack
/// update, replacing the operator's settings.
pub const SETTINGS_PLACEHOLDER: &str =
    r#"{"replaceWithTheSettings": "see infra/DEPLOY.md, section The settings secret"}"#;

fn attribute(name: &str, kind: &str) -> Value {
    map([
        ("AttributeName", name.into()),
        ("AttributeType", kind.into()),
    ])
}

fn key(name: &str, kind: &str) -> Value {
    map([("AttributeName", name.into()), ("KeyType", kind.into())])
}

/// Resource attributes that keep a resource when the stack is deleted or the resource replaced.
fn retained(kind: &str, properties: Value) -> Value {
    map([
        ("Type", kind.into()),
        ("DeletionPolicy", "Retain".into()),
        ("UpdateReplacePolicy", "Retain".into()),
        ("Properties", properties),
    ])
}

/// The table: on-demand, point-in-time recovery, deletion protection, TTL, and the sparse keeper
/// index holding only keys (the keeper re-reads each due link itself).
fn table() -> Value {
    retained(
        "AWS::DynamoDB::Table",
        map([
            ("BillingMode", "PAY_PER_REQUEST".into()),
            (
                "AttributeDefinitions",
                list([
                    attribute(PARTITION_KEY, "S"),
                    attribute(KEEPER_SHARD, "S"),
                    attribute(KEEPER_DUE_AT, "N"),
                ]),
            ),
            ("KeySchema", list([key(PARTITION_KEY, "HASH")])),
            (
                "GlobalSecondaryIndexes",
                list([map([
                    ("IndexName", KEEPER_INDEX.into()),
                    (
                        "KeySchema",
                        list([key(KEEPER_SHARD, "HASH"), key(KEEPER_DUE_AT, "RANGE")]),
                    ),
                    ("Projection", map([("ProjectionType", "KEYS_ONLY".into())])),
                ])]),
            ),
            (
                "TimeToLiveSpecification",
                map([
                    ("AttributeName", TTL_ATTRIBUTE.into()),
                    ("Enabled", true.into()),
                ]),
            ),
            (
                "PointInTimeRecoverySpecification",
                map([("PointInTimeRecoveryEnabled", true.into())]),
            ),
            ("DeletionProtectionEnabled", true.into()),
        ]),
    )
}

/// The settings secret, created with [`SETTINGS_PLACEHOLDER`].
fn settings_secret() -> Value {
    retained(
        "AWS::SecretsManager::Secret",
        map([
            (
                "Description",
                "Settings of the Microsoft Graph functions (JSON): app registration, sign-in URLs, scopes, token encryption keys. See infra/DEPLOY.md"
                    .into(),
            ),
            ("SecretString", SETTINGS_PLACEHOLDER.into()),
        ]),
    )
}

/// The table and the settings secret.
pub fn storage_resources() -> Vec<(String, Value)> {
    vec![
        (TABLE.to_string(), table()),
        (SETTINGS_SECRET.to_string(), settings_secret()),
    ]
}
