//! The operations catalog: one definition per operation. Binaries, `template.yaml`, the README and the
//! contract tests all derive from or are checked against this list.
//!
//! Permission lists follow Microsoft's own permission data, vendored in `vendor/graph-permissions/`
//! (see its README), and the e2e `permissions` test fails when one differs:
//!
//! - `delegated_scopes` is exactly the set of permissions Microsoft's data lists under the
//!   `DelegatedWork` scheme for the Graph paths the operation sends (`graph_path`, and
//!   `calendar_graph_path` when there is one: the union of both), and `application_permissions` the
//!   set under `Application`, named as the app role in the token's `roles` claim
//!   (`Calendars.ReadBasic.All` where the data says `Calendars.ReadBasic`).
//! - The paths are compared in the `/users/{id}/...` form: the bundle resolves `me` to the signed-in
//!   user's object id and never sends `/me/...`.
//! - An empty list means Microsoft's data names no permission of that scheme (the mode is not allowed).
//! - Where the data has no entry for a path the operation sends (`users-photo`'s `/photo/$value`,
//!   `calendars-get`, `calendars-update`), the list is what the extract records instead (the entity's
//!   permissions, or the API reference page's) and `scopes::precheck` lets Graph decide.
//! - The lists are "any one suffices" and the scope pre-check also counts a granted permission that
//!   includes a listed one (`tokens::scopes::includes`: ReadWrite includes Read, `.All` and `.Shared`
//!   include the signed-in user's own form).

use crate::operations::operation::{BodyRule, DEFAULTS, Method, Operation, QueryOption};

/// Query options of calendar collections.
const CAL_COLLECTION: &[QueryOption] = &[
    QueryOption::Select,
    QueryOption::Filter,
    QueryOption::OrderBy,
    QueryOption::Top,
    QueryOption::Skip,
    QueryOption::SkipToken,
];

/// Application permissions Microsoft's data lists for reading one user and listing users.
const READ_USERS_APPLICATION: &[&str] = &[
    "User.ReadBasic.All",
    "User.ReadWrite.All",
    "AgentIdUser.ReadWrite.All",
    "AgentIdUser.ReadWrite.IdentityParentedBy",
    "DeviceManagementApps.Read.All",
    "DeviceManagementApps.ReadWrite.All",
    "DeviceManagementConfiguration.ReadWrite.All",
    "DeviceManagementManagedDevices.Read.All",
    "DeviceManagementManagedDevices.ReadWrite.All",
    "DeviceManagementServiceConfig.Read.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "Directory.Read.All",
    "User.Read.All",
    "User.ReadWrite.CrossCloud",
    "DeviceManagementConfiguration.Read.All",
    "Directory.ReadWrite.All",
];

