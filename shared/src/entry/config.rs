//! The function's environment: where the table, the settings secret and Microsoft are.

use std::time::Duration;

use reqwest::Url;

use crate::domain::error::{ApiError, ErrorCode};

/// Environment settings of every function.
#[derive(Debug, Clone)]
pub struct Config {
    /// DynamoDB table (`TABLE_NAME`).
    pub table_name: String,
    /// Settings secret name or ARN (`SETTINGS_SECRET_ID`).
    pub settings_secret_id: String,
    /// Graph origin (`GRAPH_BASE_URL`, default `https://graph.microsoft.com`).
    pub graph_base_url: Url,
    /// Identity platform origin (`LOGIN_BASE_URL`, default `https://login.microsoftonline.com`).
    pub login_base_url: Url,
    /// How long settings are cached (`SETTINGS_TTL_SECONDS`, default 300).
    pub settings_ttl: Duration,
    /// How long a container trusts in-memory tokens and identities before re-reading the table
    /// (`TOKEN_CACHE_TTL_SECONDS`, default 300): the bound on how late `auth-revoke` and `cache-clear`
    /// reach warm containers.
    pub token_cache_ttl: Duration,
}

fn configuration_invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::ConfigurationInvalid, message)
}

fn required(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Result<String, ApiError> {
    lookup(name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| configuration_invalid(format!("environment variable {name} is not set")))
}

fn origin(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: &str,
) -> Result<Url, ApiError> {
    let text = lookup(name).unwrap_or_else(|| default.to_string());
    match Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(configuration_invalid(format!(
            "environment variable {name} is not an http(s) URL"
        ))),
    }
}

fn seconds(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: u64,
) -> Result<Duration, ApiError> {
    match lookup(name) {
        None => Ok(Duration::from_secs(default)),
        Some(text) => text.parse().map(Duration::from_secs).map_err(|_| {
            configuration_invalid(format!(
                "environment variable {name} is not a number of seconds"
            ))
        }),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ApiError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        Ok(Self {
            table_name: required(&lookup, "TABLE_NAME")?,
            settings_secret_id: required(&lookup, "SETTINGS_SECRET_ID")?,
            graph_base_url: origin(&lookup, "GRAPH_BASE_URL", "https://graph.microsoft.com")?,
            login_base_url: origin(
                &lookup,
                "LOGIN_BASE_URL",
                "https://login.microsoftonline.com",
            )?,
            settings_ttl: seconds(&lookup, "SETTINGS_TTL_SECONDS", 300)?,
            token_cache_ttl: seconds(&lookup, "TOKEN_CACHE_TTL_SECONDS", 300)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reads_defaults_and_refuses_bad_values() {
        let env = HashMap::from([("TABLE_NAME", "t"), ("SETTINGS_SECRET_ID", "s")]);
        let config = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(
            config.graph_base_url.as_str(),
            "https://graph.microsoft.com/"
        );
        assert_eq!(config.settings_ttl, Duration::from_secs(300));

        let env = HashMap::from([("TABLE_NAME", "t")]);
        let error = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(error.to_string().contains("SETTINGS_SECRET_ID"));

        let env = HashMap::from([
            ("TABLE_NAME", "t"),
            ("SETTINGS_SECRET_ID", "s"),
            ("GRAPH_BASE_URL", "ftp://x"),
        ]);
        assert!(Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).is_err());
    }
}
