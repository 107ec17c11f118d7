//! Meeting actions on an event: `accept`, `decline`, `tentativelyAccept` (attendees),
//! `cancel` (organizer) and `forward`, also as `microsoft.graph.{action}`. Each answers
//! `202 Accepted` with no body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::ActionPath;
use super::access::{instance, writable_owner};
use super::body_schema::{Shape, action_parameters};
use super::errors::{body_error, invalid_request, invalid_user};
use super::types::{RECIPIENT, TIME_SLOT};
use crate::calendar::meetings::{
    Reply, cancel_meeting, forward, reply, send_meeting, user_by_address,
};
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::state::{SharedState, World};

/// The actions on events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Accept,
    Decline,
    TentativelyAccept,
    Cancel,
    Forward,
}

const RESPONSE_PARAMETERS: &[(&str, Shape)] =
    &[("comment", Shape::Text), ("sendResponse", Shape::Flag)];

const PROPOSAL_PARAMETERS: &[(&str, Shape)] = &[
    ("comment", Shape::Text),
    ("sendResponse", Shape::Flag),
    ("proposedNewTime", Shape::Object(&TIME_SLOT)),
];

const CANCEL_PARAMETERS: &[(&str, Shape)] = &[("comment", Shape::Text)];

const FORWARD_PARAMETERS: &[(&str, Shape)] = &[
    ("toRecipients", Shape::List(&Shape::Object(&RECIPIENT))),
    ("comment", Shape::Text),
];

impl Action {
    /// The action a path segment names (`accept` or `microsoft.graph.accept`).
    fn parse(segment: &str) -> Option<Action> {
        let name = segment
            .get(..16)
            .filter(|prefix| prefix.eq_ignore_ascii_case("microsoft.graph."))
            .map_or(segment, |_| &segment[16..]);
        [
            Action::Accept,
            Action::Decline,
            Action::TentativelyAccept,
            Action::Cancel,
            Action::Forward,
        ]
        .into_iter()
        .find(|action| action.name().eq_ignore_ascii_case(name))
    }

    fn name(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::TentativelyAccept => "tentativelyAccept",
            Action::Cancel => "cancel",
            Action::Forward => "forward",
        }
    }

    fn parameters(self) -> &'static [(&'static str, Shape)] {
        match self {
            Action::Accept => RESPONSE_PARAMETERS,
            Action::Decline | Action::TentativelyAccept => PROPOSAL_PARAMETERS,
            Action::Cancel => CANCEL_PARAMETERS,
            Action::Forward => FORWARD_PARAMETERS,
        }
    }

    /// The response an attendee's reply records.
    fn response(self) -> Option<&'static str> {
        match self {
            Action::Accept => Some("accepted"),
            Action::Decline => Some("declined"),
            Action::TentativelyAccept => Some("tentativelyAccepted"),
            Action::Cancel | Action::Forward => None,
        }
    }
}

/// Runs an action on an event of the path's mailbox.
pub async fn invoke(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<ActionPath>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let action =
        Action::parse(&path.action).ok_or_else(|| GraphError::segment_not_found(&path.action))?;
    let parameters = action_parameters(&body, action.parameters())
        .map_err(|refusal| body_error(refusal, action.name()))?;
    let mut world = state.world();
    let owner_id = writable_owner(&world, &caller, &path.user)?;
    let mailbox = world
        .mailboxes
        .get(&owner_id)
        .ok_or_else(|| invalid_user(&path.user))?;
    let target = instance(mailbox, path.calendar.as_deref(), &path.event)?;
    let meeting = MeetingRef {
        event_id: target.event.id.clone(),
        occurrence: target.occurrence,
        is_organizer: target.event.is_organizer,
        ical_uid: target.event.ical_uid.clone(),
        organizer_address: target.event.organizer_address().map(str::to_owned),
        allows_proposals: target
            .event
            .properties
            .get("allowNewTimeProposals")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    };
    let request = ActionRequest {
        tenant_id: &caller.tenant_id,
        owner_id: &owner_id,
        meeting,
        parameters,
    };
    match action.response() {
        Some(response) => respond(&mut world, request, response)?,
        None if action == Action::Cancel => cancel(&mut world, request)?,
        None => forward_to(&mut world, request)?,
    }
    Ok(StatusCode::ACCEPTED)
}

