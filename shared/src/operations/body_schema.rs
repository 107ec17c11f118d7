//! Request bodies checked against the shapes Microsoft's OpenAPI description of Graph gives them, so a
//! misspelt property, a wrong type or an unknown enum value is refused before anything is sent.
//!
//! The shapes live in `graph_bodies.json`, generated from the OpenAPI by
//! `cargo xtask extract-graph-schemas` (the `openapi_contract` tests fail when it is stale).
//! It is parsed on first use, so operations without a body never pay for it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::operations::operation::Operation;

/// Deepest nesting of objects and arrays accepted in a request body.
pub const MAX_BODY_DEPTH: usize = 32;
/// Most JSON values checked in one request body.
pub const MAX_BODY_VALUES: usize = 50_000;

/// The type a value must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    /// A JSON string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A JSON number without fraction or exponent.
    Integer,
    /// Any JSON number.
    Number,
    /// An RFC 3339 date and time string with offset, e.g. `2024-01-31T09:00:00Z`.
    DateTime,
    /// Anything: the OpenAPI leaves the value free.
    Any,
    /// One of these strings (compared case-insensitively).
    Enum(Vec<String>),
    /// An array whose items have this type.
    Array(Box<ValueType>),
    /// An object of the named type in [`BodySchemas::types`].
    Object(String),
    /// `null` or a value of the inner type.
    Nullable(Box<ValueType>),
}

/// Property name → type, of one object type.
pub type Properties = BTreeMap<String, ValueType>;

/// The body an operation takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BodyShape {
    /// An object of the named type in [`BodySchemas::types`]; property names compare exactly.
    Named(String),
    /// An action's parameters, declared inline. Microsoft's publication PascalCases them while Graph
    /// takes them camelCased, so their names compare case-insensitively.
    Inline(Properties),
}

/// The content of `graph_bodies.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodySchemas {
    /// The body of every catalog operation that requires one, by operation name.
    pub operations: BTreeMap<String, BodyShape>,
    /// Every object type those bodies refer to, by OpenAPI name, inherited properties included.
    pub types: BTreeMap<String, Properties>,
}

static SCHEMAS: LazyLock<BodySchemas> = LazyLock::new(|| {
    serde_json::from_str(include_str!("graph_bodies.json"))
        .expect("graph_bodies.json is generated in the BodySchemas format")
});

/// Checks an operation's JSON body against the shape Graph's OpenAPI gives it. Refuses unknown
/// properties, wrong types, unknown enum values and bodies deeper or larger than the bounds, naming the
/// offending field (`body.passwordProfile.password`). OData annotations (`@odata.type`,
/// `manager@odata.bind`, ...) are accepted.
pub fn validate_body(operation: &Operation, body: &Value) -> Result<(), ApiError> {
    let schemas = &*SCHEMAS;
    let shape = schemas.operations.get(operation.name).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InternalError,
            format!("no request-body schema for {}", operation.name),
        )
    })?;
    validate_shape(schemas, shape, body)
}

fn validate_shape(schemas: &BodySchemas, shape: &BodyShape, body: &Value) -> Result<(), ApiError> {
    let mut checker = Checker {
        types: &schemas.types,
        values_left: MAX_BODY_VALUES,
    };
    let root = Location::Root;
    match shape {
        BodyShape::Named(name) => checker.value(body, &ValueType::Object(name.clone()), &root, 0),
        BodyShape::Inline(properties) => match body {
            Value::Object(members) => {
                checker.members(members, properties, NameMatch::CaseInsensitive, &root, 0)
            }
            _ => Err(ApiError::invalid("the request body must be a JSON object")),
        },
    }
}

