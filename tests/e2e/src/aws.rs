//! AWS SDK configuration and clients pointed at a moto server.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// The region every test and the local stack use.
pub const REGION: &str = "us-east-1";
/// Access key id and secret access key moto accepts (any value works).
pub const TEST_CREDENTIAL: &str = "testing";

/// SDK configuration for the moto server at `endpoint_url`, with static test credentials.
pub fn moto_sdk_config(endpoint_url: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint_url)
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            TEST_CREDENTIAL,
            TEST_CREDENTIAL,
            None,
            None,
            "e2e-static",
        )))
        .build()
}

/// A DynamoDB client for the moto server at `endpoint_url`.
pub fn dynamodb_client(endpoint_url: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&moto_sdk_config(endpoint_url))
}

/// A Secrets Manager client for the moto server at `endpoint_url`.
pub fn secrets_client(endpoint_url: &str) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&moto_sdk_config(endpoint_url))
}
