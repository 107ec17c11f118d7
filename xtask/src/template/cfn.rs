//! CloudFormation template values: YAML mappings that keep their keys in the order written, and the
//! intrinsic functions in their long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, ...), which a
//! YAML serializer writes without custom tags.

use serde_yaml_ng::Value;

/// A mapping of `entries`, in order.
pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(key, value)| (Value::String(key.into()), value))
            .collect(),
    )
}

/// A sequence of `items`.
pub fn list<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Sequence(items.into_iter().map(Into::into).collect())
}

/// `Ref`: a parameter's value, or a resource's primary identifier.
pub fn reference(name: &str) -> Value {
    map([("Ref", name.into())])
}

/// `Fn::GetAtt`: an attribute of a resource.
pub fn get_att(resource: &str, attribute: &str) -> Value {
    map([("Fn::GetAtt", list([resource, attribute]))])
}

/// `Fn::Sub`: `text` with every `${Name}` and `${Resource.Attribute}` replaced.
pub fn sub(text: impl Into<String>) -> Value {
    map([("Fn::Sub", Value::String(text.into()))])
}

/// `Fn::If`: `then` when `condition` holds, else `otherwise`.
pub fn if_condition(condition: &str, then: Value, otherwise: Value) -> Value {
    map([("Fn::If", list([condition.into(), then, otherwise]))])
}

/// `Fn::Equals`.
pub fn equals(left: Value, right: Value) -> Value {
    map([("Fn::Equals", list([left, right]))])
}

/// `Fn::Not`.
pub fn not(condition: Value) -> Value {
    map([("Fn::Not", list([condition]))])
}

/// `AWS::NoValue`: leaves the property out.
pub fn no_value() -> Value {
    reference("AWS::NoValue")
}

/// An IAM policy document (version 2012-10-17) of `statements`.
pub fn policy_document(statements: impl IntoIterator<Item = Value>) -> Value {
    map([
        ("Version", "2012-10-17".into()),
        ("Statement", list(statements)),
    ])
}

/// An IAM policy statement allowing `actions` on `resources`.
pub fn allow(sid: &str, actions: &[&str], resources: Vec<Value>) -> Value {
    map([
        ("Sid", sid.into()),
        ("Effect", "Allow".into()),
        ("Action", list(actions.iter().copied())),
        ("Resource", Value::Sequence(resources)),
    ])
}

/// A trust policy letting `service` (e.g. `lambda.amazonaws.com`) assume the role, only when
/// `condition` (an IAM condition block) holds, if one is given.
pub fn assumed_by(service: &str, condition: Option<Value>) -> Value {
    let mut statement = vec![
        ("Effect", "Allow".into()),
        ("Principal", map([("Service", service.into())])),
        ("Action", "sts:AssumeRole".into()),
    ];
    if let Some(condition) = condition {
        statement.push(("Condition", condition));
    }
    policy_document([map(statement)])
}
