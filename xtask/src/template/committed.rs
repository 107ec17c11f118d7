//! The committed `template.yaml` read back, for the tests that check it: resources by type, the
//! function deployed for each binary, the routes, and what a role's policy allows.

use std::collections::{BTreeMap, BTreeSet};

use super::permissions::TABLE_ITEMS_SID;
use serde_yaml_ng::{Mapping, Value};

use super::http_api::{HTTP_API, ROUTE_EVENT};
use super::permissions::XRAY_WRITE;
use super::template_path;

/// `template.yaml` as committed, parsed.
///
/// # Panics
/// When the file is missing or not YAML.
pub fn committed_template() -> Value {
    let text = std::fs::read_to_string(template_path()).expect("template.yaml exists");
    serde_yaml_ng::from_str(&text).expect("template.yaml is YAML")
}

/// The `Resources` section.
///
/// # Panics
/// When the template has none.
pub fn resources(template: &Value) -> &Mapping {
    template["Resources"]
        .as_mapping()
        .expect("Resources is a mapping")
}

/// The resources of CloudFormation type `kind`, by logical id.
pub fn of_type<'a>(template: &'a Value, kind: &str) -> BTreeMap<&'a str, &'a Value> {
    resources(template)
        .iter()
        .filter(|(_, resource)| resource["Type"] == kind)
        .map(|(id, resource)| (id.as_str().expect("logical ids are strings"), resource))
        .collect()
}

/// The logical id `Fn::GetAtt: [resource, attribute]` points at.
///
/// # Panics
/// When `value` is not a `Fn::GetAtt` of `attribute`.
pub fn get_att_target<'a>(value: &'a Value, attribute: &str) -> &'a str {
    let target = value["Fn::GetAtt"]
        .as_sequence()
        .unwrap_or_else(|| panic!("not a GetAtt: {value:?}"));
    assert_eq!(target[1], attribute, "{value:?}");
    target[0].as_str().expect("a logical id")
}

/// Every Lambda function, by the binary it is built from: `(logical id, resource)`.
///
/// # Panics
/// When a function is not built with cargo-lambda or names no binary.
pub fn functions_by_binary(template: &Value) -> BTreeMap<String, (&str, &Value)> {
    of_type(template, "AWS::Serverless::Function")
        .into_iter()
        .map(|(id, function)| {
            assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda");
            let binary = function["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id} names its binary"));
            (binary.to_string(), (id, function))
        })
        .collect()
}

/// The value `Fn::If` trees in `value` take when exactly the conditions in `holding` hold; `None`
/// when that value is `AWS::NoValue`.
pub fn resolve_conditions(value: &Value, holding: &BTreeSet<&str>) -> Option<Value> {
    match value.get("Fn::If") {
        Some(branches) => {
            let condition = branches[0].as_str().expect("a condition name");
            let branch = if holding.contains(condition) { 1 } else { 2 };
            resolve_conditions(&branches[branch], holding)
        }
        None if value.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue") => None,
        None => Some(value.clone()),
    }
}

/// The route of every function that has one, by route key (`GET /users/{userId}`): the function's
/// binary and its `HttpApi` event's properties.
///
/// # Panics
/// When a function has another event, an event of another API or type, or a route twice.
pub fn routes_by_key(template: &Value) -> BTreeMap<String, (String, &Value)> {
    let mut routes = BTreeMap::new();
    for (binary, (id, function)) in functions_by_binary(template) {
        let Some(events) = function["Properties"].get("Events") else {
            continue;
        };
        let events = events.as_mapping().expect("Events is a mapping");
        assert_eq!(events.len(), 1, "{id} has one event, its route");
        let event = &events[ROUTE_EVENT];
        assert_eq!(event["Type"], "HttpApi", "{id}");
        let properties = &event["Properties"];
        assert_eq!(properties["ApiId"]["Ref"], HTTP_API, "{id}");
        let key = format!(
            "{} {}",
            properties["Method"].as_str().expect("a method"),
            properties["Path"].as_str().expect("a path")
        );
        let previous = routes.insert(key.clone(), (binary, properties));
        assert!(previous.is_none(), "route {key} is defined twice");
    }
    routes
}

