//! Time zones as Outlook names them (Windows names such as "Pacific Standard Time", or IANA
//! names such as "Europe/Berlin") and Graph's local date-time strings.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Windows time zone names and the IANA zone each stands for (CLDR's "001" territory).
const WINDOWS_ZONES: &[(&str, Tz)] = &[
    ("UTC", Tz::UTC),
    ("Coordinated Universal Time", Tz::UTC),
    ("tzone://Microsoft/Utc", Tz::UTC),
    ("GMT Standard Time", Tz::Europe__London),
    ("Greenwich Standard Time", Tz::Atlantic__Reykjavik),
    ("W. Europe Standard Time", Tz::Europe__Berlin),
    ("Central Europe Standard Time", Tz::Europe__Budapest),
    ("Romance Standard Time", Tz::Europe__Paris),
    ("Central European Standard Time", Tz::Europe__Warsaw),
    ("E. Europe Standard Time", Tz::Europe__Chisinau),
    ("FLE Standard Time", Tz::Europe__Kyiv),
    ("GTB Standard Time", Tz::Europe__Bucharest),
    ("Russian Standard Time", Tz::Europe__Moscow),
    ("Turkey Standard Time", Tz::Europe__Istanbul),
    ("Israel Standard Time", Tz::Asia__Jerusalem),
    ("Egypt Standard Time", Tz::Africa__Cairo),
    ("South Africa Standard Time", Tz::Africa__Johannesburg),
    ("W. Central Africa Standard Time", Tz::Africa__Lagos),
    ("E. Africa Standard Time", Tz::Africa__Nairobi),
    ("Morocco Standard Time", Tz::Africa__Casablanca),
    ("Arab Standard Time", Tz::Asia__Riyadh),
    ("Arabian Standard Time", Tz::Asia__Dubai),
    ("Iran Standard Time", Tz::Asia__Tehran),
    ("Pakistan Standard Time", Tz::Asia__Karachi),
    ("India Standard Time", Tz::Asia__Kolkata),
    ("Sri Lanka Standard Time", Tz::Asia__Colombo),
    ("Nepal Standard Time", Tz::Asia__Kathmandu),
    ("Bangladesh Standard Time", Tz::Asia__Dhaka),
    ("SE Asia Standard Time", Tz::Asia__Bangkok),
    ("China Standard Time", Tz::Asia__Shanghai),
    ("Singapore Standard Time", Tz::Asia__Singapore),
    ("Taipei Standard Time", Tz::Asia__Taipei),
    ("Tokyo Standard Time", Tz::Asia__Tokyo),
    ("Korea Standard Time", Tz::Asia__Seoul),
    ("W. Australia Standard Time", Tz::Australia__Perth),
    ("Cen. Australia Standard Time", Tz::Australia__Adelaide),
    ("E. Australia Standard Time", Tz::Australia__Brisbane),
    ("AUS Eastern Standard Time", Tz::Australia__Sydney),
    ("Tasmania Standard Time", Tz::Australia__Hobart),
    ("New Zealand Standard Time", Tz::Pacific__Auckland),
    ("Hawaiian Standard Time", Tz::Pacific__Honolulu),
    ("Alaskan Standard Time", Tz::America__Anchorage),
    ("Pacific Standard Time", Tz::America__Los_Angeles),
    ("US Mountain Standard Time", Tz::America__Phoenix),
    ("Mountain Standard Time", Tz::America__Denver),
    ("Central Standard Time", Tz::America__Chicago),
    ("Central Standard Time (Mexico)", Tz::America__Mexico_City),
    ("Canada Central Standard Time", Tz::America__Regina),
    ("Central America Standard Time", Tz::America__Guatemala),
    ("Eastern Standard Time", Tz::America__New_York),
    ("SA Pacific Standard Time", Tz::America__Bogota),
    ("Atlantic Standard Time", Tz::America__Halifax),
    ("Newfoundland Standard Time", Tz::America__St_Johns),
    ("E. South America Standard Time", Tz::America__Sao_Paulo),
    (
        "Argentina Standard Time",
        Tz::America__Argentina__Buenos_Aires,
    ),
];

/// A time zone under the name the client used for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    name: String,
    tz: Tz,
}

