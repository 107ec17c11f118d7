//! `/users/{user}[/calendars/{calendar}]/events/{event}`: get, update, delete an event or an
//! occurrence of a series.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::EventPath;
use super::access::{CALENDAR_READ, CALENDAR_READ_DETAILS, instance, mailbox, writable_owner};
use super::errors::{invalid_request, invalid_user};
use super::event_entity::{EVENT_PROPERTIES, event_entity};
use super::event_input::EventInput;
use super::events::event_answer;
use super::presentation::Presentation;
use super::query::{context, entity_select};
use crate::calendar::meetings::{cancel_meeting, send_meeting};
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::state::SharedState;

/// Reads one event or occurrence.
pub async fn get(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<EventPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let select = entity_select(uri.query(), EVENT_PROPERTIES, "Event")?;
    let presentation = Presentation::from_headers(&headers);
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &CALENDAR_READ)?;
    let instance = instance(access.mailbox, path.calendar.as_deref(), &path.event)?;
    let view = presentation.events(
        caller.holds(&CALENDAR_READ_DETAILS, Some(access.owner.id())),
        select.as_deref(),
    );
    let mut body = view.render(&event_entity(&instance));
    if let Value::Object(body) = &mut body {
        body.insert(
            "@odata.context".into(),
            json!(context(
                &state.base_url,
                access.owner.id(),
                "events/$entity",
                None
            )),
        );
    }
    Ok(presentation.respond(StatusCode::OK, body))
}

/// Updates an event; the organizer's changes reach the attendees' copies, new attendees are
/// invited and removed ones find their copy cancelled. Answers with the event.
pub async fn update(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<EventPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let input = EventInput::read(&body)?;
    let presentation = Presentation::from_headers(&headers);
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let world = &mut *world;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let target = instance(mailbox, path.calendar.as_deref(), &path.event)?;
    if target.occurrence.is_some() {
        return Err(invalid_request(
            "The simulator does not change single occurrences; update the series master.",
        ));
    }
    let event_id = target.event.id.clone();
    let event = mailbox.event_mut(&event_id).expect("just found");
    let mut changed = event.clone();
    input.apply_to(&mut changed)?;
    let is_organizer = changed.is_organizer;
    *event = changed;
    if is_organizer {
        send_meeting(
            &world.directory,
            &mut world.mailboxes,
            &caller.tenant_id,
            &owner_id,
            &event_id,
        );
    }
    Ok(event_answer(
        &state,
        world,
        &caller,
        &owner_id,
        &event_id,
        &presentation,
        StatusCode::OK,
    ))
}

/// Deletes an event (the organizer's deletion cancels the meeting for its attendees) or one
/// occurrence of a series.
pub async fn delete(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<EventPath>,
) -> Result<StatusCode, GraphError> {
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let world = &mut *world;
    let mailbox = world
        .mailboxes
        .get_mut(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let target = instance(mailbox, path.calendar.as_deref(), &path.event)?;
    let (event_id, occurrence) = (target.event.id.clone(), target.occurrence);
    match occurrence {
        Some(date) => {
            let master = mailbox.event_mut(&event_id).expect("just found");
            master.deleted_occurrences.insert(date);
            master.touch();
            if master.is_organizer {
                send_meeting(
                    &world.directory,
                    &mut world.mailboxes,
                    &caller.tenant_id,
                    &owner_id,
                    &event_id,
                );
            }
        }
        None => {
            let removed = mailbox.remove_event(&event_id).expect("just found");
            if removed.is_organizer {
                cancel_meeting(
                    &world.directory,
                    &mut world.mailboxes,
                    &caller.tenant_id,
                    &removed,
                );
            }
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
