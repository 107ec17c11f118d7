//! CloudWatch alarms on the functions' own metrics ([`super::metrics`]): the token keeper failing,
//! a spike of invalidated links, Microsoft unavailable, and the sign-in callback failing. Each
//! notifies the `AlarmTopicArn` SNS topic when one is given (`AlarmActionsEnabled`), and treats
//! missing data as fine: no invocation, no problem.

use serde_yaml_ng::Value;

use super::cfn::{if_condition, list, map, no_value, reference, sub};
use super::deployed_functions::TOKEN_KEEPER;
use super::metrics::{ERROR_CODE, ERRORS, FAILED, FUNCTION, INVALIDATED, NAMESPACE};
use super::parameters::{
    ALARM_ACTIONS_ENABLED, ALARM_TOPIC_ARN, INVALIDATION_ALARM_THRESHOLD,
    SIGN_IN_ERROR_ALARM_THRESHOLD, UPSTREAM_UNAVAILABLE_ALARM_THRESHOLD,
};
use shared::error::ErrorCode;

/// The function behind the public sign-in callback.
pub const AUTH_CALLBACK: &str = "auth-callback";

/// Logical id of the alarm on the keeper's errors and failed links.
pub const KEEPER_FAILURES_ALARM: &str = "KeeperFailuresAlarm";
/// Logical id of the alarm on invalidated links.
pub const INVALIDATIONS_ALARM: &str = "KeeperInvalidationsAlarm";
/// Logical id of the alarm on `UpstreamUnavailable` errors.
pub const UPSTREAM_UNAVAILABLE_ALARM: &str = "UpstreamUnavailableAlarm";
/// Logical id of the alarm on the sign-in callback's errors.
pub const SIGN_IN_ERRORS_ALARM: &str = "SignInCallbackErrorsAlarm";

/// Every alarm's logical id, in template order.
pub const ALARMS: [&str; 4] = [
    KEEPER_FAILURES_ALARM,
    INVALIDATIONS_ALARM,
    UPSTREAM_UNAVAILABLE_ALARM,
    SIGN_IN_ERRORS_ALARM,
];

/// Seconds of the short alarm period.
const FIVE_MINUTES: u32 = 300;
/// Seconds of the keeper's invalidation period: 16 runs.
const ONE_HOUR: u32 = 3600;

/// The fields naming a metric of the bundle's namespace with `dimensions`.
fn metric_fields(name: &str, dimensions: &[(&str, &str)]) -> [(&'static str, Value); 3] {
    [
        ("Namespace", NAMESPACE.into()),
        ("MetricName", name.into()),
        (
            "Dimensions",
            list(dimensions.iter().map(|(dimension, value)| {
                map([("Name", (*dimension).into()), ("Value", (*value).into())])
            })),
        ),
    ]
}

/// One metric's alarm: the `Sum` over `period` seconds of metric `name` with `dimensions`, above
/// `threshold`. Named `<stack>-<alarm_name>`.
fn sum_alarm(
    (alarm_name, description): (&str, &str),
    (name, dimensions): (&str, &[(&str, &str)]),
    period: u32,
    threshold: Value,
) -> Value {
    let mut properties = vec![
        (
            "AlarmName",
            sub(format!("${{AWS::StackName}}-{alarm_name}")),
        ),
        ("AlarmDescription", description.into()),
    ];
    properties.extend(metric_fields(name, dimensions));
    properties.extend([
        ("Statistic", "Sum".into()),
        ("Period", period.into()),
        ("EvaluationPeriods", 1.into()),
        ("Threshold", threshold),
    ]);
    alarm(properties)
}

/// The alarm resource of `properties`, completed with what every alarm shares.
fn alarm(mut properties: Vec<(&'static str, Value)>) -> Value {
    properties.extend([
        ("ComparisonOperator", "GreaterThanThreshold".into()),
        ("TreatMissingData", "notBreaching".into()),
        (
            "AlarmActions",
            if_condition(
                ALARM_ACTIONS_ENABLED,
                list([reference(ALARM_TOPIC_ARN)]),
                no_value(),
            ),
        ),
    ]);
    map([
        ("Type", "AWS::CloudWatch::Alarm".into()),
        ("Properties", map(properties)),
    ])
}

/// The keeper failed: a run ended in a function error (bad event, unreadable settings), or the table
/// failed on links, which stay due. Either, once in 5 minutes.
fn keeper_failures() -> Value {
    let stat = |id: &str, name: &str| {
        map([
            ("Id", id.into()),
            (
                "MetricStat",
                map([
                    (
                        "Metric",
                        map(metric_fields(name, &[(FUNCTION, TOKEN_KEEPER)])),
                    ),
                    ("Period", FIVE_MINUTES.into()),
                    ("Stat", "Sum".into()),
                ]),
            ),
            ("ReturnData", false.into()),
        ])
    };
    alarm(vec![
        ("AlarmName", sub("${AWS::StackName}-keeper-failures")),
        (
            "AlarmDescription",
            "The token keeper failed: a run ended in an error (bad event, unreadable settings) or the table failed on links, which stay due. See docs/operations.md"
                .into(),
        ),
        (
            "Metrics",
            list([
                stat("errors", ERRORS),
                stat("failed", FAILED),
                map([
                    ("Id", "failures".into()),
                    ("Expression", "FILL(errors, 0) + FILL(failed, 0)".into()),
                    ("Label", "keeper errors and failed links".into()),
                    ("ReturnData", true.into()),
                ]),
            ]),
        ),
        ("EvaluationPeriods", 1.into()),
        ("Threshold", 0.into()),
    ])
}

/// The alarms, by logical id.
pub fn alarm_resources() -> Vec<(String, Value)> {
    let upstream_unavailable = ErrorCode::UpstreamUnavailable.as_str();
    let alarms = [
        (KEEPER_FAILURES_ALARM, keeper_failures()),
        (
            INVALIDATIONS_ALARM,
            sum_alarm(
                (
                    "keeper-invalidations",
                    "The token keeper marked more links invalid in an hour than InvalidationAlarmThreshold: their users must sign in again (revoked consent, a tenant policy, a disabled app). See docs/operations.md",
                ),
                (INVALIDATED, &[(FUNCTION, TOKEN_KEEPER)]),
                ONE_HOUR,
                reference(INVALIDATION_ALARM_THRESHOLD),
            ),
        ),
        (
            UPSTREAM_UNAVAILABLE_ALARM,
            sum_alarm(
                (
                    "upstream-unavailable",
                    "More UpstreamUnavailable errors than UpstreamUnavailableAlarmThreshold in 5 minutes, over every function: Microsoft Graph or the token endpoint kept failing after retries. See docs/operations.md",
                ),
                (ERRORS, &[(ERROR_CODE, upstream_unavailable)]),
                FIVE_MINUTES,
                reference(UPSTREAM_UNAVAILABLE_ALARM_THRESHOLD),
            ),
        ),
        (
            SIGN_IN_ERRORS_ALARM,
            sum_alarm(
                (
                    "sign-in-callback-errors",
                    "auth-callback failed more often than SignInErrorAlarmThreshold in 5 minutes, answering an error instead of sending the browser on (settings, the table or the secret failing). See docs/operations.md",
                ),
                (ERRORS, &[(FUNCTION, AUTH_CALLBACK)]),
                FIVE_MINUTES,
                reference(SIGN_IN_ERROR_ALARM_THRESHOLD),
            ),
        ),
    ];
    alarms
        .into_iter()
        .map(|(id, alarm)| (id.to_string(), alarm))
        .collect()
}