impl Zone {
    /// UTC, named "UTC".
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: Tz::UTC,
        }
    }

    /// The zone `name` stands for: a Windows name (case-insensitively) or an IANA name.
    pub fn parse(name: &str) -> Option<Zone> {
        let name = name.trim();
        WINDOWS_ZONES
            .iter()
            .find(|(windows, _)| windows.eq_ignore_ascii_case(name))
            .map(|(_, tz)| *tz)
            .or_else(|| name.parse::<Tz>().ok())
            .map(|tz| Zone {
                name: name.to_string(),
                tz,
            })
    }

    /// The name as the client wrote it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant a wall-clock time of this zone stands for; a time skipped by a daylight
    /// saving change counts as the hour after, a repeated one as its first instance.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(time) | LocalResult::Ambiguous(time, _) => time.with_timezone(&Utc),
            LocalResult::None => self.to_utc(local + chrono::Duration::hours(1)),
        }
    }

    /// The wall-clock time of this zone at `instant`.
    pub fn local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.tz).naive_local()
    }
}

/// Parses a date-time as Graph accepts it: `2026-01-05T09:00:00[.fraction]`, or with `Z` or an
/// offset, which then gives the instant (returned as `Err` of the local reading).
pub fn parse_date_time(text: &str) -> Option<DateTimeText> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(DateTimeText::Instant(instant.with_timezone(&Utc)));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
        .map(DateTimeText::Local)
}

/// A parsed date-time text: a wall-clock time, or an instant when it carried an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateTimeText {
    /// No offset: a time on some zone's clock.
    Local(NaiveDateTime),
    /// With `Z` or an offset.
    Instant(DateTime<Utc>),
}

impl DateTimeText {
    /// The instant, reading a wall-clock time in `zone`.
    pub fn instant_in(self, zone: &Zone) -> DateTime<Utc> {
        match self {
            DateTimeText::Local(local) => zone.to_utc(local),
            DateTimeText::Instant(instant) => instant,
        }
    }
}

fn seven_digit_fraction(time: NaiveDateTime) -> String {
    format!(
        "{}.{:07}",
        time.format("%Y-%m-%dT%H:%M:%S"),
        time.and_utc().timestamp_subsec_nanos() / 100
    )
}

/// A wall-clock time as Graph writes `dateTime`: `2026-01-05T09:00:00.0000000`.
pub fn format_local(time: NaiveDateTime) -> String {
    seven_digit_fraction(time)
}

/// An instant as Outlook writes `createdDateTime`: `2026-01-05T09:00:00.1234567Z`.
pub fn format_instant(instant: DateTime<Utc>) -> String {
    format!("{}Z", seven_digit_fraction(instant.naive_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        match parse_date_time(text) {
            Some(DateTimeText::Local(time)) => time,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn windows_and_iana_names_with_daylight_saving() {
        let pacific = Zone::parse("pacific standard time").unwrap();
        assert_eq!(pacific.name(), "pacific standard time");
        assert_eq!(
            format_instant(pacific.to_utc(local("2026-07-01T09:00:00"))),
            "2026-07-01T16:00:00.0000000Z"
        );
        assert_eq!(
            format_instant(pacific.to_utc(local("2026-01-05T09:00:00"))),
            "2026-01-05T17:00:00.0000000Z"
        );
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let europe = Zone::parse("W. Europe Standard Time").unwrap();
        let instant = Zone::utc().to_utc(local("2026-03-29T12:00:00"));
        assert_eq!(
            format_local(berlin.local(instant)),
            "2026-03-29T14:00:00.0000000"
        );
        assert_eq!(europe.local(instant), berlin.local(instant));
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn skipped_local_times_move_forward() {
        let europe = Zone::parse("W. Europe Standard Time").unwrap();
        assert_eq!(
            format_instant(europe.to_utc(local("2026-03-29T02:30:00"))),
            "2026-03-29T01:30:00.0000000Z"
        );
    }

    #[test]
    fn offsets_give_instants() {
        let parsed = parse_date_time("2019-11-08T19:00:00-08:00").unwrap();
        assert_eq!(
            format_instant(parsed.instant_in(&Zone::utc())),
            "2019-11-09T03:00:00.0000000Z"
        );
        assert_eq!(
            local("2026-01-05T09:00:00.1234567"),
            local("2026-01-05T09:00:00.1234567")
        );
        assert!(parse_date_time("tomorrow").is_none());
    }
}
