//! `patternedRecurrence`: which dates a recurring event occurs on.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde_json::Value;

/// How a series repeats.
#[derive(Clone, Debug, PartialEq)]
enum Pattern {
    Daily,
    Weekly {
        days: Vec<Weekday>,
        first_day: Weekday,
    },
    AbsoluteMonthly {
        day: u32,
    },
    RelativeMonthly {
        days: Vec<Weekday>,
        index: WeekIndex,
    },
    AbsoluteYearly {
        month: u32,
        day: u32,
    },
    RelativeYearly {
        month: u32,
        days: Vec<Weekday>,
        index: WeekIndex,
    },
}

/// `first` .. `fourth` (0..=3) or `last` of the matching days of a month.
#[derive(Clone, Copy, Debug, PartialEq)]
enum WeekIndex {
    Nth(usize),
    Last,
}

/// When a series ends.
#[derive(Clone, Copy, Debug, PartialEq)]
enum RangeEnd {
    EndDate(NaiveDate),
    Numbered(usize),
    NoEnd,
}

/// A parsed `recurrence`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recurrence {
    pattern: Pattern,
    interval: u32,
    start: NaiveDate,
    end: RangeEnd,
}

/// Occurrences are never expanded past this many, whatever the range says.
const MOST_OCCURRENCES: usize = 10_000;

fn text<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

fn date(object: &Value, name: &str) -> Result<Option<NaiveDate>, String> {
    text(object, name)
        .map(|value| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| format!("'{value}' is not a valid {name}."))
        })
        .transpose()
}

fn number(object: &Value, name: &str) -> Option<u32> {
    object
        .get(name)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn weekday(name: &str) -> Option<Weekday> {
    name.parse().ok()
}

fn weekdays(pattern: &Value) -> Result<Vec<Weekday>, String> {
    let days: Vec<Weekday> = pattern
        .get("daysOfWeek")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(weekday)
        .collect();
    if days.is_empty() {
        Err("The recurrence pattern needs daysOfWeek.".into())
    } else {
        Ok(days)
    }
}

fn week_index(pattern: &Value) -> WeekIndex {
    match text(pattern, "index").unwrap_or("first") {
        "second" => WeekIndex::Nth(1),
        "third" => WeekIndex::Nth(2),
        "fourth" => WeekIndex::Nth(3),
        "last" => WeekIndex::Last,
        _ => WeekIndex::Nth(0),
    }
}

fn month_of(pattern: &Value) -> Result<u32, String> {
    number(pattern, "month")
        .filter(|month| (1..=12).contains(month))
        .ok_or_else(|| "The recurrence pattern needs a month between 1 and 12.".into())
}

fn day_of_month(pattern: &Value) -> Result<u32, String> {
    number(pattern, "dayOfMonth")
        .filter(|day| (1..=31).contains(day))
        .ok_or_else(|| "The recurrence pattern needs a dayOfMonth between 1 and 31.".into())
}

impl Recurrence {
    /// Parses a `patternedRecurrence` object whose shape was already checked; the message of
    /// the error says what is missing or inconsistent.
    pub fn parse(value: &Value) -> Result<Recurrence, String> {
        let pattern = value.get("pattern").unwrap_or(&Value::Null);
        let range = value.get("range").unwrap_or(&Value::Null);
        if !pattern.is_object() || !range.is_object() {
            return Err("A recurrence needs a pattern and a range.".into());
        }
        let interval = number(pattern, "interval").unwrap_or(1);
        if interval == 0 {
            return Err("The recurrence interval must be at least 1.".into());
        }
        let pattern = match text(pattern, "type") {
            Some("daily") => Pattern::Daily,
            Some("weekly") => Pattern::Weekly {
                days: weekdays(pattern)?,
                first_day: text(pattern, "firstDayOfWeek")
                    .and_then(weekday)
                    .unwrap_or(Weekday::Sun),
            },
            Some("absoluteMonthly") => Pattern::AbsoluteMonthly {
                day: day_of_month(pattern)?,
            },
            Some("relativeMonthly") => Pattern::RelativeMonthly {
                days: weekdays(pattern)?,
                index: week_index(pattern),
            },
            Some("absoluteYearly") => Pattern::AbsoluteYearly {
                month: month_of(pattern)?,
                day: day_of_month(pattern)?,
            },
            Some("relativeYearly") => Pattern::RelativeYearly {
                month: month_of(pattern)?,
                days: weekdays(pattern)?,
                index: week_index(pattern),
            },
            _ => return Err("The recurrence pattern needs a type.".into()),
        };
        let start = date(range, "startDate")?.ok_or("The recurrence range needs a startDate.")?;
        let end = match text(range, "type") {
            Some("endDate") => {
                let end =
                    date(range, "endDate")?.ok_or("The recurrence range needs an endDate.")?;
                if end < start {
                    return Err("The recurrence range ends before it starts.".into());
                }
                RangeEnd::EndDate(end)
            }
            Some("numbered") => RangeEnd::Numbered(
                number(range, "numberOfOccurrences")
                    .filter(|count| *count > 0)
                    .ok_or("The recurrence range needs numberOfOccurrences of at least 1.")?
                    as usize,
            ),
            Some("noEnd") => RangeEnd::NoEnd,
            _ => return Err("The recurrence range needs a type.".into()),
        };
        Ok(Recurrence {
            pattern,
            interval,
            start,
            end,
        })
    }

    /// The dates of the series, in order, from the range's start date to its end.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let limit = match self.end {
            RangeEnd::Numbered(count) => count.min(MOST_OCCURRENCES),
            RangeEnd::EndDate(_) | RangeEnd::NoEnd => MOST_OCCURRENCES,
        };
        (0u32..)
            .map_while(move |period| self.period_dates(period))
            .flatten()
            .filter(move |date| *date >= self.start)
            .take_while(move |date| match self.end {
                RangeEnd::EndDate(end) => *date <= end,
                RangeEnd::Numbered(_) | RangeEnd::NoEnd => true,
            })
            .take(limit)
    }

    /// The matching dates of the `period`-th repetition (day, week, month or year), or
    /// `None` past the calendar's end.
    fn period_dates(&self, period: u32) -> Option<Vec<NaiveDate>> {
        let step = period.checked_mul(self.interval)?;
        let month_start = self.start.with_day(1)?;
        Some(match &self.pattern {
            Pattern::Daily => vec![self.start.checked_add_days(Days::new(step.into()))?],
            Pattern::Weekly { days, first_day } => {
                let back = self.start.weekday().days_since(*first_day);
                let week = self
                    .start
                    .checked_sub_days(Days::new(back.into()))?
                    .checked_add_days(Days::new(u64::from(step) * 7))?;
                (0..7)
                    .filter_map(|offset| week.checked_add_days(Days::new(offset)))
                    .filter(|date| days.contains(&date.weekday()))
                    .collect()
            }
            Pattern::AbsoluteMonthly { day } => {
                let month = month_start.checked_add_months(Months::new(step))?;
                vec![clamped_day(month, *day)]
            }
            Pattern::RelativeMonthly { days, index } => {
                let month = month_start.checked_add_months(Months::new(step))?;
                relative_day(month, days, *index).into_iter().collect()
            }
            Pattern::AbsoluteYearly { month, day } => {
                let year = NaiveDate::from_ymd_opt(self.start.year(), *month, 1)?
                    .checked_add_months(Months::new(step.checked_mul(12)?))?;
                vec![clamped_day(year, *day)]
            }
            Pattern::RelativeYearly { month, days, index } => {
                let year = NaiveDate::from_ymd_opt(self.start.year(), *month, 1)?
                    .checked_add_months(Months::new(step.checked_mul(12)?))?;
                relative_day(year, days, *index).into_iter().collect()
            }
        })
    }
}

