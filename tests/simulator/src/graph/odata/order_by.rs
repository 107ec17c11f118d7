//! `$orderby` on one property, ascending or descending.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{ODataError, value_at};

/// A parsed `$orderby`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    property: String,
    descending: bool,
}

impl OrderBy {
    /// Parses `property [asc|desc]`, allowing `sortable` properties only.
    pub fn parse(text: &str, sortable: &[&str]) -> Result<OrderBy, ODataError> {
        let unsupported = || ODataError::UnsupportedOrderBy(text.to_string());
        let mut words = text.split_whitespace();
        let name = words.next().ok_or_else(unsupported)?;
        let property = sortable
            .iter()
            .find(|known| known.eq_ignore_ascii_case(name))
            .ok_or_else(unsupported)?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(unsupported()),
        };
        if words.next().is_some() {
            return Err(unsupported());
        }
        Ok(OrderBy {
            property: (*property).to_string(),
            descending,
        })
    }

    /// Orders two items by the property (or path); strings case-insensitively, missing values first.
    pub fn compare(&self, a: &Map<String, Value>, b: &Map<String, Value>) -> Ordering {
        let ordering = compare_values(value_at(a, &self.property), value_at(b, &self.property));
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(value: Option<&Value>) -> u8 {
        match value {
            None | Some(Value::Null) => 0,
            Some(Value::Bool(_)) => 1,
            Some(Value::Number(_)) => 2,
            Some(Value::String(_)) => 3,
            Some(_) => 4,
        }
    }
    match (a, b) {
        (Some(Value::String(a)), Some(Value::String(b))) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Some(Value::Bool(a)), Some(Value::Bool(b))) => a.cmp(b),
        (Some(Value::Number(a)), Some(Value::Number(b))) => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => rank(a).cmp(&rank(b)),
    }
}
