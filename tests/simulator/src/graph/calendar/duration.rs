//! ISO 8601 durations as `Edm.Duration` values carry them: `PT1H`, `PT1H30M`, `P1DT2H`.

use chrono::Duration;

/// Reads `digits unit` pairs, `units` giving each unit's length in seconds.
fn sum_units(mut text: &str, units: &[(char, i64)]) -> Option<i64> {
    let mut total = 0i64;
    while !text.is_empty() {
        let digits_end = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let (number, rest) = text.split_at(digits_end);
        let unit = rest.chars().next()?;
        let seconds = units.iter().find(|(known, _)| *known == unit)?.1;
        let whole: i64 = number.split('.').next()?.parse().ok()?;
        total = total.checked_add(whole.checked_mul(seconds)?)?;
        text = &rest[unit.len_utf8()..];
    }
    Some(total)
}

/// The length of a duration such as `PT1H30M`; `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) if !time.is_empty() => (days, time),
        Some(_) => return None,
        None => (rest, ""),
    };
    if days.is_empty() && time.is_empty() {
        return None;
    }
    let seconds = sum_units(days, &[('W', 604_800), ('D', 86_400)])?
        .checked_add(sum_units(time, &[('H', 3_600), ('M', 60), ('S', 1)])?)?;
    Some(Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_days_hours_minutes_and_seconds() {
        assert_eq!(parse_duration("PT1H"), Some(Duration::hours(1)));
        assert_eq!(parse_duration("PT2H30M"), Some(Duration::minutes(150)));
        assert_eq!(parse_duration("P1DT30S"), Some(Duration::seconds(86_430)));
        assert_eq!(parse_duration("PT45.5S"), Some(Duration::seconds(45)));
        for invalid in ["", "P", "PT", "1H", "PT1X", "PTH"] {
            assert_eq!(parse_duration(invalid), None, "{invalid}");
        }
    }
}
