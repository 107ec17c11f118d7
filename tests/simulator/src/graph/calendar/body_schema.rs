//! Checking JSON request bodies against the shape of a Graph type: unknown properties, values
//! of the wrong type and unknown enum members are refused, property names are matched
//! case-insensitively and returned in canonical casing, read-only properties are dropped.

use serde_json::{Map, Value};

/// The shape of a value.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `Edm.String`.
    Text,
    /// `Edm.Boolean` (also as `"true"` / `"false"`, as OData readers accept).
    Flag,
    /// `Edm.Int32` (also as a string of digits).
    Integer,
    /// `Edm.Double` (also as a numeric string).
    Number,
    /// One of these enum members.
    Choice(&'static [&'static str]),
    /// A complex type.
    Object(&'static ObjectShape),
    /// A collection.
    List(&'static Shape),
    /// Accepted and dropped: a property only the service sets, or one without effect here.
    Ignored,
}

/// A complex type or entity: its name and properties.
#[derive(Debug)]
pub struct ObjectShape {
    /// Qualified name, e.g. `microsoft.graph.event`.
    pub type_name: &'static str,
    /// Its properties.
    pub fields: &'static [(&'static str, Shape)],
}

/// Why a body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyRefusal {
    /// Not JSON, or not an object.
    Unreadable,
    /// A property the type does not have; `type_name` is `None` for an action parameter.
    UnknownProperty {
        /// The type, or `None` at the top level of action parameters.
        type_name: Option<&'static str>,
        /// The property as sent.
        name: String,
    },
    /// A value that cannot be read as the property's type.
    InvalidValue {
        /// The EDM type expected.
        expected: &'static str,
        /// The value as sent.
        literal: String,
    },
    /// A string that is not a member of the enum.
    UnknownMember(String),
}

fn invalid(expected: &'static str, value: &Value) -> BodyRefusal {
    BodyRefusal::InvalidValue {
        expected,
        literal: match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    }
}

fn check_value(value: &Value, shape: Shape) -> Result<Value, BodyRefusal> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    match (shape, value) {
        (Shape::Text, Value::String(_)) => Ok(value.clone()),
        (Shape::Text, _) => Err(invalid("Edm.String", value)),
        (Shape::Flag, Value::Bool(_)) => Ok(value.clone()),
        (Shape::Flag, Value::String(text)) => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(invalid("Edm.Boolean", value)),
        },
        (Shape::Flag, _) => Err(invalid("Edm.Boolean", value)),
        (Shape::Integer, Value::Number(number)) if number.is_i64() => Ok(value.clone()),
        (Shape::Integer, Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid("Edm.Int32", value)),
        (Shape::Integer, _) => Err(invalid("Edm.Int32", value)),
        (Shape::Number, Value::Number(_)) => Ok(value.clone()),
        (Shape::Number, Value::String(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| invalid("Edm.Double", value)),
        (Shape::Number, _) => Err(invalid("Edm.Double", value)),
        (Shape::Choice(members), Value::String(text)) => members
            .iter()
            .find(|member| member.eq_ignore_ascii_case(text))
            .map(|member| Value::String((*member).to_string()))
            .ok_or_else(|| BodyRefusal::UnknownMember(text.clone())),
        (Shape::Choice(_), _) => Err(invalid("Edm.String", value)),
        (Shape::Object(object), Value::Object(properties)) => {
            check_object(properties, object.fields, Some(object.type_name)).map(Value::Object)
        }
        (Shape::Object(object), _) => Err(invalid(object.type_name, value)),
        (Shape::List(item), Value::Array(items)) => items
            .iter()
            .map(|value| check_value(value, *item))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (Shape::List(_), _) => Err(invalid("Collection", value)),
        (Shape::Ignored, _) => Ok(Value::Null),
    }
}

fn check_object(
    properties: &Map<String, Value>,
    fields: &[(&'static str, Shape)],
    type_name: Option<&'static str>,
) -> Result<Map<String, Value>, BodyRefusal> {
    let mut checked = Map::new();
    for (name, value) in properties {
        if name.contains('@') {
            continue;
        }
        let (canonical, shape) = fields
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .ok_or_else(|| BodyRefusal::UnknownProperty {
                type_name,
                name: name.clone(),
            })?;
        if !matches!(shape, Shape::Ignored) {
            checked.insert((*canonical).to_string(), check_value(value, *shape)?);
        }
    }
    Ok(checked)
}

fn read_object(body: &[u8], empty_allowed: bool) -> Result<Map<String, Value>, BodyRefusal> {
    if empty_allowed && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(properties)) => Ok(properties),
        _ => Err(BodyRefusal::Unreadable),
    }
}

/// The properties of an entity body (create or update) of type `shape`.
pub fn entity_body(body: &[u8], shape: &ObjectShape) -> Result<Map<String, Value>, BodyRefusal> {
    check_object(
        &read_object(body, false)?,
        shape.fields,
        Some(shape.type_name),
    )
}

/// The parameters of an action body (an empty body stands for no parameters).
pub fn action_parameters(
    body: &[u8],
    parameters: &[(&'static str, Shape)],
) -> Result<Map<String, Value>, BodyRefusal> {
    check_object(&read_object(body, true)?, parameters, None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SLOT: ObjectShape = ObjectShape {
        type_name: "microsoft.graph.slot",
        fields: &[
            ("start", Shape::Text),
            ("kind", Shape::Choice(&["busy", "free"])),
        ],
    };
    const PARAMETERS: &[(&str, Shape)] = &[
        ("comment", Shape::Text),
        ("sendResponse", Shape::Flag),
        ("slots", Shape::List(&Shape::Object(&SLOT))),
        ("id", Shape::Ignored),
    ];

    fn parameters(body: Value) -> Result<Map<String, Value>, BodyRefusal> {
        action_parameters(body.to_string().as_bytes(), PARAMETERS)
    }

    #[test]
    fn canonicalises_names_and_drops_read_only_properties() {
        let checked = parameters(json!({
            "Comment": "hi",
            "SendResponse": "false",
            "slots": [{"START": "x", "kind": "BUSY"}],
            "id": "ignored",
            "@odata.type": "x",
        }))
        .unwrap();
        assert_eq!(
            Value::Object(checked),
            json!({"comment": "hi", "sendResponse": false, "slots": [{"start": "x", "kind": "busy"}]})
        );
        assert_eq!(action_parameters(b"", PARAMETERS), Ok(Map::new()));
    }

    #[test]
    fn refuses_unknown_properties_wrong_types_and_members() {
        assert_eq!(
            parameters(json!({"other": 1})),
            Err(BodyRefusal::UnknownProperty {
                type_name: None,
                name: "other".into()
            })
        );
        assert_eq!(
            parameters(json!({"slots": [{"end": "x"}]})),
            Err(BodyRefusal::UnknownProperty {
                type_name: Some("microsoft.graph.slot"),
                name: "end".into()
            })
        );
        assert_eq!(
            parameters(json!({"sendResponse": 3})),
            Err(BodyRefusal::InvalidValue {
                expected: "Edm.Boolean",
                literal: "3".into()
            })
        );
        assert_eq!(
            parameters(json!({"slots": [{"kind": "away"}]})),
            Err(BodyRefusal::UnknownMember("away".into()))
        );
        assert_eq!(entity_body(b"[1]", &SLOT), Err(BodyRefusal::Unreadable));
    }
}
