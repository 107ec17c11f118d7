//! The application's event bus: every event the bundle publishes (link lifecycle events, the Graph
//! change feed) goes to this one EventBridge bus, which applications consume with their own rules
//! (docs/events.md). An archive keeps every event for replay after a consumer's outage
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html>).

use serde_yaml_ng::Value;

use super::cfn::{get_att, map, sub};

/// Logical id of the bus.
pub const EVENT_BUS: &str = "EventBus";
/// Logical id of the bus's archive.
const EVENT_ARCHIVE: &str = "EventArchive";
/// Days the archive keeps events: a consumer that was down for up to this long can replay them.
pub const ARCHIVE_RETENTION_DAYS: u32 = 14;

/// The bus (`<stack name>-events`) and its archive.
pub fn event_bus_resources() -> Vec<(String, Value)> {
    let bus = map([
        ("Type", "AWS::Events::EventBus".into()),
        (
            "Properties",
            map([("Name", sub("${AWS::StackName}-events"))]),
        ),
    ]);
    let archive = map([
        ("Type", "AWS::Events::Archive".into()),
        (
            "Properties",
            map([
                (
                    "Description",
                    "Every event the bundle published, for replay after a consumer's outage".into(),
                ),
                ("SourceArn", get_att(EVENT_BUS, "Arn")),
                ("RetentionDays", ARCHIVE_RETENTION_DAYS.into()),
            ]),
        ),
    ]);
    vec![
        (EVENT_BUS.to_string(), bus),
        (EVENT_ARCHIVE.to_string(), archive),
    ]
}
