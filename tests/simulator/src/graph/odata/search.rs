//! `$search="property:text"` clauses joined by `AND` / `OR`, matched like Microsoft Entra's
//! tokenized search: the text must start a word of the property value.

use serde_json::{Map, Value};

use super::ODataError;

/// A parsed `$search`: any of the `OR` branches, each requiring all of its `AND` terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search(Vec<Vec<Term>>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    property: String,
    text: String,
}

impl Search {
    /// Parses `text`, allowing terms on `searchable` properties only.
    pub fn parse(text: &str, searchable: &[&str]) -> Result<Search, ODataError> {
        let invalid = || ODataError::InvalidSearch(text.to_string());
        let term = |clause: &str| -> Result<Term, ODataError> {
            let inner = clause
                .trim()
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
                .ok_or_else(invalid)?;
            let (name, term_text) = inner.split_once(':').ok_or_else(invalid)?;
            let property = searchable
                .iter()
                .find(|known| known.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(invalid)?;
            Ok(Term {
                property: (*property).to_string(),
                text: term_text.trim().to_lowercase(),
            })
        };
        text.split(" OR ")
            .map(|branch| {
                branch
                    .split(" AND ")
                    .map(term)
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Search)
    }

    /// Whether `item` matches.
    pub fn matches(&self, item: &Map<String, Value>) -> bool {
        self.0.iter().any(|terms| {
            terms.iter().all(|term| {
                item.get(&term.property)
                    .and_then(Value::as_str)
                    .is_some_and(|value| starts_a_word(value, &term.text))
            })
        })
    }
}

/// Whether `text` (lower case) occurs in `value` at the start of a word.
fn starts_a_word(value: &str, text: &str) -> bool {
    let value = value.to_lowercase();
    value.match_indices(text).any(|(at, _)| {
        value[..at]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(display_name: &str) -> Map<String, Value> {
        json!({ "displayName": display_name })
            .as_object()
            .cloned()
            .expect("an object")
    }

    #[test]
    fn matches_word_prefixes_only() {
        let search = Search::parse("\"displayName:van\"", &["displayName"]).unwrap();
        assert!(search.matches(&item("Adele Vance")));
        assert!(!search.matches(&item("Savannah")));
    }

    #[test]
    fn or_of_and_clauses() {
        let search = Search::parse(
            "\"displayName:ad\" AND \"displayName:va\" OR \"displayName:me\"",
            &["displayName"],
        )
        .unwrap();
        assert!(search.matches(&item("Adele Vance")));
        assert!(search.matches(&item("Megan Bowen")));
        assert!(!search.matches(&item("Adele Smith")));
    }

    #[test]
    fn refuses_unquoted_clauses_and_unknown_properties() {
        assert!(Search::parse("displayName:ad", &["displayName"]).is_err());
        assert!(Search::parse("\"jobTitle:ad\"", &["displayName"]).is_err());
    }
}
