//! The Lambda functions: what they share (SAM `Globals`: runtime, architecture, memory, timeout,
//! tracing, JSON logs at the chosen level, environment) and, per function, the function itself with
//! its route, its log group and its own IAM role whose one policy allows exactly what
//! [`super::permissions`] lists for it.

use serde_yaml_ng::Value;

use super::cfn::{
    allow, assumed_by, get_att, if_condition, list, map, no_value, policy_document, reference, sub,
};
use super::deployed_functions::{DEFAULT_TIMEOUT_SECONDS, DeployedFunction};
use super::event_bus::EVENT_BUS;
use super::http_api::route_events;
use super::parameters::{
    DIRECT_INVOCATION_ERRORS, GRAPH_BASE_URL, JWT_REQUIRED_SCOPES, JWT_SUBJECT_CLAIM,
    JWT_WRITE_SCOPES, JWT_WRITE_SCOPES_SET, KEEPER_CONCURRENCY, KEEPER_REFRESH_AGE_DAYS,
    KEEPER_SHARDS, LINK_AT_RISK_DAYS, LOG_LEVEL, LOG_RETENTION_DAYS, LOGIN_BASE_URL,
    NOTIFICATION_URL, SERVICE_NAME, SETTINGS_TTL_SECONDS, SIGN_IN_DEV_MODE,
    TOKEN_CACHE_TTL_SECONDS, TRACING, TRACING_ACTIVE, public_limits,
};
use super::permissions::{GET_SECRET_VALUE, PUT_EVENTS, QUERY, TABLE_ITEMS_SID, XRAY_WRITE};
use super::storage::{SETTINGS_SECRET, TABLE};
use shared::adapters::dynamodb_table::KEEPER_INDEX;
use shared::change_feed::functions::{SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE};
use shared::operations::catalog;
use shared::sign_in::functions::RouteAccess;

/// Memory of every function, in MB.
const MEMORY_MB: u32 = 128;
/// Lambda's own log lines (`START`, `END`, `REPORT`) are kept from this level up: warnings only.
const SYSTEM_LOG_LEVEL: &str = "WARN";

/// The environment every function runs with: each variable from a resource or a parameter. The log
/// level is not among them: Lambda passes the `LoggingConfig`'s level as `AWS_LAMBDA_LOG_LEVEL`,
/// which the functions follow when `RUST_LOG` is unset.
fn environment() -> Value {
    map([
        ("POWERTOOLS_SERVICE_NAME", reference(SERVICE_NAME)),
        (
            "DIRECT_INVOCATION_ERRORS",
            reference(DIRECT_INVOCATION_ERRORS),
        ),
        ("TABLE_NAME", reference(TABLE)),
        ("SETTINGS_SECRET_ID", reference(SETTINGS_SECRET)),
        ("EVENT_BUS_NAME", reference(EVENT_BUS)),
        ("GRAPH_BASE_URL", reference(GRAPH_BASE_URL)),
        ("LOGIN_BASE_URL", reference(LOGIN_BASE_URL)),
        ("SETTINGS_TTL_SECONDS", reference(SETTINGS_TTL_SECONDS)),
        (
            "TOKEN_CACHE_TTL_SECONDS",
            reference(TOKEN_CACHE_TTL_SECONDS),
        ),
        (
            "KEEPER_REFRESH_AGE_DAYS",
            reference(KEEPER_REFRESH_AGE_DAYS),
        ),
        ("KEEPER_SHARDS", reference(KEEPER_SHARDS)),
        ("KEEPER_CONCURRENCY", reference(KEEPER_CONCURRENCY)),
        ("LINK_AT_RISK_DAYS", reference(LINK_AT_RISK_DAYS)),
        ("JWT_SUBJECT_CLAIM", reference(JWT_SUBJECT_CLAIM)),
        ("JWT_REQUIRED_SCOPES", reference(JWT_REQUIRED_SCOPES)),
        ("SIGN_IN_DEV_MODE", reference(SIGN_IN_DEV_MODE)),
        ("NOTIFICATION_URL", reference(NOTIFICATION_URL)),
    ])
}

/// The `Globals` section: what every function shares. `sam build` builds each function from the
/// workspace root with `cargo lambda build --release --arm64 --bin <function>` (each function's
/// `Metadata`). Logs are JSON (Lambda's advanced logging controls), so Lambda filters them by their
/// `level` field.
pub fn globals() -> Value {
    map([(
        "Function",
        map([
            ("CodeUri", ".".into()),
            ("Handler", "bootstrap".into()),
            ("Runtime", "provided.al2023".into()),
            ("Architectures", list(["arm64"])),
            ("MemorySize", MEMORY_MB.into()),
            ("Timeout", DEFAULT_TIMEOUT_SECONDS.into()),
            ("Tracing", reference(TRACING)),
            (
                "LoggingConfig",
                map([
                    ("LogFormat", "JSON".into()),
                    ("ApplicationLogLevel", reference(LOG_LEVEL)),
                    ("SystemLogLevel", SYSTEM_LOG_LEVEL.into()),
                ]),
            ),
            ("Environment", map([("Variables", environment())])),
        ]),
    )])
}

/// A log group keeping its events `LogRetentionDays` days, named `name` (the name Lambda writes a
/// function's logs to) or named by CloudFormation. Deleted with the stack: its events expire anyway.
pub fn log_group(name: Option<Value>) -> Value {
    let mut properties = Vec::new();
    properties.extend(name.map(|name| ("LogGroupName", name)));
    properties.push(("RetentionInDays", reference(LOG_RETENTION_DAYS)));
    map([
        ("Type", "AWS::Logs::LogGroup".into()),
        ("DeletionPolicy", "Delete".into()),
        ("UpdateReplacePolicy", "Delete".into()),
        ("Properties", map(properties)),
    ])
}

