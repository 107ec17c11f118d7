//! Graph's calendar API (Exchange): calendars, events, calendar views, meeting responses,
//! findMeetingTimes and getSchedule, under `/v1.0/users/{user}/...` (and `/v1.0/me/...`).

mod access;
mod actions;
mod body_schema;
mod calendar_entity;
mod calendars;
mod delta;
mod duration;
mod errors;
mod event_entity;
mod event_input;
mod event_item;
mod events;
mod find_meeting_times;
mod free_busy;
mod get_schedule;
mod presentation;
mod query;
mod time_window;
mod types;

use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::state::SharedState;

/// `/users/{user}/calendars/{calendar}` (or `/users/{user}/calendar`, `/users/{user}/events`
/// and `/users/{user}/calendarView`, where `calendar` is absent: the default calendar).
#[derive(Debug, Deserialize)]
pub struct CalendarPath {
    /// Object id, userPrincipalName or `me`.
    pub user: String,
    /// Calendar id; absent: the default calendar.
    pub calendar: Option<String>,
}

/// `/users/{user}[/calendar | /calendars/{calendar}]/events/{event}`.
#[derive(Debug, Deserialize)]
pub struct EventPath {
    /// Object id, userPrincipalName or `me`.
    pub user: String,
    /// Calendar id; absent: any calendar of the mailbox.
    pub calendar: Option<String>,
    /// Event or occurrence id.
    pub event: String,
}

/// `/users/{user}[/calendar | /calendars/{calendar}]/events/{event}/{action}`.
#[derive(Debug, Deserialize)]
pub struct ActionPath {
    /// Object id, userPrincipalName or `me`.
    pub user: String,
    /// Calendar id; absent: any calendar of the mailbox.
    pub calendar: Option<String>,
    /// Event or occurrence id.
    pub event: String,
    /// `accept`, `microsoft.graph.accept`, `decline`, ...
    pub action: String,
}

/// Routes of the calendar API.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/v1.0/users/{user}/calendars",
            get(calendars::list).post(calendars::create),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}",
            get(calendars::get)
                .patch(calendars::update)
                .delete(calendars::delete),
        )
        .route(
            "/v1.0/users/{user}/calendar",
            get(calendars::get).patch(calendars::update),
        )
        .route(
            "/v1.0/users/{user}/events",
            get(events::list).post(events::create),
        )
        .route(
            "/v1.0/users/{user}/calendar/events",
            get(events::list).post(events::create),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/events",
            get(events::list).post(events::create),
        )
        .route(
            "/v1.0/users/{user}/events/{event}",
            get(event_item::get)
                .patch(event_item::update)
                .delete(event_item::delete),
        )
        .route(
            "/v1.0/users/{user}/calendar/events/{event}",
            get(event_item::get)
                .patch(event_item::update)
                .delete(event_item::delete),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/events/{event}",
            get(event_item::get)
                .patch(event_item::update)
                .delete(event_item::delete),
        )
        .route(
            "/v1.0/users/{user}/calendarView",
            get(time_window::calendar_view),
        )
        .route(
            "/v1.0/users/{user}/calendar/calendarView",
            get(time_window::calendar_view),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/calendarView",
            get(time_window::calendar_view),
        )
        .route(
            "/v1.0/users/{user}/calendarView/delta",
            get(delta::calendar_view_delta),
        )
        .route(
            "/v1.0/users/{user}/calendar/calendarView/delta",
            get(delta::calendar_view_delta),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/calendarView/delta",
            get(delta::calendar_view_delta),
        )
        .route(
            "/v1.0/users/{user}/events/{event}/instances",
            get(time_window::instances),
        )
        .route(
            "/v1.0/users/{user}/calendar/events/{event}/instances",
            get(time_window::instances),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/events/{event}/instances",
            get(time_window::instances),
        )
        .route(
            "/v1.0/users/{user}/events/{event}/{action}",
            post(actions::invoke),
        )
        .route(
            "/v1.0/users/{user}/calendar/events/{event}/{action}",
            post(actions::invoke),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/events/{event}/{action}",
            post(actions::invoke),
        )
        .route(
            "/v1.0/users/{user}/findMeetingTimes",
            post(find_meeting_times::find_meeting_times),
        )
        .route(
            "/v1.0/users/{user}/microsoft.graph.findMeetingTimes",
            post(find_meeting_times::find_meeting_times),
        )
        .route(
            "/v1.0/users/{user}/calendar/getSchedule",
            post(get_schedule::get_schedule),
        )
        .route(
            "/v1.0/users/{user}/calendar/microsoft.graph.getSchedule",
            post(get_schedule::get_schedule),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/getSchedule",
            post(get_schedule::get_schedule),
        )
        .route(
            "/v1.0/users/{user}/calendars/{calendar}/microsoft.graph.getSchedule",
            post(get_schedule::get_schedule),
        )
}
