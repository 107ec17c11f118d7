//! `POST /users/{user}/findMeetingTimes`: times in the requested slots when the organizer and
//! the attendees are free, from their default calendars, best first.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, DurationRound, NaiveTime, Utc, Weekday};
use serde_json::{Value, json};

use super::access::{MEETING_TIMES, mailbox};
use super::body_schema::{BodyRefusal, Shape, action_parameters};
use super::duration::parse_duration;
use super::errors::{body_error, invalid_parameter};
use super::event_input::event_time;
use super::free_busy::status_between;
use super::presentation::Presentation;
use super::types::{ATTENDEE_BASE, LOCATION_CONSTRAINT, TIME_CONSTRAINT};
use crate::calendar::BusyPeriod;
use crate::calendar::meetings::user_by_address;
use crate::calendar::time_zone::{Zone, format_local};
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::graph::user_target::UserPath;
use crate::state::SharedState;

const PARAMETERS: &[(&str, Shape)] = &[
    ("attendees", Shape::List(&Shape::Object(&ATTENDEE_BASE))),
    ("locationConstraint", Shape::Object(&LOCATION_CONSTRAINT)),
    ("timeConstraint", Shape::Object(&TIME_CONSTRAINT)),
    ("meetingDuration", Shape::Text),
    ("maxCandidates", Shape::Integer),
    ("isOrganizerOptional", Shape::Flag),
    ("returnSuggestionReasons", Shape::Flag),
    ("minimumAttendeePercentage", Shape::Number),
];

/// Suggestions start on these boundaries and are this far apart.
const STEP_MINUTES: i64 = 30;
/// `meetingDuration` when absent.
const DEFAULT_DURATION_MINUTES: i64 = 30;
/// `maxCandidates` when absent.
const DEFAULT_MAX_CANDIDATES: usize = 5;
/// `minimumAttendeePercentage` when absent.
const DEFAULT_MINIMUM_PERCENTAGE: f64 = 50.0;
/// Without `timeConstraint`, suggestions come from this many days from now.
const DEFAULT_WINDOW_DAYS: i64 = 2;

/// The hours suggestions must fit in, in the zone of the time constraint.
struct WorkingHours {
    zone: Zone,
    weekends: bool,
    unrestricted: bool,
}

impl WorkingHours {
    /// Whether `[start, end)` lies within working hours (08:00-17:00, Monday to Friday
    /// unless weekends count).
    fn contain(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if self.unrestricted {
            return true;
        }
        let (local_start, local_end) = (self.zone.local(start), self.zone.local(end));
        let opens = NaiveTime::from_hms_opt(8, 0, 0).expect("valid time");
        let closes = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
        let workday =
            self.weekends || !matches!(local_start.weekday(), Weekday::Sat | Weekday::Sun);
        workday
            && local_start.date() == local_end.date()
            && local_start.time() >= opens
            && local_end.time() <= closes
    }
}

/// One attendee: the address asked for, its type, and the free/busy of its mailbox when it
/// belongs to a user of the tenant.
struct Attendee<'a> {
    entry: Value,
    periods: Option<Vec<BusyPeriod<'a>>>,
}

impl Attendee<'_> {
    fn availability(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> &str {
        match &self.periods {
            Some(periods) => status_between(periods, start, end),
            None => "unknown",
        }
    }
}

/// The chance (percent) someone with `availability` attends, as Microsoft documents it.
fn attendance_chance(availability: &str) -> f64 {
    match availability {
        "free" | "workingElsewhere" => 100.0,
        "tentative" => 50.0,
        "unknown" => 49.0,
        _ => 0.0,
    }
}

/// A candidate meeting time.
struct Suggestion {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    confidence: f64,
    organizer: &'static str,
    availability: Vec<(Value, String)>,
}

fn duration_parameter(parameters: &serde_json::Map<String, Value>) -> Result<Duration, GraphError> {
    match parameters.get("meetingDuration").and_then(Value::as_str) {
        None => Ok(Duration::minutes(DEFAULT_DURATION_MINUTES)),
        Some(text) => parse_duration(text)
            .filter(|duration| *duration > Duration::zero())
            .ok_or_else(|| {
                body_error(
                    BodyRefusal::InvalidValue {
                        expected: "Edm.Duration",
                        literal: text.to_string(),
                    },
                    "findMeetingTimes",
                )
            }),
    }
}

fn organizer_status(status: &str) -> &'static str {
    match status {
        "free" => "free",
        "tentative" => "tentative",
        "oof" => "oof",
        "workingElsewhere" => "workingElsewhere",
        _ => "busy",
    }
}

