//! The simulator through real HTTP, as production code and the end-to-end tests see it.

mod binary;
mod calendar_permissions;
mod calendar_support;
mod calendar_view;
mod calendar_view_delta;
mod calendars;
mod change_feed_consistency;
mod change_notifications;
mod control;
mod events;
mod faults;
mod graph_auth;
mod harness;
mod identity_authorize;
mod identity_token;
mod meetings;
mod scheduling;
mod subscriptions;
mod users;
mod users_delta;
mod users_query;
mod webhook_receiver;