/// The event an action is about.
struct MeetingRef {
    event_id: String,
    occurrence: Option<chrono::NaiveDate>,
    is_organizer: bool,
    ical_uid: String,
    organizer_address: Option<String>,
    allows_proposals: bool,
}

/// One action request, resolved.
struct ActionRequest<'a> {
    tenant_id: &'a str,
    owner_id: &'a str,
    meeting: MeetingRef,
    parameters: Map<String, Value>,
}

fn respond(
    world: &mut World,
    request: ActionRequest<'_>,
    response: &'static str,
) -> Result<(), GraphError> {
    let ActionRequest {
        tenant_id,
        owner_id,
        meeting,
        mut parameters,
    } = request;
    if meeting.is_organizer {
        return Err(invalid_request(
            "You can't respond to this meeting because you're the meeting organizer.",
        ));
    }
    let proposed_new_time = parameters
        .remove("proposedNewTime")
        .filter(|slot| !slot.is_null());
    if proposed_new_time.is_some() && !meeting.allows_proposals {
        return Err(invalid_request(
            "The meeting organizer doesn't allow new time proposals for this meeting.",
        ));
    }
    let attendee = world
        .directory
        .user_by_id(owner_id)
        .cloned()
        .ok_or_else(|| invalid_user(owner_id))?;
    let answer = Reply {
        response,
        proposed_new_time,
        notify_organizer: parameters
            .get("sendResponse")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    };
    reply(
        &world.directory,
        &mut world.mailboxes,
        tenant_id,
        &attendee,
        &meeting.event_id,
        answer,
    );
    Ok(())
}

fn cancel(world: &mut World, request: ActionRequest<'_>) -> Result<(), GraphError> {
    let ActionRequest {
        tenant_id,
        owner_id,
        meeting,
        ..
    } = request;
    if !meeting.is_organizer {
        return Err(invalid_request(
            "You need to be an organizer to cancel a meeting.",
        ));
    }
    let Some(mailbox) = world.mailboxes.get_mut(owner_id) else {
        return Ok(());
    };
    match meeting.occurrence {
        Some(date) => {
            if let Some(master) = mailbox.event_mut(&meeting.event_id) {
                master.deleted_occurrences.insert(date);
                master.touch();
            }
            send_meeting(
                &world.directory,
                &mut world.mailboxes,
                tenant_id,
                owner_id,
                &meeting.event_id,
            );
        }
        None => {
            if let Some(removed) = mailbox.remove_event(&meeting.event_id) {
                cancel_meeting(&world.directory, &mut world.mailboxes, tenant_id, &removed);
            }
        }
    }
    Ok(())
}

fn forward_to(world: &mut World, request: ActionRequest<'_>) -> Result<(), GraphError> {
    let ActionRequest {
        tenant_id,
        owner_id,
        meeting,
        parameters,
    } = request;
    let recipients = parameters
        .get("toRecipients")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let all_addressed = recipients.iter().all(|recipient| {
        recipient
            .pointer("/emailAddress/address")
            .and_then(Value::as_str)
            .is_some_and(|address| address.contains('@'))
    });
    if recipients.is_empty() || !all_addressed {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid.",
        ));
    }
    let organizer_id = if meeting.is_organizer {
        Some(owner_id.to_string())
    } else {
        meeting
            .organizer_address
            .as_deref()
            .and_then(|address| user_by_address(&world.directory, tenant_id, address))
            .map(|organizer| organizer.id().to_string())
    };
    if let Some(organizer_id) = organizer_id {
        forward(
            &world.directory,
            &mut world.mailboxes,
            tenant_id,
            &organizer_id,
            &meeting.ical_uid,
            &recipients,
        );
    }
    Ok(())
}
