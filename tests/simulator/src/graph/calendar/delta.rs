//! `GET /v1.0/users/{user}[/calendar | /calendars/{calendar}]/calendarView/delta` ("event:
//! delta", <https://learn.microsoft.com/graph/api/event-delta?view=graph-rest-1.0>, and "Get
//! incremental changes to events in a calendar view", <https://learn.microsoft.com/graph/delta-query-events>).
//!
//! The first call names the window (`startDateTime`, `endDateTime`) and lists every instance in
//! it, page by page (`Prefer: odata.maxpagesize`); each page but the last ends with an
//! `@odata.nextLink` (`$skiptoken`), the last with an `@odata.deltaLink` (`$deltatoken`). The
//! tokens encode the window, so later calls need no other parameter. Following the deltaLink
//! lists the instances created or changed since, and `@removed` (reason `deleted`) for those the
//! caller had that were deleted or left the window. `$select`, `$filter`, `$orderby`, `$expand`
//! and `$search` are not supported ("You cannot use $select ..."). An unknown or expired token
//! answers 410 Gone `SyncStateNotFound` (delta-query-overview: "a 40X-series error with error
//! codes such as syncStateNotFound"; the status and message as Graph answered in
//! microsoftgraph/microsoft-graph-docs#2350).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::CalendarPath;
use super::access::{CALENDAR_READ, CALENDAR_READ_DETAILS, calendar, mailbox};
use super::errors::query_error;
use super::event_entity::event_entity;
use super::presentation::Presentation;
use super::query::page_size;
use super::time_window::window;
use crate::calendar::Mailbox;
use crate::change_feed::sync_states::{DeltaItem, SyncState, TrackedView};
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::ODataError;
use crate::graph::odata::paging::{collection_body, context_url};
use crate::state::SharedState;

/// What the request resumes from.
enum Resume {
    /// A first call: a new round over the window of the query.
    Start,
    /// `$skiptoken`.
    Page(String),
    /// `$deltatoken`.
    Round(String),
}

fn resume(raw_query: Option<&str>) -> Result<Resume, GraphError> {
    let mut resume = Resume::Start;
    for (name, value) in url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        if name.eq_ignore_ascii_case("$skiptoken") {
            resume = Resume::Page(value.into_owned());
        } else if name.eq_ignore_ascii_case("$deltatoken") {
            resume = Resume::Round(value.into_owned());
        } else if name.starts_with('$') {
            return Err(query_error(
                ODataError::UnsupportedOption(name.into_owned()),
                "Event",
            ));
        }
    }
    Ok(resume)
}

/// 410 `SyncStateNotFound`.
fn sync_state_not_found() -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        "The sync state generation is not found.",
    )
}

/// The instances of the view the caller does not have as they are now, and what the caller
/// will have after this round.
fn changes_since(
    mailbox: &Mailbox,
    view: &TrackedView,
    known: &HashMap<String, String>,
) -> (Vec<DeltaItem>, HashMap<String, String>) {
    let mut items = Vec::new();
    let mut now = HashMap::new();
    for instance in mailbox.instances_between(&view.calendar_id, view.from, view.to) {
        let id = instance.id();
        let change_key = &instance.event.change_key;
        if known.get(&id) != Some(change_key) {
            items.push(DeltaItem::Changed(event_entity(&instance)));
        }
        now.insert(id, change_key.clone());
    }
    let mut removed: Vec<&String> = known.keys().filter(|id| !now.contains_key(*id)).collect();
    removed.sort();
    items.extend(removed.into_iter().cloned().map(DeltaItem::Removed));
    (items, now)
}

/// One page of a calendar view delta round.
pub async fn calendar_view_delta(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<CalendarPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let resume = resume(uri.query())?;
    let presentation = Presentation::from_headers(&headers);
    let mut guard = state.world();
    let world = &mut *guard;
    let access = mailbox(world, &caller, &path.user, &CALENDAR_READ)?;
    let calendar_id = calendar(access.mailbox, path.calendar.as_deref())?
        .id
        .clone();
    let owner_id = access.owner.id().to_string();
    let belongs = |view: &TrackedView| {
        view.user_id.eq_ignore_ascii_case(&owner_id) && view.calendar_id == calendar_id
    };
    let sync_states = &world.change_feed.sync_states;
    let (view, items, known) = match resume {
        Resume::Start => {
            let (from, to) = window(uri.query())?;
            let view = TrackedView {
                user_id: owner_id.clone(),
                calendar_id: calendar_id.clone(),
                from,
                to,
            };
            let (items, known) = changes_since(access.mailbox, &view, &HashMap::new());
            (view, items, known)
        }
        Resume::Round(token) => match sync_states.get(&token) {
            Some(SyncState::Round { view, known }) if belongs(view) => {
                let (items, now) = changes_since(access.mailbox, view, known);
                (view.clone(), items, now)
            }
            _ => return Err(sync_state_not_found()),
        },
        Resume::Page(token) => match sync_states.get(&token) {
            Some(SyncState::Page {
                view,
                remaining,
                known,
            }) if belongs(view) => (view.clone(), remaining.clone(), known.clone()),
            _ => return Err(sync_state_not_found()),
        },
    };
    let details = caller.holds(&CALENDAR_READ_DETAILS, Some(&owner_id));
    let size = page_size(world, &presentation.preferences);
    let mut items = items;
    let rest = items.split_off(size.min(items.len()));
    let (link_name, token_name, next_state) = if rest.is_empty() {
        (
            "@odata.deltaLink",
            "$deltatoken",
            SyncState::Round { view, known },
        )
    } else {
        (
            "@odata.nextLink",
            "$skiptoken",
            SyncState::Page {
                view,
                remaining: rest,
                known,
            },
        )
    };
    let token = world.change_feed.sync_states.insert(next_state);
    let link = format!("{}{}?{token_name}={token}", state.base_url, uri.path());
    let rendering = presentation.events(details, None);
    let values: Vec<Value> = items
        .iter()
        .map(|item| match item {
            DeltaItem::Changed(entity) => rendering.render(entity),
            DeltaItem::Removed(id) => json!({
                "@odata.type": "#microsoft.graph.event",
                "id": id,
                "@removed": {"reason": "deleted"},
            }),
        })
        .collect();
    let body = collection_body(
        context_url(&state.base_url, "Collection(event)"),
        values,
        None,
        Some((link_name, link)),
    );
    Ok(presentation.respond(StatusCode::OK, body))
}