/// Delegated scopes Microsoft's data lists for reading one calendar, a calendar view and free/busy.
const READ_CALENDARS_DELEGATED: &[&str] = &[
    "Calendars.ReadBasic",
    "Calendars.Read",
    "Calendars.ReadWrite",
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
            "User.ReadBasic.All",
            "User.ReadWrite.All",
            "User.Read",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.Read.All",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.Read.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.Read.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "Directory.Read.All",
            "User.Read.All",
            "User.ReadWrite",
            "Directory.ReadWrite.All",
        ],
        application_permissions: READ_USERS_APPLICATION,
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
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
        delegated_scopes: &[
            "User.ReadBasic.All",
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.Read.All",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.Read.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.Read.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "Directory.Read.All",
            "User.Read.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: READ_USERS_APPLICATION,
        pageable: true,
        advanced_query: true,
        ..DEFAULTS
    },
    Operation {
        name: "users-create",
        writes: true,
        summary: "Create a user",
        method: Method::Post,
        route: "/users",
        graph_path: "/users",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &[
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: &[
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
    },
    Operation {
        name: "users-update",
        writes: true,
        summary: "Update a user's profile",
        method: Method::Patch,
        route: "/users/{userId}",
        graph_path: "/users/{userId}",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &[
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "User-Mail.ReadWrite.All",
            "User-Phone.ReadWrite.All",
            "User.ManageIdentities.All",
            "User.ReadWrite",
            "Directory.ReadWrite.All",
            "User-PasswordProfile.ReadWrite.All",
            "User.EnableDisableAccount.All",
        ],
        application_permissions: &[
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "User-Mail.ReadWrite.All",
            "User-Phone.ReadWrite.All",
            "User.ManageIdentities.All",
            "User.ReadWrite.CrossCloud",
            "Directory.ReadWrite.All",
            "User-PasswordProfile.ReadWrite.All",
            "User.EnableDisableAccount.All",
        ],
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
    },
    Operation {
        name: "users-delete",
        writes: true,
        summary: "Delete a user (it goes to deleted items for 30 days)",
        method: Method::Delete,
        route: "/users/{userId}",
        graph_path: "/users/{userId}",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.DeleteRestore.All",
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
        ],
        application_permissions: &[
            "User.DeleteRestore.All",
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
            "User.ReadWrite.CrossCloud",
        ],
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
    },
    Operation {
        name: "users-manager",
        summary: "Get a user's manager",
        method: Method::Get,
        route: "/users/{userId}/manager",
        graph_path: "/users/{userId}/manager",
        query_options: &[QueryOption::Select],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.Read.All",
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: &[
            "User.Read.All",
            "User.ReadWrite.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ],
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
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
        delegated_scopes: &[
            "User.Read",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "User.Read.All",
            "Directory.ReadWrite.All",
            "User.ReadWrite.All",
        ],
        application_permissions: &[
            "User.Read.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
            "User.ReadWrite.All",
        ],
        pageable: true,
        advanced_query: true,
        ..DEFAULTS
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
            "Group.ReadBasic.All",
            "Directory.Read.All",
            "GroupMember.Read.All",
            "GroupMember.ReadBasic.All",
            "Directory.ReadWrite.All",
        ],
        application_permissions: &[
            "Directory.Read.All",
            "Group.ReadBasic.All",
            "GroupMember.ReadBasic.All",
            "Directory.ReadWrite.All",
        ],
        pageable: true,
        advanced_query: true,
        ..DEFAULTS
    },
    Operation {
        name: "users-photo",
        summary: "Get a user's profile photo (binary, with its content type)",
        method: Method::Get,
        route: "/users/{userId}/photo",
        graph_path: "/users/{userId}/photo/$value",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: &[
            "User.Read",
            "ProfilePhoto.Read.All",
            "User.ReadBasic.All",
            "ProfilePhoto.ReadWrite.All",
        ],
        application_permissions: &[
            "ProfilePhoto.Read.All",
            "ProfilePhoto.ReadWrite.All",
            "User.Read.All",
            "User.ReadBasic.All",
            "User.ReadWrite.CrossCloud",
        ],
        pageable: false,
        advanced_query: false,
        ..DEFAULTS
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
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
            "User.ReadWrite.All",
        ],
        application_permissions: &[
            "User.Read.All",
            "AgentIdUser.ReadWrite.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
            "User.ReadWrite.All",
        ],
        pageable: true,
        advanced_query: false,
        ..DEFAULTS
    },
    Operation {
        name: "calendars-list",
        summary: "List a user's calendars",
        method: Method::Get,
        route: "/users/{userId}/calendars",
        graph_path: "/users/{userId}/calendars",
        query_options: CAL_COLLECTION,
        body: BodyRule::None,
        delegated_scopes: &[
            "Calendars.ReadBasic",
            "Calendars.ReadWrite",
            "Calendars.Read",
            "Calendars.Read.Shared",
        ],
        application_permissions: &[
            "Calendars.ReadBasic.All",
            "Calendars.ReadWrite",
            "Calendars.Read",
        ],
        pageable: true,
        ..DEFAULTS
    },
    Operation {
        name: "calendars-get",
        summary: "Get a calendar",
        method: Method::Get,
        route: "/users/{userId}/calendars/{calendarId}",
        graph_path: "/users/{userId}/calendars/{calendarId}",
        query_options: &[QueryOption::Select],
        body: BodyRule::None,
        delegated_scopes: READ_CALENDARS_DELEGATED,
        application_permissions: &[
            "Calendars.ReadBasic.All",
            "Calendars.Read",
            "Calendars.ReadWrite",
        ],
        ..DEFAULTS
    },
    Operation {
        name: "calendars-create",
        writes: true,
        summary: "Create a calendar",
        method: Method::Post,
        route: "/users/{userId}/calendars",
        graph_path: "/users/{userId}/calendars",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        ..DEFAULTS
    },
    Operation {
        name: "calendars-update",
        writes: true,
        summary: "Update a calendar",
        method: Method::Patch,
        route: "/users/{userId}/calendars/{calendarId}",
        graph_path: "/users/{userId}/calendars/{calendarId}",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        ..DEFAULTS
    },
    Operation {
        name: "calendars-delete",
        writes: true,
        summary: "Delete a calendar (not the default one)",
        method: Method::Delete,
        route: "/users/{userId}/calendars/{calendarId}",
        graph_path: "/users/{userId}/calendars/{calendarId}",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        ..DEFAULTS
    },
    Operation {
        name: "events-list",
        summary: "List events of the default calendar, or of `calendarId`",
        method: Method::Get,
        route: "/users/{userId}/events",
        graph_path: "/users/{userId}/events",
        query_options: CAL_COLLECTION,
        body: BodyRule::None,
        delegated_scopes: &[
            "Calendars.ReadBasic",
            "Calendars.ReadWrite",
            "Calendars.Read",
        ],
        application_permissions: &[
            "Calendars.ReadBasic.All",
            "Calendars.ReadWrite",
            "Calendars.Read",
        ],
        pageable: true,
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events"),
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "events-get",
        summary: "Get an event",
        method: Method::Get,
        route: "/users/{userId}/events/{eventId}",
        graph_path: "/users/{userId}/events/{eventId}",
        query_options: &[QueryOption::Select],
        body: BodyRule::None,
        delegated_scopes: &["Calendars.ReadBasic", "Calendars.Read"],
        application_permissions: &["Calendars.ReadBasic.All", "Calendars.Read"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events/{eventId}"),
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "events-create",
        writes: true,
        summary: "Create an event (retry-safe through `transactionId`)",
        method: Method::Post,
        route: "/users/{userId}/events",
        graph_path: "/users/{userId}/events",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events"),
        time_zone: true,
        idempotency_key: Some("transactionId"),
        ..DEFAULTS
    },
    Operation {
        name: "events-update",
        writes: true,
        summary: "Update an event",
        method: Method::Patch,
        route: "/users/{userId}/events/{eventId}",
        graph_path: "/users/{userId}/events/{eventId}",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events/{eventId}"),
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "events-delete",
        writes: true,
        summary: "Delete an event",
        method: Method::Delete,
        route: "/users/{userId}/events/{eventId}",
        graph_path: "/users/{userId}/events/{eventId}",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events/{eventId}"),
        ..DEFAULTS
    },
    Operation {
        name: "events-accept",
        writes: true,
        summary: "Accept a meeting invitation",
        method: Method::Post,
        route: "/users/{userId}/events/{eventId}/accept",
        graph_path: "/users/{userId}/events/{eventId}/accept",
        query_options: &[],
        body: BodyRule::Optional,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events/{eventId}/accept"),
        ..DEFAULTS
    },
    Operation {
        name: "events-decline",
        writes: true,
        summary: "Decline a meeting invitation",
        method: Method::Post,
        route: "/users/{userId}/events/{eventId}/decline",
        graph_path: "/users/{userId}/events/{eventId}/decline",
        query_options: &[],
        body: BodyRule::Optional,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some(
            "/users/{userId}/calendars/{calendarId}/events/{eventId}/decline",
        ),
        ..DEFAULTS
    },
    Operation {
        name: "events-tentatively-accept",
        writes: true,
        summary: "Tentatively accept a meeting invitation",
        method: Method::Post,
        route: "/users/{userId}/events/{eventId}/tentativelyAccept",
        graph_path: "/users/{userId}/events/{eventId}/tentativelyAccept",
        query_options: &[],
        body: BodyRule::Optional,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some(
            "/users/{userId}/calendars/{calendarId}/events/{eventId}/tentativelyAccept",
        ),
        ..DEFAULTS
    },
    Operation {
        name: "events-cancel",
        writes: true,
        summary: "Cancel a meeting (organizer only) and notify attendees",
        method: Method::Post,
        route: "/users/{userId}/events/{eventId}/cancel",
        graph_path: "/users/{userId}/events/{eventId}/cancel",
        query_options: &[],
        body: BodyRule::Optional,
        delegated_scopes: &["Calendars.ReadWrite"],
        application_permissions: &["Calendars.ReadWrite"],
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/events/{eventId}/cancel"),
        ..DEFAULTS
    },
    Operation {
        name: "events-forward",
        writes: true,
        summary: "Forward a meeting invitation",
        method: Method::Post,
        route: "/users/{userId}/events/{eventId}/forward",
        graph_path: "/users/{userId}/events/{eventId}/forward",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.Read"],
        application_permissions: &["Calendars.Read"],
        calendar_graph_path: Some(
            "/users/{userId}/calendars/{calendarId}/events/{eventId}/forward",
        ),
        ..DEFAULTS
    },
    Operation {
        name: "events-instances",
        summary: "List the occurrences of a recurring event in a time window",
        method: Method::Get,
        route: "/users/{userId}/events/{eventId}/instances",
        graph_path: "/users/{userId}/events/{eventId}/instances",
        query_options: CAL_COLLECTION,
        body: BodyRule::None,
        delegated_scopes: &["Calendars.ReadBasic", "Calendars.Read"],
        application_permissions: &["Calendars.ReadBasic.All", "Calendars.Read"],
        pageable: true,
        calendar_graph_path: Some(
            "/users/{userId}/calendars/{calendarId}/events/{eventId}/instances",
        ),
        time_window: true,
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "calendar-view",
        summary: "List the events (occurrences expanded) in a time window",
        method: Method::Get,
        route: "/users/{userId}/calendarView",
        graph_path: "/users/{userId}/calendarView",
        query_options: CAL_COLLECTION,
        body: BodyRule::None,
        delegated_scopes: READ_CALENDARS_DELEGATED,
        application_permissions: &[
            "Calendars.ReadBasic.All",
            "Calendars.ReadWrite",
            "Calendars.Read",
        ],
        pageable: true,
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/calendarView"),
        time_window: true,
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "calendar-view-delta",
        summary: "Track changes to a calendar's events in a time window: pass back the returned deltaLink (or nextLink) to continue",
        method: Method::Get,
        route: "/users/{userId}/calendarView/delta",
        graph_path: "/users/{userId}/calendarView/delta",
        query_options: &[],
        body: BodyRule::None,
        delegated_scopes: &[
            "Calendars.Read",
            "Calendars.ReadBasic",
            "Calendars.ReadWrite",
        ],
        application_permissions: &[
            "Calendars.Read",
            "Calendars.ReadBasic.All",
            "Calendars.ReadWrite",
        ],
        pageable: true,
        calendar_graph_path: Some("/users/{userId}/calendars/{calendarId}/calendarView/delta"),
        time_window: true,
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "find-meeting-times",
        summary: "Suggest meeting times from attendees' availability",
        method: Method::Post,
        route: "/users/{userId}/findMeetingTimes",
        graph_path: "/users/{userId}/findMeetingTimes",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: &["Calendars.Read.Shared", "Calendars.ReadWrite.Shared"],
        application_permissions: &[],
        time_zone: true,
        ..DEFAULTS
    },
    Operation {
        name: "get-schedule",
        summary: "Get free/busy schedules of users, rooms or lists",
        method: Method::Post,
        route: "/users/{userId}/calendar/getSchedule",
        graph_path: "/users/{userId}/calendar/getSchedule",
        query_options: &[],
        body: BodyRule::Required,
        delegated_scopes: READ_CALENDARS_DELEGATED,
        application_permissions: &[
            "Calendars.ReadBasic.All",
            "Calendars.ReadWrite",
            "Calendars.Read",
        ],
        time_zone: true,
        ..DEFAULTS
    },
];

/// Operations that send a Graph path Microsoft's permission data has no entry for (`/photo/$value`,
/// GET and PATCH of one calendar): the delegated scope pre-check lets Graph decide for them
/// (`tokens::scopes::precheck`). The e2e `permissions` test keeps this list equal to the extract's.
pub const NOT_IN_PERMISSION_DATA: &[&str] = &["users-photo", "calendars-get", "calendars-update"];

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
    fn every_patch_and_delete_writes_and_no_get_does() {
        for op in CATALOG {
            match op.method {
                Method::Get => assert!(!op.writes, "{}", op.name),
                Method::Patch | Method::Delete => assert!(op.writes, "{}", op.name),
                Method::Post => {}
            }
        }
        let read_only_posts: Vec<_> = CATALOG
            .iter()
            .filter(|op| op.method == Method::Post && !op.writes)
            .map(|op| op.name)
            .collect();
        assert_eq!(read_only_posts, ["find-meeting-times", "get-schedule"]);
    }

    #[test]
    fn path_parameters_come_from_the_template() {
        let op = find("users-get").unwrap();
        assert_eq!(op.path_parameters().collect::<Vec<_>>(), vec!["userId"]);
        assert_eq!(find("users-list").unwrap().path_parameters().count(), 0);
    }
}
