//! Graph's advanced query capabilities on directory objects: which queries need the
//! `ConsistencyLevel: eventual` header, and which also need `$count=true`. The cases are those of
//! Microsoft's "Advanced query capabilities on Microsoft Entra ID objects"
//! (learn.microsoft.com/graph/aad-advanced-queries, "Query scenarios that require advanced query
//! capabilities"): `$search`; `$count`; `$filter` with `ne`, `not`, `endsWith` or a `/$count`;
//! `$filter` together with `$orderby`. Without them Graph refuses the query, or silently ignores
//! `$count=true`.

use crate::operations::operation::QueryOption;

/// What a directory query needs to be answered as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdvancedQuery {
    /// Send `ConsistencyLevel: eventual`.
    pub eventual_consistency: bool,
    /// Send `$count=true` (when the caller did not).
    pub count: bool,
}

/// `filter` without its string literals (`'...'`, with `''` for a quote), so a value such as
/// `'not here'` is not read as an operator.
fn without_literals(filter: &str) -> String {
    let mut outside = String::new();
    let mut in_literal = false;
    for c in filter.chars() {
        if c == '\'' {
            in_literal = !in_literal;
            outside.push(' ');
        } else if !in_literal {
            outside.push(c);
        }
    }
    outside
}

/// Whether `filter` uses an operator only advanced queries support (`ne`, `not`, `endsWith`,
/// `/$count`).
fn has_advanced_operator(filter: &str) -> bool {
    let code = without_literals(filter).to_ascii_lowercase();
    code.contains("/$count")
        || code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|word| matches!(word, "ne" | "not" | "endswith"))
}

/// What the query options `query` need on an operation that supports advanced queries.
pub fn advanced_query(query: &[(QueryOption, String)]) -> AdvancedQuery {
    let value = |option: QueryOption| {
        query
            .iter()
            .find(|(o, _)| *o == option)
            .map(|(_, v)| v.as_str())
    };
    let filter = value(QueryOption::Filter);
    let needs_count = filter.is_some_and(has_advanced_operator)
        || (filter.is_some() && value(QueryOption::OrderBy).is_some());
    AdvancedQuery {
        eventual_consistency: needs_count
            || value(QueryOption::Search).is_some()
            || value(QueryOption::Count).is_some(),
        count: needs_count && value(QueryOption::Count).is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(options: &[(QueryOption, &str)]) -> AdvancedQuery {
        let query: Vec<(QueryOption, String)> =
            options.iter().map(|(o, v)| (*o, v.to_string())).collect();
        advanced_query(&query)
    }

    const BOTH: AdvancedQuery = AdvancedQuery {
        eventual_consistency: true,
        count: true,
    };

    #[test]
    fn microsofts_examples_need_what_microsoft_says() {
        use QueryOption::{Count, Filter, OrderBy, Search};
        // Microsoft's own examples from the page's list.
        assert_eq!(query(&[(Filter, "endsWith(mail,'@outlook.com')")]), BOTH);
        assert_eq!(
            query(&[(
                Filter,
                "companyName ne null and NOT(companyName eq 'Microsoft')"
            )]),
            BOTH
        );
        assert_eq!(
            query(&[(Filter, "NOT startsWith(displayName, 'Conf')")]),
            BOTH
        );
        assert_eq!(query(&[(Filter, "assignedLicenses/$count eq 0")]), BOTH);
        assert_eq!(
            query(&[(
                Filter,
                "proxyAddresses/any (p:endsWith(p, 'OnMicrosoft.com'))"
            )]),
            BOTH
        );
        assert_eq!(
            query(&[
                (OrderBy, "displayName"),
                (Filter, "startsWith( displayName, 'Box')")
            ]),
            BOTH
        );
        assert_eq!(
            query(&[(Search, "\"displayName:Browser\"")]),
            AdvancedQuery {
                eventual_consistency: true,
                count: false
            }
        );
        // A caller's own $count=true is kept, not repeated.
        assert_eq!(
            query(&[(Count, "true"), (Filter, "endsWith(mail,'@outlook.com')")]),
            AdvancedQuery {
                eventual_consistency: true,
                count: false
            }
        );
    }

    #[test]
    fn default_queries_and_literals_need_nothing() {
        use QueryOption::{Filter, Select};
        assert_eq!(query(&[]), AdvancedQuery::default());
        assert_eq!(query(&[(Select, "id")]), AdvancedQuery::default());
        assert_eq!(
            query(&[(Filter, "startswith(displayName,'not ne endswith')")]),
            AdvancedQuery::default()
        );
        assert_eq!(
            query(&[(Filter, "displayName eq 'it''s not'")]),
            AdvancedQuery::default()
        );
        assert_eq!(
            query(&[(Filter, "department eq 'Finance'")]),
            AdvancedQuery::default()
        );
    }
}
