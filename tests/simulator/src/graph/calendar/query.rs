//! Query options of Outlook collections and entities (events, calendars), the page size they
//! answer with, and the `@odata.context` of their responses.

use super::calendar_entity::CALENDAR_PROPERTIES;
use super::errors::query_error;
use super::event_entity::EVENT_PROPERTIES;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::graph::odata::{CollectionQuery, CollectionShape, ODataError, parse_select};
use crate::graph::prefer::Preferences;
use crate::state::World;

/// What event collections (events, calendarView, instances) support.
pub const EVENTS: CollectionShape = CollectionShape {
    properties: EVENT_PROPERTIES,
    filterable: &[
        "id",
        "subject",
        "importance",
        "sensitivity",
        "showAs",
        "type",
        "isAllDay",
        "isCancelled",
        "isOrganizer",
        "iCalUId",
        "transactionId",
        "seriesMasterId",
        "createdDateTime",
        "lastModifiedDateTime",
        "start/dateTime",
        "end/dateTime",
        "organizer/emailAddress/address",
        "organizer/emailAddress/name",
        "responseStatus/response",
        "location/displayName",
    ],
    sortable: &[
        "subject",
        "createdDateTime",
        "lastModifiedDateTime",
        "start/dateTime",
        "end/dateTime",
        "importance",
    ],
    searchable: &[],
    max_top: 1000,
};

/// What calendar collections support.
pub const CALENDARS: CollectionShape = CollectionShape {
    properties: CALENDAR_PROPERTIES,
    filterable: &["id", "name", "color", "isDefaultCalendar", "canEdit"],
    sortable: &["name"],
    searchable: &[],
    max_top: 1000,
};

/// Parses the query of a collection request whose items are `entity` (`Event`, `Calendar`).
pub fn collection_query(
    raw_query: Option<&str>,
    shape: &CollectionShape,
    entity: &str,
) -> Result<CollectionQuery, GraphError> {
    CollectionQuery::parse(raw_query, shape).map_err(|error| query_error(error, entity))
}

/// The `$select` of a request for one entity; other `$` options are refused.
pub fn entity_select(
    raw_query: Option<&str>,
    properties: &[&str],
    entity: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let mut select = None;
    for (name, value) in url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        if name.eq_ignore_ascii_case("$select") {
            select =
                Some(parse_select(&value, properties).map_err(|error| query_error(error, entity))?);
        } else if name.starts_with('$') {
            return Err(query_error(
                ODataError::UnsupportedOption(name.into_owned()),
                entity,
            ));
        }
    }
    Ok(select)
}

/// The page size of an Outlook collection: `Prefer: odata.maxpagesize`, else the setting.
pub fn page_size(world: &World, preferences: &Preferences) -> usize {
    preferences
        .max_page_size
        .unwrap_or(world.settings.calendar_page_size)
}

/// `@odata.context` of `users('{user_id}')/{path}`, with the `$select`ed properties.
pub fn context(base_url: &str, user_id: &str, path: &str, select: Option<&[String]>) -> String {
    let selection = select
        .map(|names| format!("({})", names.join(",")))
        .unwrap_or_default();
    context_url(base_url, &format!("users('{user_id}')/{path}{selection}"))
}
