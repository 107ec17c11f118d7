//! Decodes the token keeper's event into the shard numbers it must process:
//!
//! - `{"shards": [0, 1]}`: the constant input of a per-shard EventBridge schedule, or a direct
//!   invocation;
//! - an EventBridge / CloudWatch Events scheduled event with no constant input
//!   (`"detail-type": "Scheduled Event"`): every shard in one invocation (small deployments only).

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;

/// `detail-type` of the events EventBridge schedules send.
const SCHEDULED_EVENT: &str = "Scheduled Event";

/// The event naming the shards.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardsEvent {
    shards: Vec<u32>,
}

/// The shard numbers `event` asks for, each below `shard_count` and named once.
pub fn keeper_shards(event: Value, shard_count: u32) -> Result<Vec<u32>, ApiError> {
    let shards = match serde_json::from_value::<ShardsEvent>(event.clone()) {
        Ok(named) => named.shards,
        Err(_) => match serde_json::from_value::<CloudWatchEvent>(event) {
            Ok(scheduled) if scheduled.detail_type.as_deref() == Some(SCHEDULED_EVENT) => {
                (0..shard_count).collect()
            }
            _ => {
                return Err(ApiError::invalid(
                    "the token keeper expects {\"shards\": [<shard number>, ...]} or a scheduled event",
                ));
            }
        },
    };
    if shards.is_empty() {
        return Err(ApiError::invalid("`shards` names no shard"));
    }
    if let Some(shard) = shards.iter().find(|&&shard| shard >= shard_count) {
        return Err(ApiError::invalid(format!(
            "shard {shard} does not exist: KEEPER_SHARDS is {shard_count} (shards 0 to {})",
            shard_count - 1
        )));
    }
    let mut unique = shards.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != shards.len() {
        return Err(ApiError::invalid("`shards` names a shard twice"));
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_named_shards_and_scheduled_events() {
        assert_eq!(
            keeper_shards(json!({"shards": [3, 1]}), 16).unwrap(),
            [3, 1]
        );
        let scheduled = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-22T05:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/token-keeper"], "detail": {}
        });
        assert_eq!(keeper_shards(scheduled, 4).unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn refuses_anything_else() {
        for (event, says) in [
            (json!({"shards": [16]}), "shard 16 does not exist"),
            (json!({"shards": []}), "no shard"),
            (json!({"shards": [1, 1]}), "twice"),
            (json!({"shard": 1}), "expects"),
            (json!({"shards": [1], "all": true}), "expects"),
            (
                json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
                    "time": "2026-11-22T05:00:00Z", "resources": [], "detail": {}}),
                "expects",
            ),
        ] {
            let error = keeper_shards(event, 16).unwrap_err();
            assert!(error.to_string().contains(says), "{error}");
        }
    }
}
