//! Free/busy of a mailbox in a period, as `getSchedule` and `findMeetingTimes` see it.

use chrono::{DateTime, Utc};

use crate::calendar::BusyPeriod;

/// The `availabilityView` digit of a `freeBusyStatus`.
pub fn status_digit(status: &str) -> char {
    match status {
        "tentative" => '1',
        "busy" => '2',
        "oof" => '3',
        "workingElsewhere" => '4',
        _ => '0',
    }
}

/// How strongly a status keeps someone away (higher wins when periods overlap).
fn weight(status: &str) -> u8 {
    match status {
        "workingElsewhere" => 1,
        "tentative" => 2,
        "busy" => 3,
        "oof" => 4,
        _ => 0,
    }
}

/// The strongest status among `periods` overlapping `[from, to)`, `free` when none.
pub fn status_between<'a>(
    periods: &[BusyPeriod<'a>],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> &'a str {
    periods
        .iter()
        .filter(|period| period.instance.overlaps(from, to))
        .map(|period| period.status)
        .max_by_key(|status| weight(status))
        .unwrap_or("free")
}
