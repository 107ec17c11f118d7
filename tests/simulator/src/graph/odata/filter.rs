//! `$filter`: comparisons (`eq`, `ne`, `gt`, `ge`, `lt`, `le`) and `startswith(...)` joined by
//! `and`. Properties may be paths (`start/dateTime`); strings that are both date-times compare
//! as instants, other strings case-insensitively.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDateTime};
use serde_json::{Map, Value};

use super::{ODataError, value_at};

/// A parsed filter: every condition must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter(Vec<Condition>);

#[derive(Clone, Debug, PartialEq)]
enum Condition {
    Compare {
        property: String,
        operator: Operator,
        value: Value,
    },
    StartsWith {
        property: String,
        prefix: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Operator {
    fn parse(word: &str) -> Option<Operator> {
        Some(match word {
            "eq" => Operator::Eq,
            "ne" => Operator::Ne,
            "gt" => Operator::Gt,
            "ge" => Operator::Ge,
            "lt" => Operator::Lt,
            "le" => Operator::Le,
            _ => return None,
        })
    }

    /// Whether `ordering` (actual against expected; `None`: incomparable) satisfies it.
    fn holds(self, ordering: Option<Ordering>) -> bool {
        match self {
            Operator::Eq => ordering == Some(Ordering::Equal),
            Operator::Ne => ordering != Some(Ordering::Equal),
            Operator::Gt => ordering == Some(Ordering::Greater),
            Operator::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            Operator::Lt => ordering == Some(Ordering::Less),
            Operator::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        }
    }
}

/// A date-time string as an instant-comparable value: offsets are applied, times without one
/// are read as UTC.
fn date_time(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
}

fn compare(actual: &Value, expected: &Value) -> Option<Ordering> {
    match (actual, expected) {
        (Value::String(actual), Value::String(expected)) => {
            match (date_time(actual), date_time(expected)) {
                (Some(actual), Some(expected)) => Some(actual.cmp(&expected)),
                _ => Some(actual.to_lowercase().cmp(&expected.to_lowercase())),
            }
        }
        (Value::Number(actual), Value::Number(expected)) => {
            actual.as_f64()?.partial_cmp(&expected.as_f64()?)
        }
        (Value::Bool(actual), Value::Bool(expected)) => Some(actual.cmp(expected)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ODataError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => literal.push(c),
                        None => {
                            return Err(ODataError::InvalidFilter(format!(
                                "unterminated string literal in '{text}'"
                            )));
                        }
                    }
                }
                tokens.push(Token::Text(literal));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "(),'".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: std::iter::Peekable<std::vec::IntoIter<Token>>,
    filterable: &'a [&'a str],
    text: &'a str,
}

impl Parser<'_> {
    fn invalid(&self) -> ODataError {
        ODataError::InvalidFilter(format!("Invalid filter clause: {}", self.text))
    }

    fn expect(&mut self, expected: &Token) -> Result<(), ODataError> {
        if self.tokens.next().as_ref() == Some(expected) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    fn property(&mut self) -> Result<String, ODataError> {
        match self.tokens.next() {
            Some(Token::Word(name)) => self
                .filterable
                .iter()
                .find(|known| known.eq_ignore_ascii_case(&name))
                .map(|known| (*known).to_string())
                .ok_or(ODataError::UnsupportedFilter(name)),
            _ => Err(self.invalid()),
        }
    }

    fn literal(&mut self) -> Result<Value, ODataError> {
        match self.tokens.next() {
            Some(Token::Text(text)) => Ok(Value::String(text)),
            Some(Token::Word(word)) => match word.as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                time if date_time(time).is_some() => Ok(Value::String(time.to_string())),
                number => number
                    .parse::<serde_json::Number>()
                    .map(Value::Number)
                    .map_err(|_| self.invalid()),
            },
            _ => Err(self.invalid()),
        }
    }

    fn condition(&mut self) -> Result<Condition, ODataError> {
        let Some(Token::Word(first)) = self.tokens.peek().cloned() else {
            return Err(self.invalid());
        };
        if self.tokens.clone().nth(1) == Some(Token::Open) {
            self.tokens.next();
            if !first.eq_ignore_ascii_case("startswith") {
                return Err(ODataError::UnsupportedFilter(first));
            }
            self.expect(&Token::Open)?;
            let property = self.property()?;
            self.expect(&Token::Comma)?;
            let Value::String(prefix) = self.literal()? else {
                return Err(self.invalid());
            };
            self.expect(&Token::Close)?;
            return Ok(Condition::StartsWith { property, prefix });
        }
        let property = self.property()?;
        match self.tokens.next() {
            Some(Token::Word(word)) => match Operator::parse(&word) {
                Some(operator) => Ok(Condition::Compare {
                    property,
                    operator,
                    value: self.literal()?,
                }),
                None => Err(ODataError::UnsupportedFilter(word)),
            },
            _ => Err(self.invalid()),
        }
    }
}

