//! Builds the Graph path of an operation from its template, each parameter percent-encoded as exactly
//! one path segment: no `/`, `?`, `#`, `%` or `..` in an id can change which resource is addressed.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters and `@` (kept readable for userPrincipalNames).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'@');

/// Percent-encodes one path segment.
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Fills `{name}` placeholders of `template` from `values`, encoding each as one segment.
/// Returns `None` if a placeholder has no value.
pub fn fill(template: &str, values: &BTreeMap<&str, &str>) -> Option<String> {
    let mut path = String::with_capacity(template.len() + 64);
    for segment in template.split('/').skip(1) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => path.push_str(&encode_segment(values.get(name)?)),
            None => path.push_str(segment),
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_one_segment() {
        let cases = [
            ("adele@contoso.com", "/users/adele@contoso.com/manager"),
            ("../groups", "/users/..%2Fgroups/manager"),
            ("a?b#c", "/users/a%3Fb%23c/manager"),
            ("%2e%2e", "/users/%252e%252e/manager"),
            ("Zoë", "/users/Zo%C3%AB/manager"),
            ("x/../../y", "/users/x%2F..%2F..%2Fy/manager"),
        ];
        for (id, expected) in cases {
            let values = BTreeMap::from([("userId", id)]);
            assert_eq!(fill("/users/{userId}/manager", &values).unwrap(), expected);
        }
    }

    #[test]
    fn missing_values_are_reported() {
        assert_eq!(fill("/users/{userId}", &BTreeMap::new()), None);
        assert_eq!(fill("/users", &BTreeMap::new()).unwrap(), "/users");
    }
}
