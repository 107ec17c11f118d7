//! Reads the settings secret from AWS Secrets Manager.

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;

use crate::adapters::aws_errors::describe;
use crate::error::{ApiError, ErrorCode};
use crate::settings::provider::SettingsSource;

/// [`SettingsSource`] reading one secret's current string value.
pub struct SecretsManagerSettings {
    client: Client,
    secret_id: String,
}

impl SecretsManagerSettings {
    /// Reads `secret_id` (name or ARN) through `client`.
    pub fn new(client: Client, secret_id: impl Into<String>) -> Self {
        Self {
            client,
            secret_id: secret_id.into(),
        }
    }
}

#[async_trait]
impl SettingsSource for SecretsManagerSettings {
    async fn fetch(&self) -> Result<String, ApiError> {
        let output = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|error| {
                let service = error.as_service_error();
                if service.is_some_and(|e| e.is_resource_not_found_exception()) {
                    return ApiError::new(
                        ErrorCode::ConfigurationInvalid,
                        format!("the settings secret `{}` does not exist", self.secret_id),
                    );
                }
                tracing::error!(error = %describe(&error), "reading the settings secret failed");
                ApiError::new(ErrorCode::InternalError, "Secrets Manager is unavailable")
            })?;
        output.secret_string.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                "the settings secret has no string value",
            )
        })
    }
}
