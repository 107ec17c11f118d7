//! `$filter`: `eq` comparisons and `startswith(...)` joined by `and`.

use serde_json::{Map, Value};

use super::ODataError;

/// A parsed filter: every condition must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter(Vec<Condition>);

#[derive(Clone, Debug, PartialEq)]
enum Condition {
    Equals { property: String, value: Value },
    StartsWith { property: String, prefix: String },
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
            Some(Token::Word(operator)) if operator == "eq" => Ok(Condition::Equals {
                property,
                value: self.literal()?,
            }),
            Some(Token::Word(operator)) => Err(ODataError::UnsupportedFilter(operator)),
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

    /// Whether `item` satisfies every condition; strings compare case-insensitively.
    pub fn matches(&self, item: &Map<String, Value>) -> bool {
        self.0.iter().all(|condition| match condition {
            Condition::Equals { property, value } => {
                match (item.get(property).unwrap_or(&Value::Null), value) {
                    (Value::String(actual), Value::String(expected)) => {
                        actual.eq_ignore_ascii_case(expected)
                    }
                    (actual, expected) => actual == expected,
                }
            }
            Condition::StartsWith { property, prefix } => item
                .get(property)
                .and_then(Value::as_str)
                .is_some_and(|actual| actual.to_lowercase().starts_with(&prefix.to_lowercase())),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const FILTERABLE: &[&str] = &["displayName", "accountEnabled", "mail"];

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
            Filter::parse("mail ne 'x'", FILTERABLE),
            Err(ODataError::UnsupportedFilter("ne".into()))
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
