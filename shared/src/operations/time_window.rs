//! The `startDateTime`/`endDateTime` window of calendar views and event instances, and the
//! `timeZone` option sent as `Prefer: outlook.timezone`.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::ApiError;

/// Longest `timeZone` accepted, in characters.
const MAX_TIME_ZONE_CHARS: usize = 64;

/// A validated time window, passed to Graph as the caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeWindow {
    /// `startDateTime` as given.
    pub start: String,
    /// `endDateTime` as given.
    pub end: String,
}

/// Parses ISO 8601 date-time: with an offset (`2026-11-22T09:00:00+01:00`, `...Z`) or without one,
/// which Graph reads as UTC (`2026-11-22T09:00:00`, fractional seconds allowed).
fn parse_date_time(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(value) {
        return Ok(with_offset.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|naive| naive.and_utc())
        .map_err(|_| {
            ApiError::invalid(format!(
                "`{name}` must be an ISO 8601 date-time such as 2026-11-22T09:00:00Z"
            ))
        })
}

impl TimeWindow {
    /// Validates the window: both ends present, ISO 8601, start before end. Its length is left to
    /// Graph, whose limit (1825 days, answered with 400 `ErrorInvalidRequest`) is not documented
    /// and may change (docs/reference/microsoft-identity-and-graph-facts.md §8).
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<Self, ApiError> {
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ApiError::invalid(
                "`startDateTime` and `endDateTime` are both required",
            ));
        };
        let (from, to) = (
            parse_date_time("startDateTime", start)?,
            parse_date_time("endDateTime", end)?,
        );
        if from >= to {
            return Err(ApiError::invalid(
                "`startDateTime` must be before `endDateTime`",
            ));
        }
        Ok(Self {
            start: start.to_string(),
            end: end.to_string(),
        })
    }
}

/// Validates a time zone name (IANA like `Europe/Paris` or Windows like `Pacific Standard Time`);
/// Graph checks that it exists.
pub fn validate_time_zone(value: &str) -> Result<String, ApiError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " _/+-.()".contains(c);
    if value.is_empty() || value.len() > MAX_TIME_ZONE_CHARS || !value.chars().all(allowed) {
        return Err(ApiError::invalid(
            "`timeZone` must be a time zone name such as Europe/Paris or Pacific Standard Time",
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_graph_date_times() {
        for (start, end) in [
            ("2026-11-22T09:00:00Z", "2026-11-23T09:00:00Z"),
            ("2026-11-22T09:00:00", "2026-11-22T10:00:00.5"),
            ("2026-11-22T09:00:00+01:00", "2026-11-22T09:00:00Z"),
        ] {
            assert!(
                TimeWindow::parse(Some(start), Some(end)).is_ok(),
                "{start} {end}"
            );
        }
    }

    #[test]
    fn refuses_bad_windows() {
        for (start, end) in [
            (Some("2026-11-22"), Some("2026-11-23T00:00:00Z")),
            (Some("2026-11-23T00:00:00Z"), Some("2026-11-22T00:00:00Z")),
            (Some("2026-11-22T00:00:00Z"), Some("2026-11-22T00:00:00Z")),
            (None, Some("2026-11-22T00:00:00Z")),
            (Some("yesterday"), Some("today")),
        ] {
            assert!(TimeWindow::parse(start, end).is_err(), "{start:?} {end:?}");
        }
    }

    #[test]
    fn leaves_the_windows_length_to_graph() {
        assert!(
            TimeWindow::parse(Some("2020-01-01T00:00:00Z"), Some("2029-01-01T00:00:00Z")).is_ok()
        );
    }

    #[test]
    fn checks_time_zone_names() {
        assert!(validate_time_zone("Pacific Standard Time").is_ok());
        assert!(validate_time_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(validate_time_zone("UTC\"; x=1").is_err());
        assert!(validate_time_zone("").is_err());
    }
}