impl Filter {
    /// Parses `text`, allowing conditions on `filterable` properties only.
    pub fn parse(text: &str, filterable: &[&str]) -> Result<Filter, ODataError> {
        let mut parser = Parser {
            tokens: tokenize(text)?.into_iter().peekable(),
            filterable,
            text,
        };
        let mut conditions = vec![parser.condition()?];
        while let Some(token) = parser.tokens.next() {
            match token {
                Token::Word(word) if word == "and" => conditions.push(parser.condition()?),
                Token::Word(word) if word == "or" || word == "not" => {
                    return Err(ODataError::UnsupportedFilter(word));
                }
                _ => return Err(parser.invalid()),
            }
        }
        Ok(Filter(conditions))
    }

    /// The property of the first condition only advanced directory queries allow (`ne`; Entra
    /// serves `ne`, `not` and `endsWith` only with `ConsistencyLevel: eventual` and `$count=true`,
    /// learn.microsoft.com/graph/aad-advanced-queries).
    pub fn advanced_property(&self) -> Option<&str> {
        self.0.iter().find_map(|condition| match condition {
            Condition::Compare {
                property,
                operator: Operator::Ne,
                ..
            } => Some(property.as_str()),
            _ => None,
        })
    }

    /// Whether `item` satisfies every condition.
    pub fn matches(&self, item: &Map<String, Value>) -> bool {
        self.0.iter().all(|condition| match condition {
            Condition::Compare {
                property,
                operator,
                value,
            } => operator.holds(compare(
                value_at(item, property).unwrap_or(&Value::Null),
                value,
            )),
            Condition::StartsWith { property, prefix } => value_at(item, property)
                .and_then(Value::as_str)
                .is_some_and(|actual| actual.to_lowercase().starts_with(&prefix.to_lowercase())),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const FILTERABLE: &[&str] = &["displayName", "accountEnabled", "mail", "start/dateTime"];

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn equals_and_startswith_joined_by_and() {
        let filter = Filter::parse(
            "startswith(displayName,'ad') and accountEnabled eq true",
            FILTERABLE,
        )
        .unwrap();
        assert!(filter.matches(&item(
            json!({"displayName": "Adele Vance", "accountEnabled": true})
        )));
        assert!(!filter.matches(&item(
            json!({"displayName": "Adele Vance", "accountEnabled": false})
        )));
        assert!(!filter.matches(&item(
            json!({"displayName": "Megan", "accountEnabled": true})
        )));
    }

    #[test]
    fn string_literals_unescape_quotes_and_compare_case_insensitively() {
        let filter = Filter::parse("displayName eq 'o''brien'", FILTERABLE).unwrap();
        assert!(filter.matches(&item(json!({"displayName": "O'Brien"}))));
    }

    #[test]
    fn ordering_operators_on_paths_compare_date_times_as_instants() {
        let event =
            item(json!({"start": {"dateTime": "2026-01-05T09:00:00.0000000"}, "mail": "b"}));
        for (text, expected) in [
            ("start/dateTime ge '2026-01-05T09:00:00'", true),
            ("start/dateTime gt '2026-01-05T09:00:00Z'", false),
            ("start/dateTime lt 2026-01-05T10:00:00+00:00", true),
            ("start/dateTime le '2026-01-05T08:00:00-02:00'", true),
            ("start/dateTime ne '2026-01-05T09:00:00'", false),
            ("mail gt 'A' and mail lt 'C'", true),
            ("mail ne 'B'", false),
        ] {
            let filter = Filter::parse(text, FILTERABLE).unwrap();
            assert_eq!(filter.matches(&event), expected, "{text}");
        }
    }

    #[test]
    fn null_matches_missing_properties() {
        let filter = Filter::parse("mail eq null", FILTERABLE).unwrap();
        assert!(filter.matches(&item(json!({"displayName": "x"}))));
        assert!(!filter.matches(&item(json!({"mail": "x@y"}))));
    }

    #[test]
    fn refuses_unsupported_properties_operators_and_syntax() {
        assert_eq!(
            Filter::parse("jobTitle eq 'x'", FILTERABLE),
            Err(ODataError::UnsupportedFilter("jobTitle".into()))
        );
        assert_eq!(
            Filter::parse("mail has 'x'", FILTERABLE),
            Err(ODataError::UnsupportedFilter("has".into()))
        );
        assert_eq!(
            Filter::parse("endswith(mail,'x')", FILTERABLE),
            Err(ODataError::UnsupportedFilter("endswith".into()))
        );
        assert!(matches!(
            Filter::parse("mail eq 'x' or mail eq 'y'", FILTERABLE),
            Err(ODataError::UnsupportedFilter(_))
        ));
        assert!(matches!(
            Filter::parse("mail eq 'x", FILTERABLE),
            Err(ODataError::InvalidFilter(_))
        ));
        assert!(matches!(
            Filter::parse("mail eq", FILTERABLE),
            Err(ODataError::InvalidFilter(_))
        ));
    }
}
