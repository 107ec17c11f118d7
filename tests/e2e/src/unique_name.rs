//! Names no other test (or earlier run) uses, so tests can share one moto server.

/// `<prefix>-<random hex>`, valid as a DynamoDB table name and a Secrets Manager secret name.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}