/// The function's name in the stack: `<stack name>-<function>`.
fn function_name(function: &DeployedFunction) -> String {
    format!("${{AWS::StackName}}-{}", function.name)
}

/// Logical id of the function's Lambda function.
pub fn function_id(function: &DeployedFunction) -> String {
    format!("{}Function", function.logical_id())
}

/// Logical id of the function's IAM role.
fn role_id(function: &DeployedFunction) -> String {
    format!("{}Role", function.logical_id())
}

/// Logical id of the function's log group.
fn log_group_id(function: &DeployedFunction) -> String {
    format!("{}Logs", function.logical_id())
}

/// The statements of the function's one policy: its log group, then its table, index and secret
/// access, publishing to the event bus, and writing traces while tracing is `Active`.
fn policy_statements(function: &DeployedFunction) -> Vec<Value> {
    let mut statements = vec![allow(
        "WriteOwnLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![get_att(&log_group_id(function), "Arn")],
    )];
    let access = function.access;
    for grant in access.table_grants {
        let mut items = allow(
            &format!("{TABLE_ITEMS_SID}{}", grant.name),
            grant.actions,
            vec![get_att(TABLE, "Arn")],
        );
        if let Value::Mapping(statement) = &mut items {
            statement.insert("Condition".into(), leading_keys(grant.key_prefixes));
        }
        statements.push(items);
    }
    if access.queries_keeper_index {
        statements.push(allow(
            "KeeperIndex",
            &[QUERY],
            vec![sub(format!("${{{TABLE}.Arn}}/index/{KEEPER_INDEX}"))],
        ));
    }
    if access.reads_settings {
        statements.push(allow(
            "ReadSettings",
            &[GET_SECRET_VALUE],
            vec![reference(SETTINGS_SECRET)],
        ));
    }
    if access.publishes_events {
        statements.push(allow(
            "PublishEvents",
            &[PUT_EVENTS],
            vec![get_att(EVENT_BUS, "Arn")],
        ));
    }
    statements.push(if_condition(
        TRACING_ACTIVE,
        allow("WriteTraces", &XRAY_WRITE, vec!["*".into()]),
        no_value(),
    ));
    statements
}

/// The IAM condition limiting item actions to keys that start with one of `prefixes`.
fn leading_keys(prefixes: &[&str]) -> Value {
    map([(
        "ForAllValues:StringLike",
        map([(
            "dynamodb:LeadingKeys",
            list(prefixes.iter().map(|prefix| format!("{prefix}*"))),
        )]),
    )])
}

/// The function's resources: the function (with its route, if it has one), its role and its log
/// group. The function behind the public route gets reserved concurrency, which also caps how many
/// of it anyone on the internet can keep running.
pub fn function_resources(function: &DeployedFunction) -> Vec<(String, Value)> {
    let mut properties = vec![
        ("FunctionName", sub(function_name(function))),
        ("Description", function.summary.into()),
        ("Role", get_att(&role_id(function), "Arn")),
    ];
    if function.timeout_seconds != DEFAULT_TIMEOUT_SECONDS {
        properties.push(("Timeout", function.timeout_seconds.into()));
    }
    let writes = catalog::find(function.name).is_some_and(|operation| operation.writes)
        || [SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE].contains(&function.name);
    if writes {
        // A JWT caller of a function that writes needs one of the write scopes, when they are set.
        properties.push((
            "Environment",
            map([(
                "Variables",
                map([(
                    "JWT_REQUIRED_SCOPES",
                    if_condition(
                        JWT_WRITE_SCOPES_SET,
                        reference(JWT_WRITE_SCOPES),
                        reference(JWT_REQUIRED_SCOPES),
                    ),
                )]),
            )]),
        ));
    }
    if let Some(route) = &function.route {
        if route.access == RouteAccess::Public {
            let limits = public_limits(function.name);
            properties.push((
                "ReservedConcurrentExecutions",
                if_condition(
                    limits.reserved_condition,
                    reference(limits.reserved),
                    no_value(),
                ),
            ));
        }
        properties.push(("Events", route_events(function.name, route)));
    }
    let lambda = map([
        ("Type", "AWS::Serverless::Function".into()),
        (
            "Metadata",
            map([
                ("BuildMethod", "rust-cargolambda".into()),
                ("BuildProperties", map([("Binary", function.name.into())])),
            ]),
        ),
        ("Properties", map(properties)),
    ]);
    let role = map([
        ("Type", "AWS::IAM::Role".into()),
        (
            "Properties",
            map([
                (
                    "Description",
                    format!("Execution role of {} alone", function.name).into(),
                ),
                (
                    "AssumeRolePolicyDocument",
                    assumed_by("lambda.amazonaws.com", None),
                ),
                (
                    "Policies",
                    list([map([
                        ("PolicyName", function.name.into()),
                        (
                            "PolicyDocument",
                            policy_document(policy_statements(function)),
                        ),
                    ])]),
                ),
            ]),
        ),
    ]);
    let logs = log_group(Some(sub(format!(
        "/aws/lambda/{}",
        function_name(function)
    ))));
    vec![
        (function_id(function), lambda),
        (role_id(function), role),
        (log_group_id(function), logs),
    ]
}
