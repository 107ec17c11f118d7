//! The change feed's functions, as data for the dispatcher, `template.yaml`, the docs and the tests:
//! the subscription functions and the public `graph-notifications` endpoint, and the Graph requests
//! they make. The change feed's Graph operation, `calendar-view-delta`, is an ordinary entry of the
//! operations catalog (`operations::catalog`), checked like every other against Microsoft's OpenAPI
//! description and permission data.
//!
//! Permissions: subscriptions "require read scope to the resource"
//! (`api-reference/includes/outlook-subscription-notes.md`, and the table of
//! `subscription-post-subscriptions.md`: event `Calendars.Read`, user `User.Read.All`, delegated and
//! application); a granted permission that includes the listed one (ReadWrite) counts too.

use crate::change_feed::subscription::ResourceKind;
use crate::operations::operation::{BodyRule, DEFAULTS, Method, Operation};
use crate::sign_in::functions::RouteAccess;

/// The public endpoint Graph posts notifications to.
pub const GRAPH_NOTIFICATIONS: &str = "graph-notifications";
/// Creates a subscription.
pub const SUBSCRIPTIONS_CREATE: &str = "subscriptions-create";
/// Lists the caller's subscriptions.
pub const SUBSCRIPTIONS_LIST: &str = "subscriptions-list";
/// Deletes a subscription.
pub const SUBSCRIPTIONS_DELETE: &str = "subscriptions-delete";

/// One change feed function that is not a plain Graph operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeFeedFunction {
    /// Binary and Lambda function name.
    pub name: &'static str,
    /// HTTP method of its API Gateway route.
    pub method: Method,
    /// API Gateway route.
    pub route: &'static str,
    /// Who may call the route.
    pub access: RouteAccess,
    /// One line for the docs.
    pub summary: &'static str,
}

/// Every change feed function that is not a plain Graph operation.
pub const CHANGE_FEED_FUNCTIONS: &[ChangeFeedFunction] = &[
    ChangeFeedFunction {
        name: SUBSCRIPTIONS_CREATE,
        method: Method::Post,
        route: "/subscriptions",
        access: RouteAccess::Iam,
        summary: "Subscribe to a user's events or the tenant's users: changes arrive on the event bus",
    },
    ChangeFeedFunction {
        name: SUBSCRIPTIONS_LIST,
        method: Method::Get,
        route: "/subscriptions",
        access: RouteAccess::Iam,
        summary: "List the caller's Graph subscriptions",
    },
    ChangeFeedFunction {
        name: SUBSCRIPTIONS_DELETE,
        method: Method::Delete,
        route: "/subscriptions/{subscriptionId}",
        access: RouteAccess::Iam,
        summary: "Delete a subscription the caller owns",
    },
    ChangeFeedFunction {
        name: GRAPH_NOTIFICATIONS,
        method: Method::Post,
        route: "/graph/notifications",
        access: RouteAccess::Public,
        summary: "Graph's notification URL: validates, verifies clientState, publishes changes to EventBridge",
    },
];

/// The change feed function with this name, if any.
pub fn find(name: &str) -> Option<&'static ChangeFeedFunction> {
    CHANGE_FEED_FUNCTIONS.iter().find(|f| f.name == name)
}

/// The Graph requests made for subscriptions of one kind, with the permissions Microsoft documents.
#[derive(Debug)]
pub struct SubscriptionCalls {
    /// `POST /subscriptions`.
    pub create: Operation,
    /// `PATCH /subscriptions/{subscriptionId}` (renews, and reauthorizes).
    pub renew: Operation,
    /// `DELETE /subscriptions/{subscriptionId}`.
    pub delete: Operation,
}

const EVENT_READ: &[&str] = &["Calendars.Read"];
const USER_READ: &[&str] = &["User.Read.All"];
/// Listing: read access to either kind of resource.
const ANY_READ: &[&str] = &["Calendars.Read", "User.Read.All"];

const fn calls(scopes: &'static [&'static str]) -> SubscriptionCalls {
    SubscriptionCalls {
        create: Operation {
            name: SUBSCRIPTIONS_CREATE,
            method: Method::Post,
            route: "/subscriptions",
            graph_path: "/subscriptions",
            body: BodyRule::Required,
            delegated_scopes: scopes,
            application_permissions: scopes,
            writes: true,
            ..DEFAULTS
        },
        renew: Operation {
            name: "subscriptions-renew",
            method: Method::Patch,
            route: "/subscriptions/{subscriptionId}",
            graph_path: "/subscriptions/{subscriptionId}",
            body: BodyRule::Required,
            delegated_scopes: scopes,
            application_permissions: scopes,
            writes: true,
            ..DEFAULTS
        },
        delete: Operation {
            name: SUBSCRIPTIONS_DELETE,
            method: Method::Delete,
            route: "/subscriptions/{subscriptionId}",
            graph_path: "/subscriptions/{subscriptionId}",
            delegated_scopes: scopes,
            application_permissions: scopes,
            writes: true,
            ..DEFAULTS
        },
    }
}

const EVENT_CALLS: SubscriptionCalls = calls(EVENT_READ);
const USER_CALLS: SubscriptionCalls = calls(USER_READ);

/// `GET /subscriptions`: the calling application's subscriptions (delegated: the signed-in user's).
pub const LIST_CALL: Operation = Operation {
    name: SUBSCRIPTIONS_LIST,
    method: Method::Get,
    route: "/subscriptions",
    graph_path: "/subscriptions",
    delegated_scopes: ANY_READ,
    application_permissions: ANY_READ,
    pageable: true,
    ..DEFAULTS
};

/// The Graph requests for subscriptions of `kind`.
pub fn calls_for(kind: ResourceKind) -> &'static SubscriptionCalls {
    match kind {
        ResourceKind::Events => &EVENT_CALLS,
        ResourceKind::Users => &USER_CALLS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::catalog::CATALOG;
    use crate::sign_in::functions::SIGN_IN_FUNCTIONS;

    #[test]
    fn names_and_routes_are_unique_across_every_function() {
        let mut routes: Vec<(&str, &str)> = CATALOG
            .iter()
            .map(|op| (op.method.as_str(), op.route))
            .collect();
        routes.extend(
            SIGN_IN_FUNCTIONS
                .iter()
                .map(|f| (f.method.as_str(), f.route)),
        );
        routes.extend(
            CHANGE_FEED_FUNCTIONS
                .iter()
                .map(|f| (f.method.as_str(), f.route)),
        );
        let count = routes.len();
        routes.sort();
        routes.dedup();
        assert_eq!(routes.len(), count);
        for name in CHANGE_FEED_FUNCTIONS.iter().map(|f| f.name) {
            assert!(crate::operations::catalog::find(name).is_none(), "{name}");
            assert!(crate::sign_in::functions::find(name).is_none(), "{name}");
        }
    }

    #[test]
    fn only_the_notification_endpoint_is_public() {
        let public: Vec<_> = CHANGE_FEED_FUNCTIONS
            .iter()
            .filter(|f| f.access == RouteAccess::Public)
            .map(|f| f.name)
            .collect();
        assert_eq!(public, [GRAPH_NOTIFICATIONS]);
        assert_eq!(
            calls_for(ResourceKind::Users).create.delegated_scopes,
            USER_READ
        );
    }
}
