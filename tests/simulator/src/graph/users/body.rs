//! Request bodies of user writes: a JSON object of writable `microsoft.graph.user` properties.

use serde_json::{Map, Value};

use crate::directory::DirectoryError;
use crate::directory::user_schema::{WriteRefusal, check_write};
use crate::graph::errors::GraphError;
use axum::http::StatusCode;

/// Graph's "invalid value" error for property `name` of a user.
pub fn invalid_value(name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Invalid value specified for property '{name}' of resource 'User'."
    ))
}

/// The properties of a create or update body, each checked writable with a valid value.
pub fn user_properties(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    let Ok(Value::Object(properties)) = serde_json::from_slice::<Value>(body) else {
        return Err(GraphError::unreadable_json());
    };
    for (name, value) in &properties {
        check_write(name, value).map_err(|refusal| match refusal {
            WriteRefusal::Unknown => GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "Property '{name}' does not exist on type 'microsoft.graph.user'. Make sure to only use property \
                     names that are defined by the type or mark the type as open type."
                ),
            ),
            WriteRefusal::ReadOnly => GraphError::bad_request(format!("Property '{name}' is read-only and cannot be set.")),
            WriteRefusal::InvalidValue => invalid_value(name),
        })?;
    }
    Ok(properties)
}

/// Graph's answer to a refused directory write.
pub fn write_error(error: DirectoryError) -> GraphError {
    match error {
        DirectoryError::DuplicateUserPrincipalName => GraphError::bad_request(
            "Another object with the same value for property userPrincipalName already exists.",
        ),
        DirectoryError::DuplicateId(id) => GraphError::bad_request(format!(
            "Another object with the same value for property id already exists: '{id}'."
        )),
        DirectoryError::UnknownManager(id) | DirectoryError::UnknownMember(id) => {
            GraphError::resource_not_found(&id)
        }
    }
}
