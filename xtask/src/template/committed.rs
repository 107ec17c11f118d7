//! The committed `template.yaml` read back, for the tests that check it: resources by type, the
//! function deployed for each binary, and what a role's policy allows.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::{Mapping, Value};

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

/// Every `(action, resource)` the role's policy allows.
///
/// # Panics
/// When the role has anything but one inline policy of `Allow` statements without wildcards.
pub fn allowed_by(role: &Value) -> BTreeSet<(String, String)> {
    let policies = role["Properties"]["Policies"]
        .as_sequence()
        .expect("inline policies");
    assert_eq!(policies.len(), 1, "one policy per role");
    assert!(role["Properties"].get("ManagedPolicyArns").is_none());
    let mut allowed = BTreeSet::new();
    for statement in policies[0]["PolicyDocument"]["Statement"]
        .as_sequence()
        .expect("statements")
    {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_sequence().expect("actions") {
            let action = action.as_str().expect("an action");
            assert!(!action.contains('*'), "no wildcard actions: {action}");
            for resource in statement["Resource"].as_sequence().expect("resources") {
                assert_ne!(resource, "*", "no wildcard resources");
                allowed.insert((action.to_string(), resource_text(resource)));
            }
        }
    }
    allowed
}
