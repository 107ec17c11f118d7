//! Errors as Exchange (the service behind Graph's calendar API) words them, and the mapping
//! of refused query options and bodies to them.

use axum::http::StatusCode;

use super::body_schema::BodyRefusal;
use crate::graph::errors::GraphError;
use crate::graph::odata::ODataError;

/// 403 `ErrorAccessDenied`.
pub fn access_denied() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

/// 404 `ErrorInvalidUser` for a user key that names nobody.
pub fn invalid_user(key: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ErrorInvalidUser",
        format!("The requested user '{key}' is invalid."),
    )
}

/// 404 `ErrorItemNotFound` for an unknown calendar or event.
pub fn item_not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// 400 `ErrorInvalidIdMalformed` for an id that cannot be an Exchange id.
pub fn malformed_id() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "ErrorInvalidIdMalformed",
        "Id is malformed.",
    )
}

/// 400 `ErrorInvalidRequest`.
pub fn invalid_request(message: impl Into<String>) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "ErrorInvalidRequest",
        format!("Your request can't be completed. {}", message.into()),
    )
}

/// 400 `ErrorInvalidParameter`.
pub fn invalid_parameter(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidParameter", message)
}

/// 400 `TimeZoneNotSupportedException` for a time zone name nobody knows.
pub fn unsupported_time_zone(name: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "TimeZoneNotSupportedException",
        format!(
            "A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'."
        ),
    )
}

fn request_body_read(message: String) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "RequestBodyRead", message)
}

/// Graph's answer to a refused body of `operation` (an action name, or the entity type for
/// creates and updates).
pub fn body_error(refusal: BodyRefusal, operation: &str) -> GraphError {
    match refusal {
        BodyRefusal::Unreadable => GraphError::unreadable_json(),
        BodyRefusal::UnknownProperty {
            type_name: None,
            name,
        } => request_body_read(format!(
            "The parameter '{name}' in the request payload is not a valid parameter for the operation '{operation}'."
        )),
        BodyRefusal::UnknownProperty {
            type_name: Some(type_name),
            name,
        } => request_body_read(format!(
            "The property '{name}' does not exist on type '{type_name}'. Make sure to only use property names that \
             are defined by the type or mark the type as open type."
        )),
        BodyRefusal::InvalidValue { expected, literal } => request_body_read(format!(
            "Cannot convert the literal '{literal}' to the expected type '{expected}'."
        )),
        BodyRefusal::UnknownMember(member) => {
            request_body_read(format!("Requested value '{member}' was not found."))
        }
    }
}

fn invalid_url_query(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidUrlQuery", message)
}

/// Graph's answer to a refused query option on an Outlook collection of `entity` (`Event`,
/// `Calendar`).
pub fn query_error(error: ODataError, entity: &str) -> GraphError {
    match error {
        ODataError::UnknownProperty(property) => GraphError::new(
            StatusCode::BAD_REQUEST,
            "RequestBroker--ParseUri",
            format!(
                "Could not find a property named '{property}' on type 'Microsoft.OutlookServices.{entity}'."
            ),
        ),
        ODataError::InvalidFilter(message) => {
            GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
        }
        ODataError::UnsupportedFilter(clause) => GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidUrlQueryFilter",
            format!("The query filter contains one or more invalid nodes: '{clause}'."),
        ),
        ODataError::UnsupportedOrderBy(order_by) => {
            invalid_url_query(format!("The $orderby '{order_by}' is not supported."))
        }
        ODataError::InvalidSearch(search) => {
            invalid_url_query(format!("The $search '{search}' is not supported."))
        }
        ODataError::InvalidValue { option, value } => invalid_url_query(format!(
            "The value '{value}' of query option '{option}' is invalid."
        )),
        ODataError::UnsupportedOption(option) => invalid_url_query(format!(
            "The query parameter '{option}' is not supported by the simulator."
        )),
        ODataError::InvalidSkipToken => invalid_url_query("The $skiptoken is invalid."),
    }
}
