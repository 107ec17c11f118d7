//! The function's environment: where the table, the settings secret and Microsoft are.

use std::ops::RangeInclusive;
use std::time::Duration;

use reqwest::Url;

use crate::error::{ApiError, ErrorCode};
use crate::keeper::schedule::KeeperSchedule;
use crate::link_health::at_risk::{AtRiskPolicy, DEFAULT_AT_RISK_DAYS};
use crate::runtime::jwt_rules::{DEFAULT_SUBJECT_CLAIM, JwtRules};

/// How a failed direct invocation (Step Functions, another Lambda, `aws lambda invoke`) answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectErrors {
    /// `answer`: a normal result `{"status": 4xx/5xx, "body": {"error": ...}}` (the default).
    Answer,
    /// `function-error`: a Lambda function error whose `errorType` is the error code and whose
    /// `errorMessage` is the error body, so Step Functions' `Retry` and `Catch` match on the code.
    FunctionError,
}

fn direct_errors(lookup: &impl Fn(&str) -> Option<String>) -> Result<DirectErrors, ApiError> {
    match lookup("DIRECT_INVOCATION_ERRORS").as_deref() {
        None | Some("answer") => Ok(DirectErrors::Answer),
        Some("function-error") => Ok(DirectErrors::FunctionError),
        Some(_) => Err(configuration_invalid(
            "environment variable DIRECT_INVOCATION_ERRORS is not `answer` or `function-error`"
                .into(),
        )),
    }
}

fn jwt_rules(lookup: &impl Fn(&str) -> Option<String>) -> Result<JwtRules, ApiError> {
    let subject_claim = match lookup("JWT_SUBJECT_CLAIM") {
        None => DEFAULT_SUBJECT_CLAIM.to_string(),
        Some(claim) if !claim.trim().is_empty() && !claim.contains(char::is_whitespace) => claim,
        Some(_) => {
            return Err(configuration_invalid(
                "environment variable JWT_SUBJECT_CLAIM is not a claim name".into(),
            ));
        }
    };
    let required_scopes = lookup("JWT_REQUIRED_SCOPES")
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|scope| !scope.is_empty())
        .map(String::from)
        .collect();
    Ok(JwtRules {
        subject_claim,
        required_scopes,
    })
}

/// The service name logged when `POWERTOOLS_SERVICE_NAME` is not set.
pub const DEFAULT_SERVICE: &str = "graph-functions";

/// Seconds in a day, for `KEEPER_REFRESH_AGE_DAYS`.
const DAY_SECS: i64 = 24 * 3600;

/// Environment settings of every function.
#[derive(Debug, Clone)]
pub struct Config {
    /// What a JWT authorizer's token must carry (`JWT_SUBJECT_CLAIM`, default `sub`;
    /// `JWT_REQUIRED_SCOPES`, comma- or space-separated, default none).
    pub jwt_rules: JwtRules,
    /// Whether `auth-start` accepts `mode=dev` (`SIGN_IN_DEV_MODE`: `allowed`, the default, or
    /// `refused`).
    pub sign_in_dev_mode_allowed: bool,
    /// How a failed direct invocation answers (`DIRECT_INVOCATION_ERRORS`, default `answer`).
    pub direct_errors: DirectErrors,
    /// The service name in logs (`POWERTOOLS_SERVICE_NAME`, default `graph-functions`).
    pub service: String,
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
    /// When a link is due for the token keeper (`KEEPER_REFRESH_AGE_DAYS` after its last refresh,
    /// default 14, at most 60: well inside Microsoft's 90-day window) and how many shards the keeper
    /// index has (`KEEPER_SHARDS`, default 16, at most 1000). Every function that writes links must
    /// see the same values.
    pub keeper_schedule: KeeperSchedule,
    /// How many refreshes the token keeper runs at a time (`KEEPER_CONCURRENCY`, default 8, at most 64).
    pub keeper_concurrency: usize,
    /// The EventBridge bus events are published to (`EVENT_BUS_NAME`, name or ARN). Unset: the
    /// bundle publishes no events (link events are skipped; the change feed refuses to run).
    pub event_bus_name: Option<String>,
    /// When a failing link is announced at risk (`LINK_AT_RISK_DAYS`, default 7, 1–30): after
    /// that many days of failed refreshes, or that many days before Microsoft's 90-day
    /// inactivity limit.
    pub link_at_risk: AtRiskPolicy,
    /// The bundle's public notification route Graph posts change notifications to
    /// (`NOTIFICATION_URL`, e.g. `https://<api>/graph/notifications`; `https://`, or `http://` on a
    /// loopback host for local stacks). Unset: `subscriptions-create` refuses to run.
    pub notification_url: Option<String>,
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

fn bounded(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: u32,
    allowed: RangeInclusive<u32>,
) -> Result<u32, ApiError> {
    let Some(text) = lookup(name) else {
        return Ok(default);
    };
    text.parse()
        .ok()
        .filter(|value| allowed.contains(value))
        .ok_or_else(|| {
            configuration_invalid(format!(
                "environment variable {name} is not a whole number from {} to {}",
                allowed.start(),
                allowed.end()
            ))
        })
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ApiError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        Ok(Self {
            sign_in_dev_mode_allowed: match lookup("SIGN_IN_DEV_MODE").as_deref() {
                None | Some("allowed") => true,
                Some("refused") => false,
                Some(_) => {
                    return Err(configuration_invalid(
                        "environment variable SIGN_IN_DEV_MODE is not `allowed` or `refused`"
                            .into(),
                    ));
                }
            },
            jwt_rules: jwt_rules(&lookup)?,
            direct_errors: direct_errors(&lookup)?,
            service: lookup("POWERTOOLS_SERVICE_NAME")
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_SERVICE.to_string()),
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
            keeper_schedule: KeeperSchedule {
                refresh_age_secs: i64::from(bounded(
                    &lookup,
                    "KEEPER_REFRESH_AGE_DAYS",
                    14,
                    1..=60,
                )?) * DAY_SECS,
                shards: bounded(&lookup, "KEEPER_SHARDS", 16, 1..=1000)?,
            },
            keeper_concurrency: bounded(&lookup, "KEEPER_CONCURRENCY", 8, 1..=64)? as usize,
            event_bus_name: lookup("EVENT_BUS_NAME").filter(|name| !name.trim().is_empty()),
            link_at_risk: AtRiskPolicy::days(bounded(
                &lookup,
                "LINK_AT_RISK_DAYS",
                DEFAULT_AT_RISK_DAYS,
                1..=30,
            )?),
            notification_url: notification_url(&lookup)?,
        })
    }
}

