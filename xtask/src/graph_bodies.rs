//! Generates `shared/src/operations/graph_bodies.json`: the request-body shape of every catalog operation
//! that requires a body, flattened from Microsoft's OpenAPI into [`BodySchemas`] (property maps with
//! inherited `allOf` properties merged in, enum types inlined, every referenced object type included).
//!
//! OpenAPI 3.0 ignores everything beside a `$ref`, so this publication never marks a referenced type
//! nullable; references are taken as nullable rather than refusing a `null` Graph may accept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_yaml_ng::Value;
use shared::operations::body_schema::{BodySchemas, BodyShape, Properties, ValueType};
use shared::operations::catalog::CATALOG;
use shared::operations::operation::BodyRule;

use crate::openapi::{Document, OpenApi};

/// Where the generated file lives.
pub fn bodies_file() -> PathBuf {
    e2e::paths::repo_root().join("shared/src/operations/graph_bodies.json")
}

/// The text `graph_bodies.json` must have for the current catalog and OpenAPI files.
pub fn generate_bodies(openapi: &OpenApi) -> Result<String, String> {
    let mut schemas = BodySchemas {
        operations: BTreeMap::new(),
        types: BTreeMap::new(),
    };
    for op in CATALOG.iter().filter(|op| op.body != BodyRule::None) {
        let published = openapi.operation(op.method, op.graph_path).ok_or_else(|| {
            format!(
                "{}: {} {} is not in the OpenAPI",
                op.name,
                op.method.as_str(),
                op.graph_path
            )
        })?;
        let schema = published
            .request_body_schema()?
            .ok_or_else(|| format!("{}: {} declares no request body", op.name, published.path))?;
        let mut flattener = Flattener {
            document: published.document,
            pending: Vec::new(),
            seen: BTreeSet::new(),
        };
        let shape = match reference_name(schema) {
            Some(name) => {
                flattener.enqueue(name);
                BodyShape::Named(name.to_string())
            }
            None => BodyShape::Inline(flattener.properties(schema)?),
        };
        flattener.flatten_pending(&mut schemas.types)?;
        schemas.operations.insert(op.name.to_string(), shape);
    }
    Ok(render(&schemas))
}

/// One line per operation and per type, keys sorted, so diffs stay readable.
fn render(schemas: &BodySchemas) -> String {
    fn entries<V: serde::Serialize>(map: &BTreeMap<String, V>) -> String {
        map.iter()
            .map(|(key, value)| {
                let key = serde_json::to_string(key).expect("a string serializes");
                let value = serde_json::to_string(value).expect("body schemas serialize");
                format!("{key}:{value}")
            })
            .collect::<Vec<_>>()
            .join(",\n")
    }
    format!(
        "{{\"operations\":{{\n{}\n}},\n\"types\":{{\n{}\n}}}}\n",
        entries(&schemas.operations),
        entries(&schemas.types)
    )
}

/// The `components/schemas` name a `$ref` points to.
fn reference_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Flattens the object types reachable from one operation's body, within that operation's file.
struct Flattener<'a> {
    document: &'a Document,
    pending: Vec<String>,
    seen: BTreeSet<String>,
}

impl Flattener<'_> {
    fn enqueue(&mut self, name: &str) {
        if self.seen.insert(name.to_string()) {
            self.pending.push(name.to_string());
        }
    }

    /// Flattens every type enqueued so far (and those they reach) into `types`. A type reached from
    /// two files must flatten the same in both.
    fn flatten_pending(&mut self, types: &mut BTreeMap<String, Properties>) -> Result<(), String> {
        while let Some(name) = self.pending.pop() {
            let schema = self.document.schema(&name)?;
            let properties = self.properties(schema)?;
            match types.get(&name) {
                Some(known) if *known != properties => {
                    return Err(format!(
                        "{}: {name} differs from its definition in another file",
                        self.document.file
                    ));
                }
                Some(_) => {}
                None => {
                    types.insert(name, properties);
                }
            }
        }
        Ok(())
    }

    /// The properties of an object schema, with those of its `allOf` bases first.
    fn properties(&mut self, schema: &Value) -> Result<Properties, String> {
        let mut properties = Properties::new();
        for part in schema
            .get("allOf")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let part = self.document.resolve(part)?;
            properties.extend(self.properties(part)?);
        }
        if let Some(own) = schema.get("properties").and_then(Value::as_mapping) {
            for (name, property) in own {
                let name = name.as_str().ok_or_else(|| {
                    format!("{}: non-string property name {name:?}", self.document.file)
                })?;
                properties.insert(name.to_string(), self.value_type(property)?);
            }
        }
        Ok(properties)
    }

    fn value_type(&mut self, schema: &Value) -> Result<ValueType, String> {
        if let Some(name) = reference_name(schema) {
            let target = self.document.schema(name)?;
            if is_free_form(target) {
                return Ok(ValueType::Any);
            }
            let referenced = match enum_values(target)? {
                Some(values) => ValueType::Enum(values),
                None => {
                    self.enqueue(name);
                    ValueType::Object(name.to_string())
                }
            };
            return Ok(ValueType::Nullable(Box::new(referenced)));
        }
        let value_type = match (
            enum_values(schema)?,
            schema.get("type").and_then(Value::as_str),
        ) {
            (Some(values), _) => ValueType::Enum(values),
            (None, Some("string")) => match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => ValueType::DateTime,
                _ => ValueType::String,
            },
            (None, Some("boolean")) => ValueType::Boolean,
            (None, Some("integer")) => ValueType::Integer,
            (None, Some("number")) => ValueType::Number,
            (None, Some("array")) => {
                let items = schema
                    .get("items")
                    .ok_or_else(|| format!("{}: array without items", self.document.file))?;
                ValueType::Array(Box::new(self.value_type(items)?))
            }
            (None, Some("object")) if is_free_form(schema) => ValueType::Any,
            (None, other) => {
                return Err(format!(
                    "{}: unsupported schema (type {other:?}): {schema:?}",
                    self.document.file
                ));
            }
        };
        Ok(match schema.get("nullable").and_then(Value::as_bool) {
            Some(true) => ValueType::Nullable(Box::new(value_type)),
            _ => value_type,
        })
    }
}

/// An object schema declaring no properties and no bases (e.g. `microsoft.graph.Json`): the OpenAPI
/// leaves its content free.
fn is_free_form(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        && schema.get("properties").is_none()
        && schema.get("allOf").is_none()
}

/// The values of an enum schema, if it is one.
fn enum_values(schema: &Value) -> Result<Option<Vec<String>>, String> {
    let Some(values) = schema.get("enum").and_then(Value::as_sequence) else {
        return Ok(None);
    };
    values
        .iter()
        .map(|value| {
            value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("non-string enum value {value:?}"))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}
