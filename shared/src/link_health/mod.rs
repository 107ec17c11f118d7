//! Link health events: what happens to an application user's link to Microsoft (linked, signed in
//! again, revoked by the application, invalidated, recovered, at risk), told to the application
//! through its EventBridge bus (`source` [`link_event::LINK_EVENTS_SOURCE`]) the moment the bundle
//! sees it. The taxonomy ([`link_event`], [`reason`]), what the link item records about its health
//! ([`health`]), when a failing link is at risk ([`at_risk`]) and the transitions that announce
//! ([`link_events`]). Exactly one writer announces each transition: the one whose write conditional
//! on the link's `version` wins. The event is written on the link (an outbox) in that same write
//! and published after it, so a crash in between leaves it for the next call or keeper run to
//! publish, with the same `eventId`. Imports [`crate::tokens`] (the link and its store),
//! [`crate::events`] (the bus port), [`crate::error`] and [`crate::support`].

pub mod at_risk;
pub mod health;
pub mod link_event;
pub mod link_events;
pub mod reason;