/// `NOTIFICATION_URL`: an absolute `https://` URL, or `http://` on a loopback host.
fn notification_url(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, ApiError> {
    let Some(text) = lookup("NOTIFICATION_URL").filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let loopback = |url: &Url| matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match Url::parse(&text) {
        Ok(url)
            if url.fragment().is_none()
                && (url.scheme() == "https" || (url.scheme() == "http" && loopback(&url))) =>
        {
            Ok(Some(text))
        }
        _ => Err(configuration_invalid(
            "environment variable NOTIFICATION_URL is not an https URL".to_string(),
        )),
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
        assert_eq!(config.event_bus_name, None);
        assert_eq!(config.link_at_risk, AtRiskPolicy::days(7));

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

    #[test]
    fn reads_the_jwt_rules() {
        let read = |extra: &[(&'static str, &'static str)]| {
            let mut env = HashMap::from([("TABLE_NAME", "t"), ("SETTINGS_SECRET_ID", "s")]);
            env.extend(extra.iter().copied());
            Config::from_lookup(|k| env.get(k).map(|v| v.to_string()))
        };
        assert_eq!(read(&[]).unwrap().jwt_rules, JwtRules::default());
        let custom = read(&[
            ("JWT_SUBJECT_CLAIM", "oid"),
            ("JWT_REQUIRED_SCOPES", "graph.write, admin"),
        ])
        .unwrap();
        assert_eq!(custom.jwt_rules.subject_claim, "oid");
        assert_eq!(custom.jwt_rules.required_scopes, ["graph.write", "admin"]);
        assert!(read(&[("JWT_SUBJECT_CLAIM", " ")]).is_err());
    }

    #[test]
    fn reads_how_direct_errors_answer() {
        let read = |value: Option<&'static str>| {
            let mut env = HashMap::from([("TABLE_NAME", "t"), ("SETTINGS_SECRET_ID", "s")]);
            if let Some(value) = value {
                env.insert("DIRECT_INVOCATION_ERRORS", value);
            }
            Config::from_lookup(|k| env.get(k).map(|v| v.to_string()))
        };
        assert_eq!(read(None).unwrap().direct_errors, DirectErrors::Answer);
        assert_eq!(
            read(Some("function-error")).unwrap().direct_errors,
            DirectErrors::FunctionError
        );
        assert!(read(Some("throw")).is_err());
    }

    #[test]
    fn reads_the_keeper_settings_within_their_bounds() {
        let read = |extra: &[(&'static str, &'static str)]| {
            let mut env = HashMap::from([("TABLE_NAME", "t"), ("SETTINGS_SECRET_ID", "s")]);
            env.extend(extra.iter().copied());
            Config::from_lookup(|k| env.get(k).map(|v| v.to_string()))
        };
        let defaults = read(&[]).unwrap();
        assert_eq!(defaults.keeper_schedule, KeeperSchedule::default());
        assert_eq!(defaults.keeper_concurrency, 8);

        let custom = read(&[
            ("KEEPER_REFRESH_AGE_DAYS", "30"),
            ("KEEPER_SHARDS", "64"),
            ("KEEPER_CONCURRENCY", "32"),
        ])
        .unwrap();
        assert_eq!(custom.keeper_schedule.refresh_age_secs, 30 * DAY_SECS);
        assert_eq!(custom.keeper_schedule.shards, 64);
        assert_eq!(custom.keeper_concurrency, 32);

        for bad in [
            ("KEEPER_REFRESH_AGE_DAYS", "90"),
            ("KEEPER_REFRESH_AGE_DAYS", "0"),
            ("KEEPER_SHARDS", "0"),
            ("KEEPER_CONCURRENCY", "many"),
        ] {
            let error = read(&[bad]).unwrap_err();
            assert!(error.to_string().contains(bad.0), "{error}");
        }
    }

    #[test]
    fn the_notification_url_is_https_or_loopback_http() {
        let config = |url: &str| {
            let env = HashMap::from([
                ("TABLE_NAME", "t"),
                ("SETTINGS_SECRET_ID", "s"),
                ("NOTIFICATION_URL", url),
            ]);
            Config::from_lookup(|k| env.get(k).map(|v| v.to_string()))
        };
        for good in [
            "https://api.example/graph/notifications",
            "http://127.0.0.1:9000/graph/notifications",
        ] {
            assert_eq!(
                config(good).unwrap().notification_url.as_deref(),
                Some(good)
            );
        }
        for bad in [
            "http://api.example/x",
            "ftp://x",
            "not a url",
            "https://a/#f",
        ] {
            assert!(config(bad).is_err(), "{bad}");
        }
        assert_eq!(config("").unwrap().notification_url, None);
    }
}
