//! The template's parameters (what an operator chooses at `sam deploy --guided`), the rule that checks
//! them together, and the conditions derived from them.

use serde_yaml_ng::Value;

use super::cfn::{equals, list, map, not, reference};
use super::keeper_schedules::KEEPER_SHARD_COUNTS;

/// Days CloudWatch keeps every log group of the stack.
pub const LOG_RETENTION_DAYS: &str = "LogRetentionDays";
/// The functions' `RUST_LOG`.
pub const LOG_LEVEL: &str = "LogLevel";
/// `KEEPER_SHARDS`.
pub const KEEPER_SHARDS: &str = "KeeperShards";
/// `KEEPER_REFRESH_AGE_DAYS`.
pub const KEEPER_REFRESH_AGE_DAYS: &str = "KeeperRefreshAgeDays";
/// `KEEPER_CONCURRENCY`.
pub const KEEPER_CONCURRENCY: &str = "KeeperConcurrency";
/// `SETTINGS_TTL_SECONDS`.
pub const SETTINGS_TTL_SECONDS: &str = "SettingsTtlSeconds";
/// `TOKEN_CACHE_TTL_SECONDS`.
pub const TOKEN_CACHE_TTL_SECONDS: &str = "TokenCacheTtlSeconds";
/// `GRAPH_BASE_URL`.
pub const GRAPH_BASE_URL: &str = "GraphBaseUrl";
/// `LOGIN_BASE_URL`.
pub const LOGIN_BASE_URL: &str = "LoginBaseUrl";
/// Issuer of the JWTs the optional JWT authorizer accepts.
pub const JWT_ISSUER: &str = "JwtIssuer";
/// Audiences of the JWTs the optional JWT authorizer accepts.
pub const JWT_AUDIENCE: &str = "JwtAudience";

/// Condition: the routes use the JWT authorizer instead of IAM authorization.
pub const JWT_AUTHORIZER_ENABLED: &str = "JwtAuthorizerEnabled";

/// The retention periods CloudWatch Logs accepts, in days.
const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// An `https://` origin: scheme and host, an optional port, nothing else.
const HTTPS_ORIGIN: &str = "^https://[A-Za-z0-9.-]+(:[0-9]+)?/?$";

fn number(description: &str, default: u32, rest: Vec<(&str, Value)>) -> Value {
    let mut entries = vec![
        ("Type", "Number".into()),
        ("Description", description.into()),
        ("Default", default.into()),
    ];
    entries.extend(rest);
    map(entries)
}

fn range(min: u32, max: Option<u32>) -> Vec<(&'static str, Value)> {
    let mut entries = vec![("MinValue", min.into())];
    entries.extend(max.map(|max| ("MaxValue", max.into())));
    entries
}

fn string(description: &str, default: &str, pattern: &str) -> Value {
    map([
        ("Type", "String".into()),
        ("Description", description.into()),
        ("Default", default.into()),
        ("AllowedPattern", pattern.into()),
    ])
}

/// The condition name that holds when the keeper index has `shard_count` shards.
pub fn keeper_shards_condition(shard_count: u32) -> String {
    format!("KeeperShards{shard_count}")
}

/// The `Parameters` section.
pub fn parameters() -> Value {
    map([
        (
            LOG_RETENTION_DAYS,
            number(
                "Days CloudWatch keeps the logs of every function and of the HTTP API",
                30,
                vec![("AllowedValues", list(RETENTION_DAYS))],
            ),
        ),
        (
            LOG_LEVEL,
            string(
                "RUST_LOG of every function: error, warn, info or debug, or a tracing filter",
                "info",
                "^[A-Za-z0-9_=,:.-]+$",
            ),
        ),
        (
            KEEPER_SHARDS,
            number(
                "Shards of the keeper index (KEEPER_SHARDS). May only grow: see infra/DEPLOY.md",
                16,
                vec![("AllowedValues", list(KEEPER_SHARD_COUNTS))],
            ),
        ),
        (
            KEEPER_REFRESH_AGE_DAYS,
            number(
                "A link is refreshed by the keeper this many days after its last refresh (KEEPER_REFRESH_AGE_DAYS)",
                14,
                range(1, Some(60)),
            ),
        ),
        (
            KEEPER_CONCURRENCY,
            number(
                "Refreshes in flight per keeper invocation (KEEPER_CONCURRENCY)",
                8,
                range(1, Some(64)),
            ),
        ),
        (
            SETTINGS_TTL_SECONDS,
            number(
                "Seconds a container caches the settings secret: a changed secret is used within this time (SETTINGS_TTL_SECONDS)",
                300,
                range(0, None),
            ),
        ),
        (
            TOKEN_CACHE_TTL_SECONDS,
            number(
                "Seconds a container trusts tokens in memory: the bound on how late auth-revoke and cache-clear reach warm containers (TOKEN_CACHE_TTL_SECONDS)",
                300,
                range(0, None),
            ),
        ),
        (
            GRAPH_BASE_URL,
            string(
                "Microsoft Graph origin (another one for national clouds)",
                "https://graph.microsoft.com",
                HTTPS_ORIGIN,
            ),
        ),
        (
            LOGIN_BASE_URL,
            string(
                "Microsoft identity platform origin (another one for national clouds)",
                "https://login.microsoftonline.com",
                HTTPS_ORIGIN,
            ),
        ),
        (
            JWT_ISSUER,
            string(
                "Empty: routes are IAM-authorized. Else the issuer of the JWTs a JWT authorizer accepts instead (set JwtAudience too)",
                "",
                "^(https://.+)?$",
            ),
        ),
        (
            JWT_AUDIENCE,
            map([
                ("Type", "CommaDelimitedList".into()),
                (
                    "Description",
                    "Audiences the JWT authorizer accepts, comma separated; empty when JwtIssuer is"
                        .into(),
                ),
                ("Default", "".into()),
            ]),
        ),
    ])
}

/// The `Rules` section: a JWT authorizer needs both its issuer and its audience.
pub fn rules() -> Value {
    let no_issuer = equals(reference(JWT_ISSUER), "".into());
    let no_audience = map([(
        "Fn::EachMemberEquals",
        list([reference(JWT_AUDIENCE), "".into()]),
    )]);
    let neither = map([("Fn::And", list([no_issuer.clone(), no_audience.clone()]))]);
    let both = map([("Fn::And", list([not(no_issuer), not(no_audience)]))]);
    let both_or_neither = map([("Fn::Or", list([neither, both]))]);
    map([(
        "JwtIssuerAndAudienceTogether",
        map([(
            "Assertions",
            list([map([
                ("Assert", both_or_neither),
                (
                    "AssertDescription",
                    "Set JwtIssuer and JwtAudience together (JWT authorizer), or leave both empty (IAM authorization)"
                        .into(),
                ),
            ])]),
        )]),
    )])
}

/// The `Conditions` section.
pub fn conditions() -> Value {
    let mut entries = vec![(
        JWT_AUTHORIZER_ENABLED.to_string(),
        not(equals(reference(JWT_ISSUER), "".into())),
    )];
    entries.extend(KEEPER_SHARD_COUNTS.iter().skip(1).map(|&count| {
        (
            keeper_shards_condition(count),
            equals(reference(KEEPER_SHARDS), count.to_string().into()),
        )
    }));
    map(entries)
}
