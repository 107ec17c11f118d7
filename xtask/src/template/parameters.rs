//! The template's parameters (what an operator chooses at `sam deploy --guided`), the rule that checks
//! them together, and the conditions derived from them.

use serde_yaml_ng::Value;

use super::cfn::{equals, list, map, not, reference};
use super::keeper_schedules::KEEPER_SHARD_COUNTS;

/// Days CloudWatch keeps every log group of the stack.
pub const LOG_RETENTION_DAYS: &str = "LogRetentionDays";
/// Lambda's application log level of every function (`LoggingConfig.ApplicationLogLevel`), which
/// Lambda passes to the function as `AWS_LAMBDA_LOG_LEVEL`.
pub const LOG_LEVEL: &str = "LogLevel";
/// X-Ray tracing of every function: `Active` or `PassThrough`.
pub const TRACING: &str = "Tracing";
/// `POWERTOOLS_SERVICE_NAME`: the `service` of every log line.
pub const SERVICE_NAME: &str = "ServiceName";
/// `DIRECT_INVOCATION_ERRORS`: how a failed direct invocation answers.
pub const DIRECT_INVOCATION_ERRORS: &str = "DirectInvocationErrors";
/// `KEEPER_SHARDS`.
pub const KEEPER_SHARDS: &str = "KeeperShards";
/// `KEEPER_REFRESH_AGE_DAYS`.
pub const KEEPER_REFRESH_AGE_DAYS: &str = "KeeperRefreshAgeDays";
/// `KEEPER_CONCURRENCY`.
pub const KEEPER_CONCURRENCY: &str = "KeeperConcurrency";
/// `LINK_AT_RISK_DAYS`.
pub const LINK_AT_RISK_DAYS: &str = "LinkAtRiskDays";
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
/// `JWT_SUBJECT_CLAIM`: the claim of a JWT that names the application user.
pub const JWT_SUBJECT_CLAIM: &str = "JwtSubjectClaim";
/// `JWT_REQUIRED_SCOPES`: scopes of which a JWT must carry one.
pub const JWT_REQUIRED_SCOPES: &str = "JwtRequiredScopes";
/// Scopes of which a JWT must carry one to call a function that writes (`JWT_REQUIRED_SCOPES` of
/// those functions, when set).
pub const JWT_WRITE_SCOPES: &str = "JwtWriteScopes";
/// `SIGN_IN_DEV_MODE`: whether `auth-start` accepts `mode=dev`.
pub const SIGN_IN_DEV_MODE: &str = "SignInDevMode";
/// Condition: write scopes are set.
pub const JWT_WRITE_SCOPES_SET: &str = "JwtWriteScopesSet";
/// Steady-state requests per second API Gateway lets through to the public sign-in callback.
pub const CALLBACK_RATE_LIMIT: &str = "AuthCallbackThrottlingRateLimit";
/// Burst of requests API Gateway lets through to the public sign-in callback.
pub const CALLBACK_BURST_LIMIT: &str = "AuthCallbackThrottlingBurstLimit";
/// Concurrency reserved for (and capping) the public sign-in callback; 0 reserves none.
pub const CALLBACK_RESERVED_CONCURRENCY: &str = "AuthCallbackReservedConcurrency";
/// Steady-state requests per second API Gateway lets through to the public notification route.
pub const NOTIFICATIONS_RATE_LIMIT: &str = "GraphNotificationsThrottlingRateLimit";
/// Burst of requests API Gateway lets through to the public notification route.
pub const NOTIFICATIONS_BURST_LIMIT: &str = "GraphNotificationsThrottlingBurstLimit";
/// Concurrency reserved for (and capping) the notification endpoint; 0 reserves none.
pub const NOTIFICATIONS_RESERVED_CONCURRENCY: &str = "GraphNotificationsReservedConcurrency";
/// `NOTIFICATION_URL`: the public notification route's URL Graph is given (the `ApiUrl` output
/// plus `/graph/notifications`, or a custom domain's); empty: the change feed creates nothing. A
/// parameter, not a reference to the API: the API's integrations name the functions, so the
/// functions cannot name the API.
pub const NOTIFICATION_URL: &str = "NotificationUrl";
/// The SNS topic alarms notify; empty: no notifications.
pub const ALARM_TOPIC_ARN: &str = "AlarmTopicArn";
/// Links the keeper may invalidate in an hour before the invalidation alarm fires.
pub const INVALIDATION_ALARM_THRESHOLD: &str = "InvalidationAlarmThreshold";
/// `UpstreamUnavailable` errors in 5 minutes, over every function, before its alarm fires.
pub const UPSTREAM_UNAVAILABLE_ALARM_THRESHOLD: &str = "UpstreamUnavailableAlarmThreshold";
/// Errors of the sign-in callback in 5 minutes before its alarm fires.
pub const SIGN_IN_ERROR_ALARM_THRESHOLD: &str = "SignInErrorAlarmThreshold";

