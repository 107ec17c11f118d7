//! Graph permission scope names: normalising what Microsoft returns and checking what an operation needs.

use crate::operations::catalog::NOT_IN_PERMISSION_DATA;
use crate::operations::operation::Operation;
use crate::settings::cloud::CLOUDS;
/// OpenID Connect scopes, which are not Graph permissions.
const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// A scope without the Graph resource prefix Microsoft puts on it in token responses (that of any
/// cloud: `https://graph.microsoft.us/User.Read` is `User.Read`).
fn short_name(scope: &str) -> &str {
    CLOUDS
        .iter()
        .find_map(|cloud| {
            scope
                .strip_prefix(cloud.graph_origin())
                .and_then(|rest| rest.strip_prefix('/'))
        })
        .unwrap_or(scope)
}

/// Short Graph scope names from a space-separated `scope` string, without OpenID scopes.
pub fn parse_granted(scope: &str) -> Vec<String> {
    let mut scopes: Vec<String> = scope
        .split_whitespace()
        .map(short_name)
        .filter(|s| !OPENID_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)))
        .map(String::from)
        .collect();
    scopes.sort_by_key(|s| s.to_ascii_lowercase());
    scopes.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    scopes
}

/// The delegated scopes the pre-check asks for before calling Graph for `operation`: its catalog list,
/// or none (Graph decides) where Microsoft's permission data names no permission for a path it sends.
pub fn precheck(operation: &Operation) -> &'static [&'static str] {
    if NOT_IN_PERMISSION_DATA.contains(&operation.name) {
        &[]
    } else {
        operation.delegated_scopes
    }
}

/// A permission name split into resource, access level and reach: `Calendars.ReadWrite.Shared` is
/// (`calendars`, ReadWrite, Shared). Names of another shape (`User.ManageIdentities.All`) give `None`.
fn parts(name: &str) -> Option<(String, u8, u8)> {
    let mut pieces = name.split('.');
    let resource = pieces.next()?.to_ascii_lowercase();
    let access = match pieces.next()?.to_ascii_lowercase().as_str() {
        "readbasic" => 0,
        "read" => 1,
        "readwrite" => 2,
        _ => return None,
    };
    // 0: the signed-in user's own; 1: own and shared with them; 2: all.
    let reach = match pieces.next().map(str::to_ascii_lowercase).as_deref() {
        None => 0,
        Some("shared") => 1,
        Some("all") => 2,
        Some(_) => return None,
    };
    pieces.next().is_none().then_some((resource, access, reach))
}

/// Whether permission `granted` allows at least what `required` does: the same permission, or one of
/// the same resource with at least its access (ReadWrite ⊇ Read ⊇ ReadBasic) and at least its reach
/// (`.All` and `.Shared` include the signed-in user's own form). Case-insensitive.
pub fn includes(granted: &str, required: &str) -> bool {
    if granted.eq_ignore_ascii_case(required) {
        return true;
    }
    match (parts(granted), parts(required)) {
        (Some((g_res, g_access, g_reach)), Some((r_res, r_access, r_reach))) => {
            g_res == r_res && g_access >= r_access && g_reach >= r_reach
        }
        _ => false,
    }
}

/// Whether any one of `required` is among `granted` or included in a granted permission
/// ([`includes`]). An empty `required` is no requirement: Graph decides.
pub fn satisfies(granted: &[String], required: &[&str]) -> bool {
    required.is_empty()
        || required
            .iter()
            .any(|r| granted.iter().any(|g| includes(g, r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::catalog::find;

    #[test]
    fn normalises_microsoft_scope_strings() {
        let granted = parse_granted(
            "https://graph.microsoft.com/User.Read openid profile https://graph.microsoft.com/Calendars.ReadWrite offline_access user.read https://dod-graph.microsoft.us/Calendars.Read",
        );
        assert_eq!(
            granted,
            vec!["Calendars.Read", "Calendars.ReadWrite", "User.Read"]
        );
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

    #[test]
    fn a_wider_permission_includes_a_narrower_one() {
        for (granted, required) in [
            ("Calendars.ReadWrite", "Calendars.Read"),
            ("Calendars.Read", "Calendars.ReadBasic"),
            ("Calendars.ReadWrite.Shared", "Calendars.Read.Shared"),
            ("Calendars.ReadWrite.Shared", "Calendars.ReadWrite"),
            ("Calendars.Read.Shared", "Calendars.Read"),
            ("User.Read.All", "User.Read"),
            ("User.Read.All", "User.ReadBasic.All"),
            ("User.ReadWrite.All", "User.ReadWrite"),
            ("Directory.ReadWrite.All", "Directory.Read.All"),
            ("GroupMember.Read.All", "GroupMember.ReadBasic.All"),
            ("user.readwrite", "User.Read"),
        ] {
            assert!(includes(granted, required), "{granted} ⊇ {required}");
        }
        for (granted, required) in [
            ("Calendars.Read", "Calendars.ReadWrite"),
            ("Calendars.Read", "Calendars.Read.Shared"),
            ("User.ReadBasic.All", "User.Read"),
            ("User.Read", "User.ReadBasic.All"),
            ("Directory.ReadWrite.All", "User.DeleteRestore.All"),
            ("User.ReadWrite.All", "User.ManageIdentities.All"),
            ("Group.Read.All", "GroupMember.Read.All"),
        ] {
            assert!(!includes(granted, required), "{granted} ⊉ {required}");
        }
    }

    #[test]
    fn forwarding_needs_only_read_access() {
        let forward = find("events-forward").unwrap();
        for granted in [
            "Calendars.Read",
            "Calendars.ReadWrite",
            "Calendars.ReadWrite.Shared",
        ] {
            assert!(
                satisfies(&[granted.to_string()], precheck(forward)),
                "{granted}"
            );
        }
        assert!(!satisfies(
            &["Calendars.ReadBasic".to_string()],
            precheck(forward)
        ));
    }

    #[test]
    fn graph_decides_where_microsofts_data_names_no_permission() {
        assert!(precheck(find("calendars-get").unwrap()).is_empty());
        assert!(satisfies(&[], precheck(find("users-photo").unwrap())));
        assert!(!precheck(find("calendars-list").unwrap()).is_empty());
    }

    #[test]
    fn deleting_users_needs_a_permission_that_can() {
        let delete = precheck(find("users-delete").unwrap());
        assert!(satisfies(&["User.DeleteRestore.All".to_string()], delete));
        assert!(!satisfies(&["Directory.ReadWrite.All".to_string()], delete));
    }
}