/// Suggests meeting times for the path's user as organizer.
pub async fn find_meeting_times(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let parameters = action_parameters(&body, PARAMETERS)
        .map_err(|refusal| body_error(refusal, "findMeetingTimes"))?;
    let duration = duration_parameter(&parameters)?;
    let constraint = parameters
        .get("timeConstraint")
        .cloned()
        .unwrap_or(Value::Null);
    let mut windows = Vec::new();
    let mut constraint_zone = None;
    for slot in constraint
        .get("timeSlots")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(start), Some(end)) = (slot.get("start"), slot.get("end")) else {
            return Err(invalid_parameter("A time slot needs a start and an end."));
        };
        let start = event_time(start, "start")?;
        constraint_zone.get_or_insert_with(|| start.zone.clone());
        windows.push((start.instant(), event_time(end, "end")?.instant()));
    }
    if windows.is_empty() {
        let now = Utc::now()
            .duration_trunc(Duration::minutes(STEP_MINUTES))
            .unwrap_or_else(|_| Utc::now());
        windows.push((now, now + Duration::days(DEFAULT_WINDOW_DAYS)));
    }
    let domain = constraint
        .get("activityDomain")
        .and_then(Value::as_str)
        .unwrap_or("work");
    let hours = WorkingHours {
        zone: constraint_zone.unwrap_or_else(Zone::utc),
        weekends: domain == "personal",
        unrestricted: domain == "unrestricted",
    };
    let flag = |name: &str| {
        parameters
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let organizer_optional = flag("isOrganizerOptional");
    let with_reasons = flag("returnSuggestionReasons");
    let max_candidates = parameters
        .get("maxCandidates")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_MAX_CANDIDATES, |max| max as usize);
    let minimum = parameters
        .get("minimumAttendeePercentage")
        .and_then(Value::as_f64)
        .unwrap_or(DEFAULT_MINIMUM_PERCENTAGE);
    let locations: Vec<Value> = parameters
        .get("locationConstraint")
        .and_then(|constraint| constraint.get("locations"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|location| json!({"displayName": location.get("displayName").cloned().unwrap_or(json!(""))}))
        .collect();
    let presentation = Presentation::from_headers(&headers);
    let world = state.world();
    let access = mailbox(&world, &caller, &path.user, &MEETING_TIMES)?;
    let earliest = windows
        .iter()
        .map(|(start, _)| *start)
        .min()
        .unwrap_or_else(Utc::now);
    let latest = windows
        .iter()
        .map(|(_, end)| *end)
        .max()
        .unwrap_or(earliest);
    let organizer_periods = access.mailbox.busy_periods(earliest, latest);
    let attendees: Vec<Attendee<'_>> = parameters
        .get("attendees")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| Attendee {
            entry: json!({
                "type": entry.get("type").cloned().unwrap_or(json!("required")),
                "emailAddress": entry.get("emailAddress").cloned().unwrap_or(Value::Null),
            }),
            periods: entry
                .pointer("/emailAddress/address")
                .and_then(Value::as_str)
                .and_then(|address| user_by_address(&world.directory, &caller.tenant_id, address))
                .and_then(|user| world.mailboxes.get(user.id()))
                .map(|mailbox| mailbox.busy_periods(earliest, latest)),
        })
        .collect();
    let (mut candidates, mut organizer_busy) = (0usize, 0usize);
    let mut suggestions = Vec::new();
    for (window_start, window_end) in windows {
        let mut start = window_start
            .duration_round_up(Duration::minutes(STEP_MINUTES))
            .unwrap_or(window_start);
        while start + duration <= window_end {
            let end = start + duration;
            if hours.contain(start, end) {
                candidates += 1;
                let organizer = organizer_status(status_between(&organizer_periods, start, end));
                if !organizer_optional && matches!(organizer, "busy" | "oof") {
                    organizer_busy += 1;
                } else {
                    let availability: Vec<(Value, String)> = attendees
                        .iter()
                        .map(|attendee| {
                            (
                                attendee.entry.clone(),
                                attendee.availability(start, end).to_string(),
                            )
                        })
                        .collect();
                    let confidence = if availability.is_empty() {
                        100.0
                    } else {
                        availability
                            .iter()
                            .map(|(_, status)| attendance_chance(status))
                            .sum::<f64>()
                            / availability.len() as f64
                    };
                    if confidence >= minimum {
                        suggestions.push(Suggestion {
                            start,
                            end,
                            confidence,
                            organizer,
                            availability,
                        });
                    }
                }
            }
            start += Duration::minutes(STEP_MINUTES);
        }
    }
    suggestions.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.start.cmp(&b.start))
    });
    suggestions.truncate(max_candidates);
    let empty_reason = if !suggestions.is_empty() {
        ""
    } else if candidates == 0 {
        "Unknown"
    } else if organizer_busy == candidates {
        "OrganizerUnavailable"
    } else if attendees.iter().any(|attendee| attendee.periods.is_none()) {
        "AttendeesUnavailableOrUnknown"
    } else {
        "AttendeesUnavailable"
    };
    let zone = &presentation.zone;
    let at =
        |instant| json!({"dateTime": format_local(zone.local(instant)), "timeZone": zone.name()});
    let rendered: Vec<Value> = suggestions
        .iter()
        .enumerate()
        .map(|(index, suggestion)| {
            let mut rendered = json!({
                "confidence": suggestion.confidence,
                "order": index + 1,
                "organizerAvailability": suggestion.organizer,
                "attendeeAvailability": suggestion
                    .availability
                    .iter()
                    .map(|(attendee, availability)| json!({"attendee": attendee, "availability": availability}))
                    .collect::<Vec<_>>(),
                "locations": locations,
                "meetingTimeSlot": {"start": at(suggestion.start), "end": at(suggestion.end)},
            });
            if with_reasons {
                rendered["suggestionReason"] = json!(if suggestion.confidence >= 100.0 {
                    "Suggested because it is one of the nearest times when all attendees are available."
                } else {
                    "Suggested because it is one of the nearest times when most attendees are available."
                });
            }
            rendered
        })
        .collect();
    let body = json!({
        "@odata.context": context_url(&state.base_url, "microsoft.graph.meetingTimeSuggestionsResult"),
        "emptySuggestionsReason": empty_reason,
        "meetingTimeSuggestions": rendered,
    });
    Ok(presentation.respond(StatusCode::OK, body))
}