/// Day `day` of the month starting at `month_start`, or its last day when shorter.
fn clamped_day(month_start: NaiveDate, day: u32) -> NaiveDate {
    (1..=day)
        .rev()
        .find_map(|day| month_start.with_day(day))
        .unwrap_or(month_start)
}

/// The `index`-th day of the month starting at `month_start` whose weekday is in `days`.
fn relative_day(month_start: NaiveDate, days: &[Weekday], index: WeekIndex) -> Option<NaiveDate> {
    let matching: Vec<NaiveDate> = month_start
        .iter_days()
        .take_while(|date| date.month() == month_start.month())
        .filter(|date| days.contains(&date.weekday()))
        .collect();
    match index {
        WeekIndex::Nth(n) => matching.get(n).copied(),
        WeekIndex::Last => matching.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dates(recurrence: Value, count: usize) -> Vec<String> {
        Recurrence::parse(&recurrence)
            .unwrap()
            .dates()
            .take(count)
            .map(|date| date.to_string())
            .collect()
    }

    #[test]
    fn daily_every_other_day_until_the_end_date() {
        let recurrence = json!({
            "pattern": {"type": "daily", "interval": 2},
            "range": {"type": "endDate", "startDate": "2026-01-30", "endDate": "2026-02-05"},
        });
        assert_eq!(
            dates(recurrence, 10),
            ["2026-01-30", "2026-02-01", "2026-02-03", "2026-02-05"]
        );
    }

    #[test]
    fn weekly_on_several_days_numbered() {
        let recurrence = json!({
            "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "thursday"]},
            "range": {"type": "numbered", "startDate": "2026-01-08", "numberOfOccurrences": 4},
        });
        assert_eq!(
            dates(recurrence, 10),
            ["2026-01-08", "2026-01-19", "2026-01-22", "2026-02-02"]
        );
    }

    #[test]
    fn monthly_and_yearly_patterns() {
        let absolute = json!({
            "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
            "range": {"type": "noEnd", "startDate": "2026-01-01"},
        });
        assert_eq!(
            dates(absolute, 3),
            ["2026-01-31", "2026-02-28", "2026-03-31"]
        );
        let relative = json!({
            "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"},
            "range": {"type": "numbered", "startDate": "2026-01-01", "numberOfOccurrences": 2},
        });
        assert_eq!(dates(relative, 5), ["2026-01-30", "2026-02-27"]);
        let yearly = json!({
            "pattern": {"type": "relativeYearly", "interval": 1, "month": 11, "daysOfWeek": ["thursday"], "index": "fourth"},
            "range": {"type": "noEnd", "startDate": "2026-01-01"},
        });
        assert_eq!(dates(yearly, 2), ["2026-11-26", "2027-11-25"]);
    }

    #[test]
    fn refuses_incomplete_recurrences() {
        assert!(Recurrence::parse(&json!({"pattern": {"type": "weekly"}, "range": {"type": "noEnd", "startDate": "2026-01-01"}})).is_err());
        assert!(
            Recurrence::parse(&json!({"pattern": {"type": "daily"}, "range": {"type": "noEnd"}}))
                .is_err()
        );
        assert!(Recurrence::parse(&json!({"pattern": {"type": "daily"}})).is_err());
    }
}
