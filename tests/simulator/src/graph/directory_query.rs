//! Query options as Microsoft Entra (directory objects: users, groups) accepts them:
//! no `$skip`, `$count` / `$search` only with `ConsistencyLevel: eventual`, and `ne` in `$filter`
//! only as an advanced query (`ConsistencyLevel: eventual` and `$count=true`).

use axum::http::{HeaderMap, StatusCode};

use super::errors::GraphError;
use super::odata::{CollectionQuery, CollectionShape, ODataError, parse_select};

/// Header that enables advanced directory queries.
const CONSISTENCY_LEVEL: &str = "consistencylevel";

fn unsupported_query(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

/// Graph's answer to a refused query option on a directory collection of `entity`
/// (`user`, `group`, `directoryObject`).
pub fn directory_error(error: ODataError, entity: &str) -> GraphError {
    match error {
        ODataError::UnknownProperty(property) => GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!(
                "Parsing OData Select and Expand failed: Could not find a property named '{property}' on type \
                 'microsoft.graph.{entity}'."
            ),
        ),
        ODataError::InvalidFilter(message) => {
            GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
        }
        ODataError::UnsupportedFilter(clause) => unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{clause}' of resource '{entity}'."
        )),
        ODataError::UnsupportedOrderBy(_) => {
            unsupported_query("Sorting not supported for current query.")
        }
        ODataError::InvalidSearch(search) => GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Invalid $search query: {search}"),
        ),
        ODataError::InvalidValue {
            option: "$top",
            value,
        } => GraphError::bad_request(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
        )),
        ODataError::InvalidValue { option, value } => GraphError::bad_request(format!(
            "Invalid value '{value}' for query option '{option}'."
        )),
        ODataError::UnsupportedOption(option) => unsupported_query(format!(
            "Query option '{option}' is not supported by the simulator."
        )),
        ODataError::InvalidSkipToken => GraphError::new(
            StatusCode::BAD_REQUEST,
            "Directory_ExpiredPageToken",
            "The specified page token value has expired and can no longer be included in your request.",
        ),
    }
}

/// Parses the query of a directory collection request and applies Entra's extra rules.
pub fn parse_collection_query(
    raw_query: Option<&str>,
    headers: &HeaderMap,
    shape: &CollectionShape,
    entity: &str,
) -> Result<CollectionQuery, GraphError> {
    let query =
        CollectionQuery::parse(raw_query, shape).map_err(|error| directory_error(error, entity))?;
    let eventual = headers
        .get(CONSISTENCY_LEVEL)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("eventual"));
    if query.skip.is_some() {
        return Err(GraphError::bad_request(
            "'$skip' is not supported by the service.",
        ));
    }
    if query.has_search() && !eventual {
        return Err(unsupported_query(
            "Request with $search query parameter only works through MSGraph with a special request header: \
             'ConsistencyLevel: eventual'",
        ));
    }
    if query.count && !eventual {
        return Err(unsupported_query(
            "$count is only supported with the special request header 'ConsistencyLevel: eventual'.",
        ));
    }
    if let Some(property) = query.advanced_filter_property()
        && !(eventual && query.count)
    {
        return Err(directory_error(
            ODataError::UnsupportedFilter(property.to_string()),
            entity,
        ));
    }
    if query.has_order_by()
        && (query.has_filter() || query.has_search())
        && !(eventual && query.count)
    {
        return Err(unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    Ok(query)
}

/// The `$select` of a request for one directory object; other `$` options are refused.
pub fn parse_entity_select(
    raw_query: Option<&str>,
    properties: &[&str],
    entity: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let mut select = None;
    for (name, value) in url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        if name.eq_ignore_ascii_case("$select") {
            select = Some(
                parse_select(&value, properties).map_err(|error| directory_error(error, entity))?,
            );
        } else if name.starts_with('$') {
            return Err(directory_error(
                ODataError::UnsupportedOption(name.into_owned()),
                entity,
            ));
        }
    }
    Ok(select)
}
