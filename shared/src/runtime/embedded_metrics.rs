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

/// The metric counting failed invocations; with an error code it is also published by code.
pub const ERRORS: &str = "Errors";

/// The EMF document for `metrics` of function `function` (the `Function` dimension), carrying
/// `properties` as extra searchable fields that are not metrics. With `error_code`, the
/// [`ERRORS`] metric (which `metrics` must hold) is also published under the dimensions
/// `Function, ErrorCode` and `ErrorCode` alone, so one alarm can watch a code across every function.
pub fn emf_document(
    function: &str,
    metrics: &[Metric],
    error_code: Option<&str>,
    properties: Map<String, Value>,
) -> Value {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|metric| json!({"Name": metric.name, "Unit": metric.unit.as_str()}))
        .collect();
    let mut directives = vec![json!({
        "Namespace": NAMESPACE,
        "Dimensions": [["Function"]],
        "Metrics": definitions,
    })];
    let mut document = properties;
    if let Some(code) = error_code {
        directives.push(json!({
            "Namespace": NAMESPACE,
            "Dimensions": [["Function", "ErrorCode"], ["ErrorCode"]],
            "Metrics": [{"Name": ERRORS, "Unit": Unit::Count.as_str()}],
        }));
        document.insert("ErrorCode".into(), json!(code));
    }
    document.insert(
        "_aws".into(),
        json!({ "Timestamp": timestamp, "CloudWatchMetrics": directives }),
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
            None,
            properties,
        );
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"]
                .as_array()
                .unwrap()
                .len(),
            1
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

    #[test]
    fn an_error_code_publishes_errors_by_code_too() {
        let errors = Metric {
            name: ERRORS,
            unit: Unit::Count,
            value: 1.0,
        };
        let document = emf_document(
            "users-get",
            &[errors],
            Some("UpstreamUnavailable"),
            Map::new(),
        );
        let by_code = &document["_aws"]["CloudWatchMetrics"][1];
        assert_eq!(
            by_code["Dimensions"],
            json!([["Function", "ErrorCode"], ["ErrorCode"]])
        );
        assert_eq!(
            by_code["Metrics"],
            json!([{"Name": "Errors", "Unit": "Count"}])
        );
        assert_eq!(document["ErrorCode"], "UpstreamUnavailable");
        assert_eq!(document["Errors"], 1.0);
    }
}