/// The operations of the HTTP API's OpenAPI definition, by route key (`GET /users/{userId}`).
///
/// # Panics
/// When the definition has no paths.
pub fn defined_operations(template: &Value) -> BTreeMap<String, &Value> {
    let definition = &resources(template)[HTTP_API]["Properties"]["DefinitionBody"];
    let mut operations = BTreeMap::new();
    for (path, methods) in definition["paths"].as_mapping().expect("paths") {
        for (method, operation) in methods.as_mapping().expect("a path item") {
            let key = format!(
                "{} {}",
                method.as_str().unwrap_or_default().to_ascii_uppercase(),
                path.as_str().unwrap_or_default()
            );
            operations.insert(key, operation);
        }
    }
    operations
}

/// The execution role of `function` (a function resource).
pub fn role_of<'a>(template: &'a Value, function: &Value) -> &'a Value {
    let role_id = get_att_target(&function["Properties"]["Role"], "Arn");
    &resources(template)[role_id]
}

/// A policy resource as text: `Table.Arn`, `Ref SettingsSecret`, `${Table.Arn}/index/keeper-due`.
fn resource_text(resource: &Value) -> String {
    if let Some(target) = resource.get("Fn::GetAtt") {
        format!(
            "{}.{}",
            target[0].as_str().unwrap_or_default(),
            target[1].as_str().unwrap_or_default()
        )
    } else if let Some(name) = resource.get("Ref") {
        format!("Ref {}", name.as_str().unwrap_or_default())
    } else {
        resource["Fn::Sub"]
            .as_str()
            .unwrap_or_else(|| panic!("an unexpected policy resource: {resource:?}"))
            .to_string()
    }
}

/// Every `(action, resource)` the role's policy allows at the default parameters (no condition of
/// the policy holds: tracing is `PassThrough`).
///
/// # Panics
/// As [`allowed_by_when`].
pub fn allowed_by(role: &Value) -> BTreeSet<(String, String)> {
    allowed_by_when(role, &BTreeSet::new())
}

/// Every `(action, resource)` the role's policy allows when exactly the conditions in `holding`
/// hold. A resource `*` reads `*`.
///
/// # Panics
/// When the role has anything but one inline policy of `Allow` statements without wildcards, but
/// for the X-Ray actions, which have no resource-level permissions.
pub fn allowed_by_when(role: &Value, holding: &BTreeSet<&str>) -> BTreeSet<(String, String)> {
    let policies = role["Properties"]["Policies"]
        .as_sequence()
        .expect("inline policies");
    assert_eq!(policies.len(), 1, "one policy per role");
    assert!(role["Properties"].get("ManagedPolicyArns").is_none());
    let mut allowed = BTreeSet::new();
    let statements = policies[0]["PolicyDocument"]["Statement"]
        .as_sequence()
        .expect("statements");
    for statement in statements
        .iter()
        .filter_map(|statement| resolve_conditions(statement, holding))
    {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_sequence().expect("actions") {
            let action = action.as_str().expect("an action");
            assert!(!action.contains('*'), "no wildcard actions: {action}");
            for resource in statement["Resource"].as_sequence().expect("resources") {
                if resource == "*" {
                    assert!(
                        XRAY_WRITE.contains(&action),
                        "no wildcard resources but for X-Ray: {action}"
                    );
                    allowed.insert((action.to_string(), "*".to_string()));
                } else {
                    allowed.insert((action.to_string(), resource_text(resource)));
                }
            }
        }
    }
    allowed
}

/// The role's table statements (`Sid` starting with `TableItems`): each one's item actions and the
/// key patterns (`link#*`, ...) its `dynamodb:LeadingKeys` condition limits them to.
///
/// # Panics
/// When a table statement is not limited to key prefixes.
pub fn table_grants_of(role: &Value) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_sequence()
        .expect("statements");
    statements
        .iter()
        .filter(|s| {
            s["Sid"]
                .as_str()
                .is_some_and(|sid| sid.starts_with(TABLE_ITEMS_SID))
        })
        .map(|statement| {
            let actions = statement["Action"]
                .as_sequence()
                .expect("actions")
                .iter()
                .map(|action| action.as_str().expect("an action").to_string())
                .collect();
            let patterns =
                statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                    .as_sequence()
                    .expect("a table statement is limited to key prefixes")
                    .iter()
                    .map(|pattern| pattern.as_str().expect("a pattern").to_string())
                    .collect();
            (actions, patterns)
        })
        .collect()
}

/// Every key pattern (`link#*`, ...) the role's table statements reach, in statement order.
pub fn leading_keys_of(role: &Value) -> Vec<String> {
    let mut patterns: Vec<String> = Vec::new();
    for (_, statement_patterns) in table_grants_of(role) {
        for pattern in statement_patterns {
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
    }
    patterns
}
