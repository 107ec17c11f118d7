//! How calendar responses are presented: the time zone `Prefer: outlook.timezone` asks for
//! (UTC when absent or unknown), the page size it allows, and `Preference-Applied`.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::Value;

use super::event_entity::EventView;
use crate::calendar::time_zone::Zone;
use crate::graph::prefer::Preferences;

/// The presentation one request asked for.
pub struct Presentation {
    /// The request's preferences.
    pub preferences: Preferences,
    /// The zone of returned times.
    pub zone: Zone,
    /// Whether `zone` is the preferred one (then `Preference-Applied` names it).
    preferred_zone: bool,
}

impl Presentation {
    /// Reads the `Prefer` headers.
    pub fn from_headers(headers: &HeaderMap) -> Presentation {
        let preferences = Preferences::from_headers(headers);
        let preferred = preferences.time_zone.as_deref().and_then(Zone::parse);
        Presentation {
            preferences,
            preferred_zone: preferred.is_some(),
            zone: preferred.unwrap_or_else(Zone::utc),
        }
    }

    /// The view of events for this request.
    pub fn events<'a>(&'a self, details: bool, select: Option<&'a [String]>) -> EventView<'a> {
        EventView {
            zone: &self.zone,
            details,
            select,
        }
    }

    /// A JSON response with `Preference-Applied` for what was honoured.
    pub fn respond(&self, status: StatusCode, body: Value) -> Response {
        let mut response = (status, Json(body)).into_response();
        let zone = self.preferred_zone.then(|| self.zone.name());
        self.preferences.apply_to(&mut response, zone);
        response
    }
}