/// Condition: the routes use the JWT authorizer instead of IAM authorization.
pub const JWT_AUTHORIZER_ENABLED: &str = "JwtAuthorizerEnabled";
/// Condition: X-Ray tracing is `Active`, so every role may write traces.
pub const TRACING_ACTIVE: &str = "TracingActive";
/// Condition: alarms notify the `AlarmTopicArn` topic.
pub const ALARM_ACTIONS_ENABLED: &str = "AlarmActionsEnabled";
/// Condition: the sign-in callback has reserved concurrency.
pub const CALLBACK_CONCURRENCY_RESERVED: &str = "AuthCallbackConcurrencyReserved";
/// Condition: the notification endpoint has reserved concurrency.
pub const NOTIFICATIONS_CONCURRENCY_RESERVED: &str = "GraphNotificationsConcurrencyReserved";

/// The throttling and concurrency parameters of a public route's function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicLimits {
    /// Steady-state requests per second.
    pub rate: &'static str,
    /// Burst.
    pub burst: &'static str,
    /// Reserved concurrency.
    pub reserved: &'static str,
    /// Condition: some concurrency is reserved.
    pub reserved_condition: &'static str,
}

/// The limits of the public route of function `name`: the notification endpoint's own, or the
/// sign-in callback's.
pub fn public_limits(name: &str) -> PublicLimits {
    if name == shared::change_feed::functions::GRAPH_NOTIFICATIONS {
        PublicLimits {
            rate: NOTIFICATIONS_RATE_LIMIT,
            burst: NOTIFICATIONS_BURST_LIMIT,
            reserved: NOTIFICATIONS_RESERVED_CONCURRENCY,
            reserved_condition: NOTIFICATIONS_CONCURRENCY_RESERVED,
        }
    } else {
        PublicLimits {
            rate: CALLBACK_RATE_LIMIT,
            burst: CALLBACK_BURST_LIMIT,
            reserved: CALLBACK_RESERVED_CONCURRENCY,
            reserved_condition: CALLBACK_CONCURRENCY_RESERVED,
        }
    }
}

/// Lambda's application log levels the `LogLevel` parameter offers. Not `WARN` and above: Lambda
/// gives a JSON line without a `level` field the level `INFO`, and the metrics documents (EMF) have
/// none, so at `WARN` Lambda would drop every metric.
pub const LOG_LEVELS: [&str; 3] = ["TRACE", "DEBUG", "INFO"];

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

