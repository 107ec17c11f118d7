//! CloudWatch metrics in the embedded metric format (EMF): one JSON log line that CloudWatch Logs
//! turns into metrics, with no API call from the function.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric the bundle emits.
pub const NAMESPACE: &str = "GraphFunctions";

/// The unit of a metric, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of things.
    Count,
    /// A duration in milliseconds.
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
        }
    }
}

/// One metric value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    /// Metric name.
    pub name: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// Its value.
    pub value: f64,
}

/// The EMF document for `metrics` of function `function` (the `Function` dimension), carrying
/// `properties` as extra searchable fields that are not metrics.
pub fn emf_document(function: &str, metrics: &[Metric], properties: Map<String, Value>) -> Value {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|metric| json!({"Name": metric.name, "Unit": metric.unit.as_str()}))
        .collect();
    let mut document = properties;
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": definitions,
            }],
        }),
    );
    document.insert("Function".into(), json!(function));
    for metric in metrics {
        document.insert(metric.name.into(), json!(metric.value));
    }
    Value::Object(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_declared_and_valued_at_the_root() {
        let mut properties = Map::new();
        properties.insert("Drained".into(), json!(true));
        let document = emf_document(
            "token-keeper",
            &[
                Metric {
                    name: "Refreshed",
                    unit: Unit::Count,
                    value: 3.0,
                },
                Metric {
                    name: "Duration",
                    unit: Unit::Milliseconds,
                    value: 12.5,
                },
            ],
            properties,
        );
        let directive = &document["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "GraphFunctions");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "Refreshed", "Unit": "Count"}, {"Name": "Duration", "Unit": "Milliseconds"}])
        );
        assert!(document["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);
        assert_eq!(document["Function"], "token-keeper");
        assert_eq!(document["Refreshed"], 3.0);
        assert_eq!(document["Duration"], 12.5);
        assert_eq!(document["Drained"], true);
    }
}
