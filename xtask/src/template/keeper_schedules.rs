//! The token keeper's schedules: a fixed number of EventBridge Scheduler schedules, each invoking the
//! keeper every hour at its own minute with a constant `{"shards": [...]}` input (the event
//! `shared::runtime::keeper_event` reads). Schedule `g` processes shards `g`, `g + 16`, `g + 32`, ... below
//! the `KeeperShards` parameter, so every shard count the template offers gives every schedule the
//! same share, and the token endpoint sees a steady trickle rather than one burst per hour.

use serde_yaml_ng::Value;

use super::cfn::{allow, assumed_by, get_att, if_condition, list, map, policy_document, reference};
use super::parameters::keeper_shards_condition;

/// How many schedules invoke the keeper.
const KEEPER_SCHEDULES: u32 = 16;
/// The shard counts the `KeeperShards` parameter allows: multiples of [`KEEPER_SCHEDULES`], so the
/// shards divide evenly among the schedules.
pub const KEEPER_SHARD_COUNTS: [u32; 4] = [16, 32, 64, 128];
/// Logical id of the role EventBridge Scheduler invokes the keeper with.
const SCHEDULER_ROLE: &str = "KeeperSchedulerRole";
/// Seconds a delivery may be late before the scheduler drops it: the next hourly run covers it.
const MAXIMUM_EVENT_AGE_SECONDS: u32 = 3600;

/// The shards schedule `schedule` processes when the index has `shard_count` shards.
fn shards_of(schedule: u32, shard_count: u32) -> Vec<u32> {
    (schedule..shard_count)
        .step_by(KEEPER_SCHEDULES as usize)
        .collect()
}

/// The minute of the hour schedule `schedule` runs at: spread evenly over the hour.
fn minute_of(schedule: u32) -> u32 {
    60 * schedule / KEEPER_SCHEDULES
}

/// The logical id of schedule `schedule`.
fn schedule_id(schedule: u32) -> String {
    format!("KeeperSchedule{schedule:02}")
}

/// The keeper event for `shards`, as the schedule's constant input.
fn input(shards: &[u32]) -> Value {
    serde_json::json!({ "shards": shards }).to_string().into()
}

/// The input of schedule `schedule`: one `Fn::If` branch per shard count the template allows.
fn conditional_input(schedule: u32) -> Value {
    let (smallest, larger) = KEEPER_SHARD_COUNTS
        .split_first()
        .expect("the template offers at least one shard count");
    larger.iter().fold(
        input(&shards_of(schedule, *smallest)),
        |otherwise, &count| {
            if_condition(
                &keeper_shards_condition(count),
                input(&shards_of(schedule, count)),
                otherwise,
            )
        },
    )
}

/// The schedules and the role they invoke the keeper function `keeper_function` (a logical id) with.
pub fn keeper_schedule_resources(keeper_function: &str) -> Vec<(String, Value)> {
    let keeper_arn = get_att(keeper_function, "Arn");
    let role = map([
        ("Type", "AWS::IAM::Role".into()),
        (
            "Properties",
            map([
                (
                    "Description",
                    "Lets EventBridge Scheduler invoke the token keeper, and nothing else".into(),
                ),
                (
                    "AssumeRolePolicyDocument",
                    assumed_by(
                        "scheduler.amazonaws.com",
                        Some(map([(
                            "StringEquals",
                            map([("aws:SourceAccount", reference("AWS::AccountId"))]),
                        )])),
                    ),
                ),
                (
                    "Policies",
                    list([map([
                        ("PolicyName", "invoke-token-keeper".into()),
                        (
                            "PolicyDocument",
                            policy_document([allow(
                                "InvokeTokenKeeper",
                                &["lambda:InvokeFunction"],
                                vec![keeper_arn.clone()],
                            )]),
                        ),
                    ])]),
                ),
            ]),
        ),
    ]);
    let schedules = (0..KEEPER_SCHEDULES).map(|schedule| {
        let resource = map([
            ("Type", "AWS::Scheduler::Schedule".into()),
            (
                "Properties",
                map([
                    (
                        "Description",
                        format!(
                            "token-keeper, shard group {schedule}: every hour at minute {}",
                            minute_of(schedule)
                        )
                        .into(),
                    ),
                    (
                        "ScheduleExpression",
                        format!("cron({} * * * ? *)", minute_of(schedule)).into(),
                    ),
                    ("FlexibleTimeWindow", map([("Mode", "OFF".into())])),
                    ("State", "ENABLED".into()),
                    (
                        "Target",
                        map([
                            ("Arn", keeper_arn.clone()),
                            ("RoleArn", get_att(SCHEDULER_ROLE, "Arn")),
                            ("Input", conditional_input(schedule)),
                            (
                                "RetryPolicy",
                                map([(
                                    "MaximumEventAgeInSeconds",
                                    MAXIMUM_EVENT_AGE_SECONDS.into(),
                                )]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ]);
        (schedule_id(schedule), resource)
    });
    std::iter::once((SCHEDULER_ROLE.to_string(), role))
        .chain(schedules)
        .collect()
}