fn one_of(description: &str, default: &str, allowed: &[&str]) -> Value {
    map([
        ("Type", "String".into()),
        ("Description", description.into()),
        ("Default", default.into()),
        ("AllowedValues", list(allowed.iter().copied())),
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
            one_of(
                "Lambda's application log level of every function (JSON logs; the functions log at this level)",
                "INFO",
                &LOG_LEVELS,
            ),
        ),
        (
            TRACING,
            one_of(
                "X-Ray tracing of every function: PassThrough traces only requests a traced caller sampled; Active traces a sample of all (and lets the roles write traces)",
                "PassThrough",
                &["PassThrough", "Active"],
            ),
        ),
        (
            SERVICE_NAME,
            string(
                "The service field of every log line (POWERTOOLS_SERVICE_NAME)",
                "graph-functions",
                "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
            ),
        ),
        (
            DIRECT_INVOCATION_ERRORS,
            one_of(
                "How a failed direct invocation answers (DIRECT_INVOCATION_ERRORS): answer returns the error as a result; function-error makes it a Lambda function error whose errorType is the error code (Step Functions Retry and Catch)",
                "answer",
                &["answer", "function-error"],
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
            LINK_AT_RISK_DAYS,
            number(
                "A link whose refreshes failed this many days, or this close to Microsoft's 90-day inactivity limit, is announced at risk (LINK_AT_RISK_DAYS)",
                7,
                range(1, Some(30)),
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
        (
            JWT_SUBJECT_CLAIM,
            string(
                "The claim of a JWT that names the caller's application user, its authUserId (JWT_SUBJECT_CLAIM)",
                "sub",
                "^[!-~]+$",
            ),
        ),
        (
            JWT_REQUIRED_SCOPES,
            string(
                "Scopes (comma or space separated) of which a JWT must carry at least one; empty: any token the authorizer accepts (JWT_REQUIRED_SCOPES)",
                "",
                "^[!-~ ]*$",
            ),
        ),
        (
            SIGN_IN_DEV_MODE,
            map([
                ("Type", "String".into()),
                (
                    "Description",
                    "Whether auth-start accepts mode=dev sign-ins, which ask for the settings' dev scopes (SIGN_IN_DEV_MODE)"
                        .into(),
                ),
                ("Default", "allowed".into()),
                ("AllowedValues", list(["allowed", "refused"])),
            ]),
        ),
        (
            JWT_WRITE_SCOPES,
            string(
                "Scopes (comma or space separated) of which a JWT must carry at least one to call a function that creates, updates, deletes or responds (JWT_REQUIRED_SCOPES of those functions); empty: JwtRequiredScopes applies to them too",
                "",
                "^[!-~ ]*$",
            ),
        ),
        (
            CALLBACK_RATE_LIMIT,
            number(
                "Requests per second API Gateway lets through to the public GET /auth/callback route (steady state)",
                10,
                range(1, Some(10_000)),
            ),
        ),
        (
            CALLBACK_BURST_LIMIT,
            number(
                "Burst of requests API Gateway lets through to the public GET /auth/callback route",
                20,
                range(1, Some(5_000)),
            ),
        ),
        (
            CALLBACK_RESERVED_CONCURRENCY,
            number(
                "Concurrent executions reserved for auth-callback, which also caps it; 0 reserves none (the function shares the account's pool)",
                10,
                range(0, Some(1_000)),
            ),
        ),
        (
            NOTIFICATIONS_RATE_LIMIT,
            number(
                "Requests per second API Gateway lets through to the public POST /graph/notifications route (steady state); Graph batches notifications, and answers slower than 3 s get it throttled",
                50,
                range(1, Some(10_000)),
            ),
        ),
        (
            NOTIFICATIONS_BURST_LIMIT,
            number(
                "Burst of requests API Gateway lets through to the public POST /graph/notifications route",
                100,
                range(1, Some(5_000)),
            ),
        ),
        (
            NOTIFICATIONS_RESERVED_CONCURRENCY,
            number(
                "Concurrent executions reserved for graph-notifications, which also caps it; 0 reserves none",
                10,
                range(0, Some(1_000)),
            ),
        ),
        (
            NOTIFICATION_URL,
            string(
                "The public notification route Graph posts change notifications to: the ApiUrl output followed by /graph/notifications (or your custom domain's); empty: subscriptions-create refuses to run",
                "",
                "^(https://[!-~]+)?$",
            ),
        ),
        (
            ALARM_TOPIC_ARN,
            string(
                "SNS topic the alarms notify; empty: the alarms change state without notifying anyone",
                "",
                "^(arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256})?$",
            ),
        ),
        (
            INVALIDATION_ALARM_THRESHOLD,
            number(
                "Links the token keeper may mark invalid in one hour before the invalidation alarm fires",
                50,
                range(0, None),
            ),
        ),
        (
            UPSTREAM_UNAVAILABLE_ALARM_THRESHOLD,
            number(
                "UpstreamUnavailable errors (over every function) in 5 minutes before their alarm fires",
                10,
                range(0, None),
            ),
        ),
        (
            SIGN_IN_ERROR_ALARM_THRESHOLD,
            number(
                "Errors of auth-callback in 5 minutes before the sign-in alarm fires (0: the first error)",
                0,
                range(0, None),
            ),
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
    let mut entries = vec![
        (
            JWT_AUTHORIZER_ENABLED.to_string(),
            not(equals(reference(JWT_ISSUER), "".into())),
        ),
        (
            TRACING_ACTIVE.to_string(),
            equals(reference(TRACING), "Active".into()),
        ),
        (
            ALARM_ACTIONS_ENABLED.to_string(),
            not(equals(reference(ALARM_TOPIC_ARN), "".into())),
        ),
        (
            JWT_WRITE_SCOPES_SET.to_string(),
            not(equals(reference(JWT_WRITE_SCOPES), "".into())),
        ),
        (
            CALLBACK_CONCURRENCY_RESERVED.to_string(),
            not(equals(reference(CALLBACK_RESERVED_CONCURRENCY), "0".into())),
        ),
        (
            NOTIFICATIONS_CONCURRENCY_RESERVED.to_string(),
            not(equals(
                reference(NOTIFICATIONS_RESERVED_CONCURRENCY),
                "0".into(),
            )),
        ),
    ];
    entries.extend(KEEPER_SHARD_COUNTS.iter().skip(1).map(|&count| {
        (
            keeper_shards_condition(count),
            equals(reference(KEEPER_SHARDS), count.to_string().into()),
        )
    }));
    map(entries)
}
