//! The CloudWatch dashboard `<stack>-<region>`: the alarms, then per function its invocations,
//! errors, duration and upstream latency, errors by code over every function, and the token keeper's
//! counts, all from the functions' own metrics ([`super::metrics`]). Its body is JSON in an `Fn::Sub`
//! (for the region and the alarms' ARNs), written one short element per line so it reads in
//! `template.yaml`.

use serde_json::{Value as Json, json};
use serde_yaml_ng::Value;

use super::cfn::{map, sub};
use super::deployed_functions::{DeployedFunction, TOKEN_KEEPER};
use super::metrics::{
    DURATION, ERROR_CODE, ERRORS, FUNCTION, INVOCATIONS, KEEPER_METRICS, NAMESPACE,
    UPSTREAM_LATENCY,
};

/// Logical id of the dashboard.
pub const DASHBOARD: &str = "Dashboard";

/// Width of the dashboard grid.
const GRID_WIDTH: u32 = 24;
/// Height of a graph.
const GRAPH_HEIGHT: u32 = 8;
/// Seconds per point of the per-function graphs.
const PERIOD: u32 = 300;
/// Seconds per point of the keeper's graph: 16 runs.
const KEEPER_PERIOD: u32 = 3600;
/// The longest JSON element written on one line.
const LINE_WIDTH: usize = 130;

/// A graph titled `title` of `metrics` at `statistic` over `period` seconds.
fn graph(title: &str, statistic: &str, period: u32, metrics: Vec<Json>) -> Json {
    json!({
        "type": "metric",
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "view": "timeSeries",
            "stacked": false,
            "stat": statistic,
            "period": period,
            "metrics": metrics,
        },
    })
}

/// One line per function: metric `name` with the dimension `Function`, labelled with the function.
fn per_function(name: &str, functions: &[DeployedFunction]) -> Vec<Json> {
    functions
        .iter()
        .map(|function| json!([NAMESPACE, name, FUNCTION, function.name, {"label": function.name}]))
        .collect()
}

/// The widgets, before they are placed on the grid: (width, widget).
fn widgets(functions: &[DeployedFunction], alarms: &[&str]) -> Vec<(u32, Json)> {
    let alarm_arns: Vec<String> = alarms
        .iter()
        .map(|alarm| format!("${{{alarm}.Arn}}"))
        .collect();
    let errors_by_code =
        format!("SEARCH('{{{NAMESPACE},{ERROR_CODE}}} MetricName=\"{ERRORS}\"', 'Sum', {PERIOD})");
    let keeper: Vec<Json> = KEEPER_METRICS
        .iter()
        .map(|name| json!([NAMESPACE, name, FUNCTION, TOKEN_KEEPER]))
        .collect();
    let half = GRID_WIDTH / 2;
    vec![
        (
            GRID_WIDTH,
            json!({
                "type": "alarm",
                "properties": {"title": "Alarms (docs/operations.md)", "alarms": alarm_arns},
            }),
        ),
        (
            half,
            graph(
                "Invocations per function",
                "Sum",
                PERIOD,
                per_function(INVOCATIONS, functions),
            ),
        ),
        (
            half,
            graph(
                "Errors per function",
                "Sum",
                PERIOD,
                per_function(ERRORS, functions),
            ),
        ),
        (
            half,
            graph(
                "Duration per function, p90 (ms)",
                "p90",
                PERIOD,
                per_function(DURATION, functions),
            ),
        ),
        (
            half,
            graph(
                "Upstream latency per function, p90 (ms): time waiting for Microsoft",
                "p90",
                PERIOD,
                per_function(UPSTREAM_LATENCY, functions),
            ),
        ),
        (
            half,
            graph(
                "Errors by code, every function",
                "Sum",
                PERIOD,
                vec![json!([{"expression": errors_by_code, "id": "errors_by_code"}])],
            ),
        ),
        (
            half,
            graph("Token keeper, links per hour", "Sum", KEEPER_PERIOD, keeper),
        ),
    ]
}

/// The dashboard body: the widgets placed left to right, top to bottom.
pub fn dashboard_body(functions: &[DeployedFunction], alarms: &[&str]) -> Json {
    let (mut x, mut y) = (0, 0);
    let mut placed = Vec::new();
    for (width, mut widget) in widgets(functions, alarms) {
        if x + width > GRID_WIDTH {
            x = 0;
            y += GRAPH_HEIGHT;
        }
        let height = if widget["type"] == "alarm" {
            3
        } else {
            GRAPH_HEIGHT
        };
        for (key, value) in [("x", x), ("y", y), ("width", width), ("height", height)] {
            widget[key] = json!(value);
        }
        placed.push(widget);
        x += width;
        if x >= GRID_WIDTH {
            x = 0;
            y += height;
        }
    }
    json!({ "widgets": placed })
}

/// Writes `value` at `indent`: on one line when that line is short, else one element per line.
fn write_json(out: &mut String, value: &Json, indent: usize) {
    let compact = value.to_string();
    if indent + compact.len() <= LINE_WIDTH {
        out.push_str(&compact);
        return;
    }
    let pad = " ".repeat(indent + 2);
    let (open, close, entries): (char, char, Vec<(Option<&String>, &Json)>) = match value {
        Json::Object(object) => ('{', '}', object.iter().map(|(k, v)| (Some(k), v)).collect()),
        Json::Array(items) => ('[', ']', items.iter().map(|v| (None, v)).collect()),
        _ => {
            out.push_str(&compact);
            return;
        }
    };
    out.push(open);
    for (index, (key, entry)) in entries.iter().enumerate() {
        out.push('\n');
        out.push_str(&pad);
        if let Some(key) = key {
            out.push_str(&Json::String((*key).clone()).to_string());
            out.push_str(": ");
        }
        write_json(out, entry, indent + 2);
        if index + 1 < entries.len() {
            out.push(',');
        }
    }
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push(close);
}

/// The dashboard resource, by logical id.
pub fn dashboard_resources(
    functions: &[DeployedFunction],
    alarms: &[&str],
) -> Vec<(String, Value)> {
    let mut body = String::new();
    write_json(&mut body, &dashboard_body(functions, alarms), 0);
    body.push('\n');
    let dashboard = map([
        ("Type", "AWS::CloudWatch::Dashboard".into()),
        (
            "Properties",
            map([
                ("DashboardName", sub("${AWS::StackName}-${AWS::Region}")),
                ("DashboardBody", sub(body)),
            ]),
        ),
    ]);
    vec![(DASHBOARD.to_string(), dashboard)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_json_is_written_one_element_per_line_and_reads_back_the_same() {
        let value = json!({"short": [1, 2], "long": ["x".repeat(70), "y".repeat(70)]});
        let mut text = String::new();
        write_json(&mut text, &value, 0);
        assert_eq!(
            text,
            format!(
                "{{\n  \"long\": [\n    \"{}\",\n    \"{}\"\n  ],\n  \"short\": [1,2]\n}}",
                "x".repeat(70),
                "y".repeat(70)
            )
        );
        assert_eq!(serde_json::from_str::<Json>(&text).unwrap(), value);
    }
}
