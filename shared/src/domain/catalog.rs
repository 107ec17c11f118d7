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

/// Delegated scopes that allow reading a user's profile: the signed-in user's own (`User.Read`) or anyone's.
const USER_READ_SELF_OR_ANY: &[&str] = &[
    "User.Read",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Delegated scopes and application permissions that allow deleting users.
const USER_DELETE: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];

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
    Operation {
        name: "users-delete",
        summary: "Delete a user (it goes to deleted items for 30 days)",
        method: Method::Delete,
        route: "/users/{userId}",
        graph_path: "/users/{userId}",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: USER_DELETE,
        application_permissions: USER_DELETE,
        pageable: false,
        advanced_query: false,
    },
    Operation {
        name: "users-manager",
        summary: "Get a user's manager",
        method: Method::Get,
        route: "/users/{userId}/manager",
        graph_path: "/users/{userId}/manager",
        query_options: &[QueryOption::Select],
        body: BodyRule::None,
        delegated_scopes: USER_READ_SELF_OR_ANY,
        application_permissions: USER_READ_APP,
        pageable: false,
        advanced_query: false,
    },
    Operation {
        name: "users-direct-reports",
        summary: "List a user's direct reports",
        method: Method::Get,
        route: "/users/{userId}/directReports",
        graph_path: "/users/{userId}/directReports",
        query_options: &[
            QueryOption::Select,
            QueryOption::Filter,
            QueryOption::Search,
            QueryOption::OrderBy,
            QueryOption::Top,
            QueryOption::Count,
            QueryOption::SkipToken,
        ],
        body: BodyRule::None,
        delegated_scopes: USER_READ_SELF_OR_ANY,
        application_permissions: USER_READ_APP,
        pageable: true,
        advanced_query: true,
    },
    Operation {
        name: "users-member-of",
        summary: "List the groups, directory roles and administrative units a user is a direct member of",
        method: Method::Get,
        route: "/users/{userId}/memberOf",
        graph_path: "/users/{userId}/memberOf",
        query_options: &[
            QueryOption::Select,
            QueryOption::Filter,
            QueryOption::Search,
            QueryOption::OrderBy,
            QueryOption::Top,
            QueryOption::Count,
            QueryOption::SkipToken,
        ],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.Read",
            "GroupMember.Read.All",
            "User.Read.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: &[
            "GroupMember.Read.All",
            "User.Read.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        pageable: true,
        advanced_query: true,
    },
    Operation {
        name: "users-photo",
        summary: "Get a user's profile photo (binary, with its content type)",
        method: Method::Get,
        route: "/users/{userId}/photo",
        graph_path: "/users/{userId}/photo/$value",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: USER_READ_SELF_OR_ANY,
        application_permissions: &[
            "ProfilePhoto.Read.All",
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
        ],
        pageable: false,
        advanced_query: false,
    },
    Operation {
        name: "users-delta",
        summary: "Track changes to users: pass back the returned deltaLink (or nextLink) to continue",
        method: Method::Get,
        route: "/users/delta",
        graph_path: "/users/delta",
        query_options: &[QueryOption::Select, QueryOption::Filter],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: USER_READ_APP,
        pageable: true,
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
