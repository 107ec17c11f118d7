//! `$select`.

use serde_json::{Map, Value};

use super::ODataError;

/// The property names of a `$select` value, in canonical casing.
pub fn parse_select(value: &str, properties: &[&str]) -> Result<Vec<String>, ODataError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            properties
                .iter()
                .find(|known| known.eq_ignore_ascii_case(name))
                .map(|known| (*known).to_string())
                .ok_or_else(|| ODataError::UnknownProperty(name.to_string()))
        })
        .collect()
}

/// The named properties of `properties`, in that order; unset ones as `null`.
pub fn project<'a>(
    properties: &Map<String, Value>,
    names: impl IntoIterator<Item = &'a str>,
) -> Map<String, Value> {
    names
        .into_iter()
        .map(|name| {
            (
                name.to_string(),
                properties.get(name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}
