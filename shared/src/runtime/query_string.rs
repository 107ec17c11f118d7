//! The query string of an API Gateway HTTP API event, read from `rawQueryString`.
//!
//! Payload format 2.0 joins the values of a repeated key with commas in `queryStringParameters`,
//! and the `aws_lambda_events` type splits every value there on commas again, so
//! `$select=id,displayName` would arrive as three values. `rawQueryString` is the query as the
//! client sent it: it is decoded here exactly once, as `application/x-www-form-urlencoded` (the
//! way Graph itself reads a query: `+` is a space, `%2B` a plus), and a key given twice is refused.

use std::collections::BTreeMap;

use crate::error::ApiError;

/// The parameters of `raw` (without the leading `?`), by name.
pub fn parse_query_string(raw: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let mut parameters = BTreeMap::new();
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        if key.is_empty() {
            continue;
        }
        if parameters.contains_key(key.as_ref()) {
            return Err(ApiError::invalid(format!(
                "query parameter `{key}` is given more than once"
            )));
        }
        parameters.insert(key.into_owned(), value.into_owned());
    }
    Ok(parameters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_quotes_and_spaces_survive_exactly() {
        let parameters = parse_query_string(
            "%24select=id,displayName,jobTitle&%24filter=startswith(displayName,%27A%27)\
             &%24search=%22displayName:room%22&%24orderby=displayName+desc&authUserId=alice",
        )
        .unwrap();
        assert_eq!(parameters["$select"], "id,displayName,jobTitle");
        assert_eq!(parameters["$filter"], "startswith(displayName,'A')");
        assert_eq!(parameters["$search"], "\"displayName:room\"");
        assert_eq!(parameters["$orderby"], "displayName desc");
        assert_eq!(parameters["authUserId"], "alice");
    }

    #[test]
    fn a_percent_sequence_is_decoded_once() {
        let parameters =
            parse_query_string("returnUrl=https%3A%2F%2Fapp%2Fback%3Fa%3D1%26b%3D%2541").unwrap();
        assert_eq!(parameters["returnUrl"], "https://app/back?a=1&b=%41");
        assert_eq!(parse_query_string("q=%2B1").unwrap()["q"], "+1");
    }

    #[test]
    fn a_repeated_key_is_refused() {
        let error = parse_query_string("$top=1&$top=2").unwrap_err();
        assert!(
            error.to_string().contains("`$top` is given more than once"),
            "{error}"
        );
    }

    #[test]
    fn empty_pieces_are_ignored() {
        assert!(parse_query_string("").unwrap().is_empty());
        assert_eq!(parse_query_string("&a=1&&").unwrap().len(), 1);
        assert_eq!(parse_query_string("flag").unwrap()["flag"], "");
    }
}
