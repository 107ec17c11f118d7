//! The functions' settings secret in Secrets Manager.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::create_secret::CreateSecretError;
use serde_json::Value;

/// Stores `settings` as the JSON string of secret `name`: creates the secret, or puts a new
/// current version when it already exists.
pub async fn put_settings_secret(
    client: &Client,
    name: &str,
    settings: &Value,
) -> Result<(), String> {
    let text = settings.to_string();
    let created = client
        .create_secret()
        .name(name)
        .secret_string(&text)
        .send()
        .await;
    match created {
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.as_service_error(),
                Some(CreateSecretError::ResourceExistsException(_))
            ) =>
        {
            client
                .put_secret_value()
                .secret_id(name)
                .secret_string(text)
                .send()
                .await
                .map(|_| ())
                .map_err(|error| format!("updating secret {name}: {error:?}"))
        }
        Err(error) => Err(format!("creating secret {name}: {error:?}")),
    }
}
