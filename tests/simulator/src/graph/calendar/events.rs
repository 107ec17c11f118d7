//! `/users/{user}[/calendars/{calendar}]/events`: list a calendar's events (single instances
//! and series masters) and create events, which are sent to attendees of the same tenant.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::CalendarPath;
use super::access::{CALENDAR_READ, CALENDAR_READ_DETAILS, calendar, mailbox, writable_owner};
use super::calendar_entity::owner_address;
use super::errors::{invalid_user, query_error};
use super::event_entity::event_entity;
use super::event_input::EventInput;
use super::presentation::Presentation;
use super::query::{EVENTS, collection_query, context, page_size};
use crate::calendar::meetings::send_meeting;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::Links;
use crate::state::{SharedState, World};

/// The `users('{id}')/...` path of a calendar's events.
pub fn events_path(calendar_id: Option<&str>) -> String {
    match calendar_id {
        Some(id) => format!("calendars('{id}')/events"),
        None => "events".into(),
    }
}

/// Lists the events of a calendar (the default one for `/events`).
pub async fn list(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let query = collection_query(uri.query(), &EVENTS, "Event")?;
    let presentation = Presentation::from_headers(&headers);
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let calendar = calendar(access.mailbox, path.calendar.as_deref())?;
    let entities: Vec<Map<String, Value>> = access
        .mailbox
        .events_in(&calendar.id)
        .map(|event| event_entity(&event.as_instance()))
        .collect();
    let kept = query.apply(&entities, |entity| entity);
    let select = query.select.as_deref();
    let view = presentation.events(
        caller.holds(&CALENDAR_READ_DETAILS, Some(access.owner.id())),
        select,
    );
    let body = query
        .respond(
            kept,
            page_size(&world, &presentation.preferences),
            &Links::new(&state.base_url, uri.path(), uri.query()),
            context(
                &state.base_url,
                access.owner.id(),
                &events_path(path.calendar.as_deref()),
                select,
            ),
            |entity| view.render(entity),
        )
        .map_err(|error| query_error(error, "Event"))?;
    Ok(presentation.respond(StatusCode::OK, body))
}

/// The event `event_id` of `owner_id`'s mailbox as the caller sees it after a write.
pub fn event_answer(
    state: &SharedState,
    world: &World,
    caller: &Caller,
    owner_id: &str,
    event_id: &str,
    presentation: &Presentation,
    status: StatusCode,
) -> Response {
    let instance = world
        .mailboxes
        .get(owner_id)
        .and_then(|mailbox| mailbox.instance(event_id))
        .expect("the event was just written");
    let view = presentation.events(caller.holds(&CALENDAR_READ_DETAILS, Some(owner_id)), None);
    let mut body = view.render(&event_entity(&instance));
    if let Value::Object(body) = &mut body {
        body.insert(
            "@odata.context".into(),
            json!(context(&state.base_url, owner_id, "events/$entity", None)),
        );
    }
    presentation.respond(status, body)
}

/// Creates an event in a calendar (the default one for `/events`) and sends it to the
/// attendees. A retry with the `transactionId` of an event created before answers with that
/// event instead of creating another.
pub async fn create(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let input = EventInput::read(&body)?;
    let presentation = Presentation::from_headers(&headers);
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let organizer = world
        .directory
        .user_by_id(&owner_id)
        .map(|owner| json!({"emailAddress": owner_address(owner)}))
        .unwrap_or(Value::Null);
    let world = &mut *world;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let calendar_id = calendar(mailbox, path.calendar.as_deref())?.id.clone();
    let earlier = input
        .transaction_id
        .as_deref()
        .and_then(|transaction_id| mailbox.event_by_transaction(transaction_id));
    let event_id = match earlier {
        Some(event) => event.id.clone(),
        None => {
            let event = input.into_event(calendar_id, organizer)?;
            let event_id = mailbox.add_event(event).id.clone();
            send_meeting(
                &world.directory,
                &mut world.mailboxes,
                &caller.tenant_id,
                &owner_id,
                &event_id,
            );
            event_id
        }
    };
    Ok(event_answer(
        &state,
        world,
        &caller,
        &owner_id,
        &event_id,
        &presentation,
        StatusCode::CREATED,
    ))
}
