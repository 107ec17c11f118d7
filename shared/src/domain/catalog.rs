//! The operations catalog: one definition per operation. Binaries, `template.yaml`, the README and the
//! contract tests all derive from or are checked against this list.

use super::operation::{BodyRule, Method, Operation, QueryOption};

/// Delegated scopes that allow reading another user's profile.
const USER_READ_ANY: &[&str] = &[
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Application permissions that allow reading users.
const USER_READ_APP: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// Every operation of the bundle.
pub const CATALOG: &[Operation] = &[
    Operation {
        name: "users-get",
        summary: "Get a user's profile",
        method: Method::Get,
        route: "/users/{userId}",
        graph_path: "/users/{userId}",
        query_options: &[QueryOption::Select, QueryOption::Expand],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.Read",
            "User.ReadWrite",
            "User.ReadBasic.All",
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: USER_READ_APP,
        pageable: false,
        advanced_query: false,
    },
    Operation {
        name: "users-list",
        summary: "List the users of the tenant",
        method: Method::Get,
        route: "/users",
        graph_path: "/users",
        query_options: &[
            QueryOption::Select,
            QueryOption::Filter,
            QueryOption::Search,
            QueryOption::OrderBy,
            QueryOption::Top,
            QueryOption::Count,
            QueryOption::Expand,
            QueryOption::SkipToken,
        ],
        body: BodyRule::None,
        delegated_scopes: USER_READ_ANY,
        application_permissions: USER_READ_APP,
        pageable: true,
        advanced_query: true,
    },
    Operation {
        name: "users-create",
        summary: "Create a user",
        method: Method::Post,
        route: "/users",
        graph_path: "/users",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
        application_permissions: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
        pageable: false,
        advanced_query: false,
    },
    Operation {
        name: "users-update",
        summary: "Update a user's profile",
        method: Method::Patch,
        route: "/users/{userId}",
        graph_path: "/users/{userId}",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &[
            "User.ReadWrite",
            "User.ManageIdentities.All",
            "User.EnableDisableAccount.All",
            "User.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: &[
            "User.ManageIdentities.All",
            "User.EnableDisableAccount.All",
            "User.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        pageable: false,
        advanced_query: false,
    },
];

/// The operation with this name, if any.
pub fn find(name: &str) -> Option<&'static Operation> {
    CATALOG.iter().find(|op| op.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_routes_are_unique() {
        let names: HashSet<_> = CATALOG.iter().map(|op| op.name).collect();
        assert_eq!(names.len(), CATALOG.len());
        let routes: HashSet<_> = CATALOG.iter().map(|op| (op.method, op.route)).collect();
        assert_eq!(routes.len(), CATALOG.len());
    }

    #[test]
    fn every_operation_allows_some_permission_mode() {
        for op in CATALOG {
            assert!(
                op.allows_delegated() || op.allows_application(),
                "{}",
                op.name
            );
        }
    }

    #[test]
    fn path_parameters_come_from_the_template() {
        let op = find("users-get").unwrap();
        assert_eq!(op.path_parameters().collect::<Vec<_>>(), vec!["userId"]);
        assert_eq!(find("users-list").unwrap().path_parameters().count(), 0);
    }
}
