//! The platform functions: the bundle's own functions that are not Graph operations (sign-in and
//! link management), as data for `template.yaml`, the docs and their tests.

use super::operation::Method;

/// Who may call a function's HTTP route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAccess {
    /// Anyone: the browser arrives here from Microsoft.
    Public,
    /// Only callers with AWS credentials allowed by IAM (the application's backend).
    Iam,
}

/// One platform function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformFunction {
    /// Binary and Lambda function name.
    pub name: &'static str,
    /// HTTP method of its API Gateway route.
    pub method: Method,
    /// API Gateway route; `{authUserId}` is a path parameter.
    pub route: &'static str,
    /// Who may call the route.
    pub access: RouteAccess,
    /// One line for the docs.
    pub summary: &'static str,
}

/// Every platform function.
pub const PLATFORM_FUNCTIONS: &[PlatformFunction] = &[
    PlatformFunction {
        name: "auth-start",
        method: Method::Post,
        route: "/auth/start",
        access: RouteAccess::Iam,
        summary: "Start a user's Microsoft sign-in: returns, or redirects to, the authorize URL",
    },
    PlatformFunction {
        name: "auth-callback",
        method: Method::Get,
        route: "/auth/callback",
        access: RouteAccess::Public,
        summary: "Microsoft's redirect target: stores the user's tokens, redirects to the app",
    },
    PlatformFunction {
        name: "auth-revoke",
        method: Method::Post,
        route: "/auth/revoke",
        access: RouteAccess::Iam,
        summary: "Forget a user's Microsoft tokens",
    },
    PlatformFunction {
        name: "auth-status",
        method: Method::Get,
        route: "/auth/status/{authUserId}",
        access: RouteAccess::Iam,
        summary: "Whether a user's Microsoft link is healthy, and which scopes it has",
    },
];

/// The platform function with this name, if any.
pub fn find(name: &str) -> Option<&'static PlatformFunction> {
    PLATFORM_FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::CATALOG;

    #[test]
    fn names_and_routes_are_unique_across_all_functions() {
        let mut names: Vec<&str> = CATALOG.iter().map(|op| op.name).collect();
        names.extend(PLATFORM_FUNCTIONS.iter().map(|f| f.name));
        let mut routes: Vec<(Method, &str)> =
            CATALOG.iter().map(|op| (op.method, op.route)).collect();
        routes.extend(PLATFORM_FUNCTIONS.iter().map(|f| (f.method, f.route)));
        let count = names.len();
        names.sort();
        names.dedup();
        routes.sort_by_key(|(method, route)| (method.as_str(), *route));
        routes.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(routes.len(), count);
    }

    #[test]
    fn only_the_callback_is_public() {
        let public: Vec<&str> = PLATFORM_FUNCTIONS
            .iter()
            .filter(|f| f.access == RouteAccess::Public)
            .map(|f| f.name)
            .collect();
        assert_eq!(public, ["auth-callback"]);
        assert_eq!(
            find("auth-status").unwrap().route,
            "/auth/status/{authUserId}"
        );
        assert!(find("users-get").is_none());
    }
}
