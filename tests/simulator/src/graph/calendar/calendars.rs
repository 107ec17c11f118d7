//! `/users/{user}/calendars[/{calendar}]` and `/users/{user}/calendar`: list, create, get,
//! update, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Json;
use serde_json::{Map, Value};

use super::CalendarPath;
use super::access::{CALENDAR_READ, CALENDAR_WRITE, calendar, mailbox, writable_owner};
use super::body_schema::entity_body;
use super::calendar_entity::{CALENDAR_PROPERTIES, calendar_entity, calendar_view};
use super::errors::{body_error, invalid_parameter, invalid_user, item_not_found, query_error};
use super::query::{CALENDARS, collection_query, context, entity_select};
use super::types::CALENDAR;
use crate::calendar::Calendar;
use crate::calendar::meetings::cancel_meeting;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::Links;
use crate::state::{SharedState, World};

fn folder_exists() -> GraphError {
    GraphError::new(
        StatusCode::CONFLICT,
        "ErrorFolderExists",
        "A folder with the specified name already exists.",
    )
}

/// The checked properties of a calendar body, with a non-empty `name` when given.
fn calendar_properties(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    let properties =
        entity_body(body, &CALENDAR).map_err(|refusal| body_error(refusal, CALENDAR.type_name))?;
    match properties.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(properties),
        Some(_) => Err(invalid_parameter("The calendar name cannot be empty.")),
        None => Ok(properties),
    }
}

/// Applies checked properties to a calendar.
fn apply(calendar: &mut Calendar, properties: Map<String, Value>) {
    for (name, value) in properties {
        let text = value.as_str().unwrap_or_default().to_string();
        match name.as_str() {
            "name" => calendar.name = text,
            "color" if !text.is_empty() => calendar.color = text,
            "color" => calendar.color = "auto".into(),
            _ => calendar.hex_color = text,
        }
    }
    calendar.touch();
}

/// Lists the user's calendars.
pub async fn list(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    uri: Uri,
) -> Result<Json<Value>, GraphError> {
    let query = collection_query(uri.query(), &CALENDARS, "Calendar")?;
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let can_edit = caller.holds(&CALENDAR_WRITE, Some(access.owner.id()));
    let entities: Vec<Map<String, Value>> = access
        .mailbox
        .calendars()
        .iter()
        .map(|calendar| calendar_entity(calendar, access.owner, can_edit))
        .collect();
    let kept = query.apply(&entities, |entity| entity);
    let select = query.select.as_deref();
    let body = query
        .respond(
            kept,
            world.settings.calendar_page_size,
            &Links::new(&state.base_url, uri.path(), uri.query()),
            context(&state.base_url, access.owner.id(), "calendars", select),
            |entity| calendar_view(entity, select),
        )
        .map_err(|error| query_error(error, "Calendar"))?;
    Ok(Json(body))
}

/// Creates a calendar.
pub async fn create(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let properties = calendar_properties(&body)?;
    let Some(Value::String(name)) = properties.get("name").cloned() else {
        return Err(invalid_parameter("The calendar needs a name."));
    };
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    if mailbox.has_calendar_named(&name) {
        return Err(folder_exists());
    }
    let mut calendar = Calendar::new(name, false);
    apply(&mut calendar, properties);
    let calendar_id = mailbox.add_calendar(calendar).id.clone();
    Ok((
        StatusCode::CREATED,
        Json(calendar_answer(
            &state,
            &world,
            &caller,
            &owner_id,
            &calendar_id,
            "calendars/$entity",
        )),
    ))
}

/// The calendar as the caller sees it after a write, with its `@odata.context`.
fn calendar_answer(
    state: &SharedState,
    world: &World,
    caller: &Caller,
    owner_id: &str,
    calendar_id: &str,
    context_path: &str,
) -> Value {
    let owner = world
        .directory
        .user_by_id(owner_id)
        .expect("the owner was just resolved");
    let calendar = world
        .mailboxes
        .get(owner_id)
        .and_then(|mailbox| mailbox.calendar(calendar_id))
        .expect("the calendar was just written");
    let can_edit = caller.holds(&CALENDAR_WRITE, Some(owner_id));
    let mut body = calendar_entity(calendar, owner, can_edit);
    body.insert(
        "@odata.context".into(),
        Value::String(context(&state.base_url, owner_id, context_path, None)),
    );
    Value::Object(body)
}

/// The `@odata.context` path of one calendar: the default one or a listed one.
fn entity_context(path: &CalendarPath) -> &'static str {
    match path.calendar {
        Some(_) => "calendars/$entity",
        None => "calendar/$entity",
    }
}

/// Reads one calendar (`/calendar`: the default one).
pub async fn get(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    uri: Uri,
) -> Result<Json<Value>, GraphError> {
    let select = entity_select(uri.query(), CALENDAR_PROPERTIES, "Calendar")?;
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let calendar = calendar(access.mailbox, path.calendar.as_deref())?;
    let can_edit = caller.holds(&CALENDAR_WRITE, Some(access.owner.id()));
    let mut body = calendar_view(
        &calendar_entity(calendar, access.owner, can_edit),
        select.as_deref(),
    );
    if let Value::Object(body) = &mut body {
        body.insert(
            "@odata.context".into(),
            Value::String(context(
                &state.base_url,
                access.owner.id(),
                entity_context(&path),
                None,
            )),
        );
    }
    Ok(Json(body))
}

/// Updates `name`, `color` or `hexColor` of a calendar; answers with the calendar.
pub async fn update(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let properties = calendar_properties(&body)?;
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let calendar_id = calendar(mailbox, path.calendar.as_deref())?.id.clone();
    if let Some(Value::String(name)) = properties.get("name")
        && mailbox
            .calendars()
            .iter()
            .any(|other| other.id != calendar_id && other.name.eq_ignore_ascii_case(name))
    {
        return Err(folder_exists());
    }
    apply(
        mailbox
            .calendar_mut(&calendar_id)
            .ok_or_else(item_not_found)?,
        properties,
    );
    Ok(Json(calendar_answer(
        &state,
        &world,
        &caller,
        &owner_id,
        &calendar_id,
        entity_context(&path),
    )))
}

/// Deletes a calendar and its events (meetings it organizes are cancelled for their
/// attendees); the default calendar cannot be deleted.
pub async fn delete(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
) -> Result<StatusCode, GraphError> {
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let world = &mut *world;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let target = calendar(mailbox, path.calendar.as_deref())?;
    if target.is_default {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorDeleteDistinguishedFolder",
            "Distinguished folders cannot be deleted.",
        ));
    }
    let calendar_id = target.id.clone();
    for removed in mailbox.remove_calendar(&calendar_id) {
        if removed.is_organizer {
            cancel_meeting(
                &world.directory,
                &mut world.mailboxes,
                &caller.tenant_id,
                &removed,
            );
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
