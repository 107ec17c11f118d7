//! The one summary log line and the one metrics document (CloudWatch EMF) every invocation of every
//! function writes, in the conventions of Powertools for AWS Lambda: `cold_start`,
//! `function_request_id`, `function_name`, `service` and `xray_trace_id` at the top level, beside the
//! operation, the permission mode, the outcome and what Microsoft took.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::runtime::embedded_metrics::{ERRORS, Metric, Unit, emf_document};
use crate::runtime::outcome::Outcome;
use crate::support::upstream_record::UpstreamRecord;

/// Everything one invocation's summary reports.
#[derive(Debug)]
pub struct InvocationSummary<'a> {
    /// The service name (`POWERTOOLS_SERVICE_NAME`).
    pub service: &'a str,
    /// The bundle's name of the function (`users-get`, `auth-callback`, `token-keeper`, ...).
    pub operation: &'a str,
    /// The Lambda function's deployed name.
    pub function_name: &'a str,
    /// The Lambda request id.
    pub function_request_id: &'a str,
    /// The X-Ray trace id, when tracing is on.
    pub xray_trace_id: Option<&'a str>,
    /// Whether this was the container's first invocation.
    pub cold_start: bool,
    /// Time from the event's arrival to the answer.
    pub duration: Duration,
    /// What the upstream requests took.
    pub upstream: &'a UpstreamRecord,
    /// What the invocation produced.
    pub outcome: &'a Outcome,
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

impl InvocationSummary<'_> {
    /// Whether the invocation failed (an error answer or a function error).
    pub fn failed(&self) -> bool {
        self.outcome.error_code.is_some() || self.outcome.answer.is_err()
    }

    /// The summary log line's fields (the logger adds `timestamp` and `level`).
    pub fn log_fields(&self) -> Map<String, Value> {
        let outcome = self.outcome;
        let mut fields = Map::new();
        let message = if self.failed() {
            "invocation failed"
        } else {
            "invocation succeeded"
        };
        for (key, value) in [
            ("message", json!(message)),
            ("service", json!(self.service)),
            ("function_name", json!(self.function_name)),
            ("function_request_id", json!(self.function_request_id)),
            ("cold_start", json!(self.cold_start)),
            ("xray_trace_id", json!(self.xray_trace_id)),
            ("operation", json!(self.operation)),
            ("mode", json!(outcome.mode.map(|m| m.as_str()))),
            ("caller", json!(outcome.caller)),
            ("app_user_id", json!(outcome.app_user_id)),
            ("status", json!(outcome.status)),
            ("error_code", json!(outcome.error_code)),
            ("graph_request_id", json!(self.upstream.graph_request_id)),
            ("client_request_id", json!(outcome.client_request_id)),
            ("upstream_requests", json!(self.upstream.requests)),
            ("upstream_ms", json!(millis(self.upstream.elapsed))),
            ("duration_ms", json!(millis(self.duration))),
        ] {
            fields.insert(key.into(), value);
        }
        for (key, value) in &outcome.details {
            fields.insert(key.clone(), value.clone());
        }
        fields
    }

    /// The metrics document: invocations, errors (also by code), cold starts, duration and
    /// upstream latency per function, plus the outcome's own metrics.
    pub fn metrics_document(&self) -> Value {
        let count = |name, value: bool| Metric {
            name,
            unit: Unit::Count,
            value: f64::from(u8::from(value)),
        };
        let mut metrics = vec![
            count("Invocations", true),
            count(ERRORS, self.failed()),
            count("ColdStarts", self.cold_start),
            Metric {
                name: "Duration",
                unit: Unit::Milliseconds,
                value: millis(self.duration),
            },
            Metric {
                name: "UpstreamLatency",
                unit: Unit::Milliseconds,
                value: millis(self.upstream.elapsed),
            },
        ];
        metrics.extend(self.outcome.metrics.iter().copied());
        let mut properties = Map::new();
        properties.insert(
            "function_request_id".into(),
            json!(self.function_request_id),
        );
        emf_document(
            self.operation,
            &metrics,
            self.outcome.error_code.as_deref(),
            properties,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ErrorCode};
    use crate::runtime::event::EventStyle;
    use crate::runtime::outcome::Mode;

    fn summary<'a>(outcome: &'a Outcome, upstream: &'a UpstreamRecord) -> InvocationSummary<'a> {
        InvocationSummary {
            service: "graph-functions",
            operation: "users-get",
            function_name: "stack-users-get",
            function_request_id: "req-1",
            xray_trace_id: None,
            cold_start: true,
            duration: Duration::from_micros(12_345),
            upstream,
            outcome,
        }
    }

    #[test]
    fn a_success_is_summarised_with_graphs_request_id_and_the_mode() {
        let mut outcome = Outcome::answered(EventStyle::Direct, json!({"status": 200}), 200, None);
        outcome.mode = Some(Mode::Delegated);
        outcome.client_request_id = Some("c-1".into());
        let upstream = UpstreamRecord {
            requests: 1,
            elapsed: Duration::from_millis(7),
            graph_request_id: Some("g-1".into()),
        };
        let fields = summary(&outcome, &upstream).log_fields();
        assert_eq!(fields["message"], "invocation succeeded");
        assert_eq!(fields["cold_start"], true);
        assert_eq!(fields["mode"], "delegated");
        assert_eq!(fields["status"], 200);
        assert_eq!(fields["error_code"], Value::Null);
        assert_eq!(fields["graph_request_id"], "g-1");
        assert_eq!(fields["upstream_ms"], 7.0);
        assert_eq!(fields["duration_ms"], 12.345);
        let metrics = summary(&outcome, &upstream).metrics_document();
        assert_eq!(metrics["Invocations"], 1.0);
        assert_eq!(metrics["Errors"], 0.0);
        assert_eq!(metrics["ColdStarts"], 1.0);
        assert_eq!(metrics["UpstreamLatency"], 7.0);
        assert_eq!(metrics["Function"], "users-get");
        assert_eq!(
            metrics["_aws"]["CloudWatchMetrics"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn an_error_is_summarised_and_counted_by_code() {
        let error = ApiError::new(ErrorCode::UpstreamUnavailable, "Graph kept failing");
        let outcome = Outcome::answered(EventStyle::Direct, json!({}), 503, Some(&error));
        let upstream = UpstreamRecord::default();
        let fields = summary(&outcome, &upstream).log_fields();
        assert_eq!(fields["message"], "invocation failed");
        assert_eq!(fields["error_code"], "UpstreamUnavailable");
        assert_eq!(fields["status"], 503);
        let metrics = summary(&outcome, &upstream).metrics_document();
        assert_eq!(metrics["Errors"], 1.0);
        assert_eq!(metrics["ErrorCode"], "UpstreamUnavailable");
        assert_eq!(
            metrics["_aws"]["CloudWatchMetrics"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
