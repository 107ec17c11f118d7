//! `POST /users/{user}/calendar/getSchedule`: free/busy of users (by SMTP address) in a
//! period: the items that keep them busy and an `availabilityView` of one digit per interval.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;
use serde_json::{Value, json};

use super::access::{CALENDAR_READ_DETAILS, mailbox};
use super::body_schema::{Shape, action_parameters};
use super::errors::{body_error, invalid_parameter};
use super::event_input::event_time;
use super::free_busy::{status_between, status_digit};
use super::presentation::Presentation;
use super::types::DATE_TIME_TIME_ZONE;
use crate::calendar::meetings::user_by_address;
use crate::calendar::time_zone::format_local;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::graph::user_target::UserPath;
use crate::state::SharedState;

const PARAMETERS: &[(&str, Shape)] = &[
    ("schedules", Shape::List(&Shape::Text)),
    ("startTime", Shape::Object(&DATE_TIME_TIME_ZONE)),
    ("endTime", Shape::Object(&DATE_TIME_TIME_ZONE)),
    ("availabilityViewInterval", Shape::Integer),
];

/// `availabilityViewInterval` when absent, in minutes.
const DEFAULT_INTERVAL: i64 = 30;

/// The free/busy of each requested schedule.
pub async fn get_schedule(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let parameters = action_parameters(&body, PARAMETERS)
        .map_err(|refusal| body_error(refusal, "getSchedule"))?;
    let schedules: Vec<String> = parameters
        .get("schedules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if schedules.is_empty() {
        return Err(invalid_parameter(
            "At least one schedule must be specified.",
        ));
    }
    let (Some(start), Some(end)) = (
        parameters.get("startTime").filter(|value| !value.is_null()),
        parameters.get("endTime").filter(|value| !value.is_null()),
    ) else {
        return Err(invalid_parameter("StartTime and EndTime are required."));
    };
    let from = event_time(start, "startTime")?.instant();
    let to = event_time(end, "endTime")?.instant();
    if to <= from {
        return Err(invalid_parameter("EndTime must be later than StartTime."));
    }
    let interval = parameters
        .get("availabilityViewInterval")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_INTERVAL);
    if !(5..=1440).contains(&interval) {
        return Err(invalid_parameter(
            "AvailabilityViewInterval must be between 5 and 1440 minutes.",
        ));
    }
    let presentation = Presentation::from_headers(&headers);
    let zone = &presentation.zone;
    let world = state.world();
    mailbox(&world, &caller, &path.user, &CALENDAR_READ_DETAILS)?;
    let at =
        |instant| json!({"dateTime": format_local(zone.local(instant)), "timeZone": zone.name()});
    let information: Vec<Value> = schedules
        .iter()
        .map(|schedule| {
            let Some(periods) = user_by_address(&world.directory, &caller.tenant_id, schedule)
                .and_then(|user| world.mailboxes.get(user.id()))
                .map(|mailbox| mailbox.busy_periods(from, to))
            else {
                return json!({
                    "scheduleId": schedule,
                    "availabilityView": "",
                    "scheduleItems": [],
                    "error": {
                        "message": format!("The mailbox of '{schedule}' could not be found."),
                        "responseCode": "ErrorMailRecipientNotFound",
                    },
                });
            };
            let mut view = String::new();
            let mut slot = from;
            while slot < to {
                let next = slot + Duration::minutes(interval);
                view.push(status_digit(status_between(&periods, slot, next.min(to))));
                slot = next;
            }
            let items: Vec<Value> = periods
                .iter()
                .map(|period| {
                    let properties = &period.instance.event.properties;
                    let private =
                        properties.get("sensitivity").and_then(Value::as_str) == Some("private");
                    let mut item = json!({
                        "isPrivate": private,
                        "status": period.status,
                        "start": at(period.instance.start),
                        "end": at(period.instance.end),
                    });
                    if !private {
                        item["subject"] = properties.get("subject").cloned().unwrap_or(json!(""));
                        item["location"] = properties
                            .get("location")
                            .and_then(|location| location.get("displayName"))
                            .cloned()
                            .unwrap_or(json!(""));
                    }
                    item
                })
                .collect();
            json!({
                "scheduleId": schedule,
                "availabilityView": view,
                "scheduleItems": items,
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "08:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": "UTC"},
                },
            })
        })
        .collect();
    let body = json!({
        "@odata.context": context_url(&state.base_url, "Collection(microsoft.graph.scheduleInformation)"),
        "value": information,
    });
    Ok(presentation.respond(StatusCode::OK, body))
}
