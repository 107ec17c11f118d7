//! The operations catalog checked against Microsoft's OpenAPI description of Graph
//! (the extract vendored in `vendor/graph-openapi/v1.0`): every operation's method and path are published, its query options are
//! declared parameters, its body rule matches the published request body, and `graph_bodies.json` is
//! what the generator makes of them now. Reads files only; no network.

use std::sync::LazyLock;

use serde_yaml_ng::Value;
use shared::operations::catalog::CATALOG;
use shared::operations::operation::{BodyRule, Method, Operation, QueryOption};
use xtask::graph_bodies::{bodies_file, generate_bodies};
use xtask::openapi::{GraphOperation, OpenApi};

static OPENAPI: LazyLock<OpenApi> =
    LazyLock::new(|| OpenApi::load().expect("Microsoft's OpenAPI files load"));

fn describe(op: &Operation) -> String {
    format!("{} ({} {})", op.name, op.method.as_str(), op.graph_path)
}

/// The operations the catalog calls, with their published counterparts (missing ones are reported by
/// `every_operation_is_published`).
fn published_operations() -> impl Iterator<Item = (&'static Operation, GraphOperation<'static>)> {
    CATALOG.iter().filter_map(|op| {
        OPENAPI
            .operation(op.method, op.graph_path)
            .map(|published| (op, published))
    })
}

/// Names of the query parameters a published operation declares, `$ref`s resolved.
fn declared_query_parameters(published: &GraphOperation) -> Vec<String> {
    let parameters = published
        .operation
        .get("parameters")
        .and_then(Value::as_sequence);
    parameters
        .into_iter()
        .flatten()
        .map(|parameter| {
            published
                .document
                .resolve(parameter)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("query"))
        .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
        .map(String::from)
        .collect()
}

#[test]
fn the_matcher_ignores_placeholder_names_and_action_prefixes() {
    let accept = OPENAPI
        .operation(Method::Post, "/users/{userId}/events/{eventId}/accept")
        .expect("accept is published");
    assert_eq!(
        accept.path,
        "/users/{user-id}/events/{event-id}/microsoft.graph.accept"
    );
    let delta = OPENAPI
        .operation(Method::Get, "/users/delta")
        .expect("delta is published");
    assert_eq!(delta.path, "/users/microsoft.graph.delta()");
    assert!(OPENAPI.operation(Method::Delete, "/users").is_none());
    assert!(
        OPENAPI
            .operation(Method::Get, "/users/{userId}/mailboxes")
            .is_none()
    );
    assert!(OPENAPI.operation(Method::Get, "/users/me").is_none());
}

#[test]
fn every_operation_is_published() {
    let missing: Vec<_> = CATALOG
        .iter()
        .filter(|op| OPENAPI.operation(op.method, op.graph_path).is_none())
        .map(describe)
        .collect();
    assert!(
        missing.is_empty(),
        "not in Microsoft's OpenAPI: {missing:#?}"
    );
}

#[test]
fn query_options_are_declared_parameters() {
    let mut undeclared = Vec::new();
    for (op, published) in published_operations() {
        let declared = declared_query_parameters(&published);
        // `$skiptoken` is never declared: Graph puts it in the `@odata.nextLink` of the operations
        // the OpenAPI marks `x-ms-pageable`.
        let pageable = published.operation.get("x-ms-pageable").is_some();
        for option in op.query_options {
            let accepted = declared.iter().any(|name| name == option.name())
                || (*option == QueryOption::SkipToken && pageable);
            if !accepted {
                undeclared.push(format!(
                    "{}: {} (declared: {})",
                    describe(op),
                    option.name(),
                    declared.join(", ")
                ));
            }
        }
    }
    assert!(
        undeclared.is_empty(),
        "query options the OpenAPI does not declare: {undeclared:#?}"
    );
}

#[test]
fn body_rules_match_published_request_bodies() {
    let mut mismatched = Vec::new();
    for (op, published) in published_operations() {
        let has_body = published
            .request_body_schema()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some();
        if has_body != (op.body != BodyRule::None) {
            mismatched.push(format!(
                "{}: catalog says {:?}, the OpenAPI {} a request body",
                describe(op),
                op.body,
                if has_body { "declares" } else { "declares no" }
            ));
        }
    }
    assert!(mismatched.is_empty(), "{mismatched:#?}");
}

#[test]
fn graph_bodies_json_is_current() {
    let expected = generate_bodies(&OPENAPI).unwrap_or_else(|e| panic!("{e}"));
    let path = bodies_file();
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: regenerate it with `cargo xtask extract-graph-schemas`",
        path.display()
    );
}

#[test]
fn calendar_variants_and_time_windows_are_published() {
    for op in CATALOG {
        if let Some(path) = op.calendar_graph_path {
            let published = OPENAPI.operation(op.method, path);
            assert!(
                published.is_some(),
                "{}: {} {path} is not in the OpenAPI",
                op.name,
                op.method.as_str()
            );
            assert_eq!(
                published.unwrap().operation.get("requestBody").is_some(),
                op.body != BodyRule::None,
                "{}: body rule of the calendar variant",
                op.name
            );
        }
        // The December 2022 publication omits the window parameters of `instances` and of
        // `calendarView/delta`, which Microsoft's API reference marks required (event: instances;
        // event: delta, https://learn.microsoft.com/graph/api/event-delta?view=graph-rest-1.0, on the
        // first call: the links Graph returns carry the window); the live API refuses the call
        // without them.
        if op.time_window && !["events-instances", "calendar-view-delta"].contains(&op.name) {
            let published = OPENAPI
                .operation(op.method, op.graph_path)
                .expect("published");
            let declared = declared_query_parameters(&published);
            for name in ["startDateTime", "endDateTime"] {
                assert!(
                    declared.iter().any(|d| d == name),
                    "{}: `{name}` is not declared: {declared:?}",
                    op.name
                );
            }
        }
    }
}
