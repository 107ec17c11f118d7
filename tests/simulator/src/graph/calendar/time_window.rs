//! Events in a time window: `/users/{user}[/calendars/{calendar}]/calendarView` (single
//! instances and occurrences, by start) and `/users/{user}/events/{event}/instances` (the
//! occurrences of a series). Both require `startDateTime` and `endDateTime`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::access::{
    CALENDAR_READ, CALENDAR_READ_DETAILS, MailboxAccess, calendar, instance, mailbox,
};
use super::errors::{invalid_parameter, query_error};
use super::event_entity::event_entity;
use super::presentation::Presentation;
use super::query::{EVENTS, collection_query, context, page_size};
use super::{CalendarPath, EventPath};
use crate::calendar::Instance;
use crate::calendar::time_zone::{Zone, parse_date_time};
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::Links;
use crate::state::{SharedState, World};

/// The longest window Graph serves, in days. Not in Microsoft's documentation; Graph answers a
/// longer one with 400 `ErrorInvalidRequest` "... Maximum number of days: 1825" (reported on
/// Microsoft's docs repository, microsoftgraph/microsoft-graph-docs-contrib#6321).
const MAX_WINDOW_DAYS: i64 = 1825;

/// The `[startDateTime, endDateTime)` window of the query (names case-insensitive; times
/// without an offset are UTC), at most [`MAX_WINDOW_DAYS`] long.
pub fn window(raw_query: Option<&str>) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
    let parameter = |wanted: &str| -> Result<Option<DateTime<Utc>>, GraphError> {
        url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| {
                parse_date_time(&value)
                    .map(|time| time.instant_in(&Zone::utc()))
                    .ok_or_else(|| {
                        invalid_parameter(format!(
                            "The value '{value}' of parameter '{wanted}' is invalid."
                        ))
                    })
            })
            .transpose()
    };
    match (parameter("startDateTime")?, parameter("endDateTime")?) {
        (Some(start), Some(end)) if end - start > chrono::TimeDelta::days(MAX_WINDOW_DAYS) => {
            Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidRequest",
                format!(
                    "Your request can't be completed. The range between the start and end dates is greater \
                     than the allowed range. Maximum number of days: {MAX_WINDOW_DAYS}"
                ),
            ))
        }
        (Some(start), Some(end)) => Ok((start, end)),
        _ => Err(invalid_parameter(
            "This request requires a time window specified by the query string parameters StartDateTime and \
             EndDateTime.",
        )),
    }
}

/// What a window request asked for besides the window.
struct WindowRequest<'a> {
    uri: &'a Uri,
    headers: &'a HeaderMap,
    /// `@odata.context` path under `users('{id}')/`.
    context_path: &'a str,
}

/// Answers with one page of `instances`, filtered and sorted as the query asks.
fn respond_with(
    state: &SharedState,
    world: &World,
    caller: &Caller,
    access: &MailboxAccess<'_>,
    instances: &[Instance<'_>],
    request: WindowRequest<'_>,
) -> Result<Response, GraphError> {
    let WindowRequest {
        uri,
        headers,
        context_path,
    } = request;
    let query = collection_query(uri.query(), &EVENTS, "Event")?;
    let presentation = Presentation::from_headers(headers);
    let entities: Vec<Map<String, Value>> = instances.iter().map(event_entity).collect();
    let kept = query.apply(&entities, |entity| entity);
    let select = query.select.as_deref();
    let view = presentation.events(
        caller.holds(&CALENDAR_READ_DETAILS, Some(access.owner.id())),
        select,
    );
    let page_size = page_size(world, &presentation.preferences);
    let body = query
        .respond(
            kept,
            page_size,
            &Links::new(&state.base_url, uri.path(), uri.query()),
            context(&state.base_url, access.owner.id(), context_path, select),
            |entity| view.render(entity),
        )
        .map_err(|error| query_error(error, "Event"))?;
    Ok(presentation.respond(StatusCode::OK, body))
}

/// The single instances and occurrences of a calendar (the default one for
/// `/calendarView`) overlapping the window.
pub async fn calendar_view(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let (from, to) = window(uri.query())?;
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let calendar = calendar(access.mailbox, path.calendar.as_deref())?;
    let instances = access.mailbox.instances_between(&calendar.id, from, to);
    let request = WindowRequest {
        uri: &uri,
        headers: &headers,
        context_path: "calendarView",
    };
    respond_with(&state, &world, &caller, &access, &instances, request)
}

/// The occurrences of a series (or the event itself) overlapping the window.
pub async fn instances(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<EventPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let (from, to) = window(uri.query())?;
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let target = instance(access.mailbox, path.calendar.as_deref(), &path.event)?;
    let instances = target.event.instances_between(from, to);
    let context_path = format!("events('{}')/instances", target.event.id);
    let request = WindowRequest {
        uri: &uri,
        headers: &headers,
        context_path: &context_path,
    };
    respond_with(&state, &world, &caller, &access, &instances, request)
}