/// Where a value sits in the body, rendered as `body.attendees[0].emailAddress`.
enum Location<'a> {
    Root,
    Property(&'a Location<'a>, &'a str),
    Item(&'a Location<'a>, usize),
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => f.write_str("body"),
            Self::Property(parent, name) => write!(f, "{parent}.{name}"),
            Self::Item(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// How property names of an object are matched against its type's.
#[derive(Clone, Copy)]
enum NameMatch {
    Exact,
    CaseInsensitive,
}

/// An OData annotation name: `@odata.type`, `manager@odata.bind`, `@microsoft.graph.conflictBehavior`.
fn is_annotation(name: &str) -> bool {
    name.split_once('@')
        .is_some_and(|(_, term)| term.contains('.'))
}

fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

fn describe(expected: &ValueType) -> String {
    match expected {
        ValueType::String => "a string".into(),
        ValueType::Boolean => "true or false".into(),
        ValueType::Integer => "an integer".into(),
        ValueType::Number => "a number".into(),
        ValueType::DateTime => "a date and time such as 2024-01-31T09:00:00Z".into(),
        ValueType::Any => "any value".into(),
        ValueType::Enum(allowed) => format!("one of: {}", allowed.join(", ")),
        ValueType::Array(item) => format!("an array of {}", describe_plural(item)),
        ValueType::Object(name) => format!("an object ({name})"),
        ValueType::Nullable(inner) => format!("{} or null", describe(inner)),
    }
}

fn describe_plural(item: &ValueType) -> String {
    match item {
        ValueType::Nullable(inner) => describe_plural(inner),
        ValueType::String => "strings".into(),
        ValueType::Boolean => "booleans".into(),
        ValueType::Integer => "integers".into(),
        ValueType::Number => "numbers".into(),
        ValueType::DateTime => "dates and times".into(),
        ValueType::Any => "values".into(),
        ValueType::Enum(allowed) => format!("values from: {}", allowed.join(", ")),
        ValueType::Array(_) => "arrays".into(),
        ValueType::Object(name) => format!("objects ({name})"),
    }
}

/// One validation pass, counting the values it has looked at.
struct Checker<'a> {
    types: &'a BTreeMap<String, Properties>,
    values_left: usize,
}

impl Checker<'_> {
    fn value(
        &mut self,
        value: &Value,
        expected: &ValueType,
        at: &Location,
        depth: usize,
    ) -> Result<(), ApiError> {
        if depth > MAX_BODY_DEPTH {
            return Err(ApiError::invalid(format!(
                "the request body nests deeper than {MAX_BODY_DEPTH} levels"
            )));
        }
        self.values_left = self.values_left.checked_sub(1).ok_or_else(|| {
            ApiError::invalid(format!(
                "the request body has more than {MAX_BODY_VALUES} values"
            ))
        })?;
        let wrong_type = || ApiError::invalid(format!("`{at}` must be {}", describe(expected)));
        let expected_inner = match expected {
            ValueType::Nullable(_) if value.is_null() => return Ok(()),
            ValueType::Nullable(inner) => inner.as_ref(),
            other => other,
        };
        match (expected_inner, value) {
            (ValueType::Any, _)
            | (ValueType::String, Value::String(_))
            | (ValueType::Boolean, Value::Bool(_))
            | (ValueType::Number, Value::Number(_)) => Ok(()),
            (ValueType::Integer, Value::Number(number)) if number.is_i64() || number.is_u64() => {
                Ok(())
            }
            (ValueType::DateTime, Value::String(text)) if is_date_time(text) => Ok(()),
            (ValueType::Enum(allowed), Value::String(text))
                if allowed.iter().any(|a| a.eq_ignore_ascii_case(text)) =>
            {
                Ok(())
            }
            (ValueType::Array(item), Value::Array(items)) => {
                for (index, element) in items.iter().enumerate() {
                    self.value(element, item, &Location::Item(at, index), depth + 1)?;
                }
                Ok(())
            }
            (ValueType::Object(name), Value::Object(members)) => {
                self.object(members, name, at, depth + 1)
            }
            _ => Err(wrong_type()),
        }
    }

    /// Checks an object of type `name`, or of the type its `@odata.type` names. A type the
    /// publication does not describe (a derived type such as `microsoft.graph.openTypeExtension`)
    /// still has the declared type's properties checked, and may carry others.
    fn object(
        &mut self,
        members: &Map<String, Value>,
        name: &str,
        at: &Location,
        depth: usize,
    ) -> Result<(), ApiError> {
        let declared = match members.get("@odata.type") {
            None => name,
            Some(Value::String(odata_type)) => odata_type.trim_start_matches('#'),
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "`{at}.@odata.type` must be a string"
                )));
            }
        };
        if let Some(properties) = self.types.get(declared) {
            return self.members(members, properties, NameMatch::Exact, at, depth);
        }
        let base = self.types.get(name).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InternalError,
                format!("no schema for type {name}"),
            )
        })?;
        for (key, value) in members {
            if let Some(expected) = base.get(key) {
                self.value(value, expected, &Location::Property(at, key), depth)?;
            }
        }
        Ok(())
    }

    fn members(
        &mut self,
        members: &Map<String, Value>,
        properties: &Properties,
        names: NameMatch,
        at: &Location,
        depth: usize,
    ) -> Result<(), ApiError> {
        for (key, value) in members {
            if is_annotation(key) {
                continue;
            }
            let expected = match names {
                NameMatch::Exact => properties.get(key),
                NameMatch::CaseInsensitive => properties
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(key))
                    .map(|(_, expected)| expected),
            };
            let at = Location::Property(at, key);
            match expected {
                Some(expected) => self.value(value, expected, &at, depth)?,
                None => return Err(ApiError::invalid(format!("unknown property `{at}`"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::catalog::CATALOG;
    use crate::operations::operation::BodyRule;
    use serde_json::json;

    fn named(type_name: &str, body: Value) -> Result<(), ApiError> {
        validate_shape(&SCHEMAS, &BodyShape::Named(type_name.into()), &body)
    }

    fn message(result: Result<(), ApiError>) -> String {
        match result.unwrap_err() {
            ApiError::Own {
                code: ErrorCode::InvalidRequest,
                message,
                ..
            } => message,
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }

    fn user_create_body() -> Value {
        json!({
            "accountEnabled": true,
            "displayName": "Adele Vance",
            "mailNickname": "AdeleV",
            "userPrincipalName": "AdeleV@contoso.onmicrosoft.com",
            "passwordProfile": {
                "forceChangePasswordNextSignIn": true,
                "password": "xWwvJ]6NMw+bWH-d"
            },
            "businessPhones": ["+1 425 555 0109"],
            "usageLocation": "US",
            "employeeHireDate": "2024-01-31T09:00:00Z",
            "manager@odata.bind": "https://graph.microsoft.com/v1.0/users/1234"
        })
    }

    fn event_body() -> Value {
        json!({
            "subject": "Plan the launch",
            "body": {"contentType": "html", "content": "Agenda <b>attached</b>"},
            "start": {"dateTime": "2024-03-15T12:00:00", "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2024-03-15T14:00:00", "timeZone": "Pacific Standard Time"},
            "location": {"displayName": "Harry's Bar"},
            "attendees": [{
                "emailAddress": {"address": "samanthab@contoso.com", "name": "Samantha Booth"},
                "type": "required"
            }],
            "importance": "high",
            "isOnlineMeeting": true,
            "onlineMeetingProvider": "teamsForBusiness",
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                "range": {"type": "endDate", "startDate": "2024-03-15", "endDate": "2024-06-15"}
            },
            "extensions": [{
                "@odata.type": "microsoft.graph.openTypeExtension",
                "extensionName": "Com.Contoso.Referral",
                "companyName": "Wingtip Toys"
            }]
        })
    }

    #[test]
    fn the_generated_file_covers_every_operation_with_a_body() {
        for op in CATALOG.iter().filter(|op| op.body != BodyRule::None) {
            assert!(SCHEMAS.operations.contains_key(op.name), "{}", op.name);
        }
        fn referenced(value_type: &ValueType) -> Option<&str> {
            match value_type {
                ValueType::Object(name) => Some(name),
                ValueType::Array(inner) | ValueType::Nullable(inner) => referenced(inner),
                _ => None,
            }
        }
        let named_bodies = SCHEMAS.operations.values().filter_map(|shape| match shape {
            BodyShape::Named(name) => Some(name.as_str()),
            BodyShape::Inline(_) => None,
        });
        let from_properties = SCHEMAS
            .types
            .values()
            .chain(SCHEMAS.operations.values().filter_map(|shape| match shape {
                BodyShape::Inline(properties) => Some(properties),
                BodyShape::Named(_) => None,
            }))
            .flat_map(|properties| properties.values().filter_map(referenced));
        for name in named_bodies.chain(from_properties) {
            assert!(
                SCHEMAS.types.contains_key(name),
                "{name} is referenced but missing"
            );
        }
    }

    #[test]
    fn accepts_a_user_create_body_and_an_update() {
        assert_eq!(named("microsoft.graph.user", user_create_body()), Ok(()));
        let update = json!({"jobTitle": "Marketing Lead", "officeLocation": null, "aboutMe": null});
        assert_eq!(named("microsoft.graph.user", update), Ok(()));
        let users_create = CATALOG.iter().find(|op| op.name == "users-create").unwrap();
        assert_eq!(validate_body(users_create, &user_create_body()), Ok(()));
    }

    #[test]
    fn accepts_an_event_with_an_open_extension() {
        assert_eq!(named("microsoft.graph.event", event_body()), Ok(()));
    }

    #[test]
    fn names_an_unknown_property() {
        let mut body = user_create_body();
        body["passwordProfile"]["passwrd"] = json!("x");
        assert_eq!(
            message(named("microsoft.graph.user", body)),
            "unknown property `body.passwordProfile.passwrd`"
        );
        assert_eq!(
            message(named("microsoft.graph.user", json!({"displayname": "A"}))),
            "unknown property `body.displayname`"
        );
    }

    #[test]
    fn names_a_wrong_nested_type() {
        let mut body = event_body();
        body["attendees"][0]["emailAddress"]["address"] = json!(42);
        assert_eq!(
            message(named("microsoft.graph.event", body)),
            "`body.attendees[0].emailAddress.address` must be a string or null"
        );
        let body = json!({"accountEnabled": "yes"});
        assert_eq!(
            message(named("microsoft.graph.user", body)),
            "`body.accountEnabled` must be true or false or null"
        );
        let body = json!({"businessPhones": "+1 425 555 0109"});
        assert_eq!(
            message(named("microsoft.graph.user", body)),
            "`body.businessPhones` must be an array of strings"
        );
        let body = json!({"employeeHireDate": "next monday"});
        assert!(
            message(named("microsoft.graph.user", body))
                .starts_with("`body.employeeHireDate` must be a date")
        );
    }

    #[test]
    fn lists_the_allowed_enum_values() {
        let mut body = event_body();
        body["importance"] = json!("urgent");
        assert_eq!(
            message(named("microsoft.graph.event", body)),
            "`body.importance` must be one of: low, normal, high or null"
        );
        let mut body = event_body();
        body["importance"] = json!("High");
        assert_eq!(named("microsoft.graph.event", body), Ok(()));
    }

    #[test]
    fn inline_action_parameters_compare_case_insensitively() {
        let shape = BodyShape::Inline(Properties::from([
            (
                "Comment".to_string(),
                ValueType::Nullable(Box::new(ValueType::String)),
            ),
            (
                "SendResponse".to_string(),
                ValueType::Nullable(Box::new(ValueType::Boolean)),
            ),
        ]));
        let accept = json!({"comment": "See you there", "sendResponse": true});
        assert_eq!(validate_shape(&SCHEMAS, &shape, &accept), Ok(()));
        assert_eq!(
            message(validate_shape(
                &SCHEMAS,
                &shape,
                &json!({"sendResponse": 1})
            )),
            "`body.sendResponse` must be true or false or null"
        );
        assert_eq!(
            message(validate_shape(&SCHEMAS, &shape, &json!({"comments": "x"}))),
            "unknown property `body.comments`"
        );
    }

    #[test]
    fn checks_annotations() {
        let body =
            json!({"@odata.type": "#microsoft.graph.user", "@odata.etag": "W/1", "city": "Oslo"});
        assert_eq!(named("microsoft.graph.user", body), Ok(()));
        let body = json!({"@odata.type": 7});
        assert_eq!(
            message(named("microsoft.graph.user", body)),
            "`body.@odata.type` must be a string"
        );
        assert_eq!(
            message(named("microsoft.graph.user", json!({"city@": "x"}))),
            "unknown property `body.city@`"
        );
    }

    #[test]
    fn bounds_depth_and_size() {
        let mut deep = json!({"subject": "innermost"});
        for _ in 0..MAX_BODY_DEPTH / 2 {
            deep = json!({ "instances": [deep] });
        }
        assert!(message(named("microsoft.graph.event", deep)).contains("deeper than"));
        let many = json!({"businessPhones": vec!["1"; MAX_BODY_VALUES]});
        assert!(message(named("microsoft.graph.user", many)).contains("more than"));
    }
}
