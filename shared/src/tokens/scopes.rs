//! Graph permission scope names: normalising what Microsoft returns and checking what an operation needs.

/// The resource prefix Microsoft puts on Graph scopes in token responses.
const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
/// OpenID Connect scopes, which are not Graph permissions.
const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Short Graph scope names from a space-separated `scope` string, without OpenID scopes.
pub fn parse_granted(scope: &str) -> Vec<String> {
    let mut scopes: Vec<String> = scope
        .split_whitespace()
        .map(|s| s.strip_prefix(GRAPH_RESOURCE).unwrap_or(s))
        .filter(|s| !OPENID_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)))
        .map(String::from)
        .collect();
    scopes.sort_by_key(|s| s.to_ascii_lowercase());
    scopes.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    scopes
}

/// Whether any one of `required` is among `granted` (case-insensitive).
pub fn satisfies(granted: &[String], required: &[&str]) -> bool {
    required
        .iter()
        .any(|r| granted.iter().any(|g| g.eq_ignore_ascii_case(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_microsoft_scope_strings() {
        let granted = parse_granted(
            "https://graph.microsoft.com/User.Read openid profile https://graph.microsoft.com/Calendars.ReadWrite offline_access user.read",
        );
        assert_eq!(granted, vec!["Calendars.ReadWrite", "User.Read"]);
    }

    #[test]
    fn any_one_scope_suffices() {
        let granted = vec!["Calendars.Read".to_string()];
        assert!(satisfies(
            &granted,
            &["calendars.read", "Calendars.ReadWrite"]
        ));
        assert!(!satisfies(&granted, &["User.Read.All"]));
        assert!(!satisfies(&[], &["User.Read"]));
    }
}
