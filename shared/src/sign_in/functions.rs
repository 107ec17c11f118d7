//! The sign-in functions: the bundle's own functions that are not Graph operations (sign-in and
//! link management), as data for `template.yaml`, the docs and their tests.

use crate::operations::operation::Method;

/// Who may call a function's HTTP route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAccess {
    /// Anyone: the browser arrives here from Microsoft.
    Public,
    /// Only callers with AWS credentials allowed by IAM (the application's backend).
    Iam,
}

/// One sign-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFunction {
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

/// Every sign-in function.
pub const SIGN_IN_FUNCTIONS: &[SignInFunction] = &[
    SignInFunction {
        name: "auth-start",
        method: Method::Post,
        route: "/auth/start",
        access: RouteAccess::Iam,
        summary: "Start a user's Microsoft sign-in: returns, or redirects to, the authorize URL",
    },
    SignInFunction {
        name: "auth-callback",
        method: Method::Get,
        route: "/auth/callback",
        access: RouteAccess::Public,
        summary: "Microsoft's redirect target: redeems the code, redirects to the app with a handle for auth-complete",
    },
    SignInFunction {
        name: "auth-complete",
        method: Method::Post,
        route: "/auth/complete",
        access: RouteAccess::Iam,
        summary: "Link the Microsoft account of a finished sign-in, inside the session of the user it was started for",
    },
    SignInFunction {
        name: "auth-revoke",
        method: Method::Post,
        route: "/auth/revoke",
        access: RouteAccess::Iam,
        summary: "Forget a user's Microsoft tokens",
    },
    SignInFunction {
        name: "auth-status",
        method: Method::Get,
        route: "/auth/status/{authUserId}",
        access: RouteAccess::Iam,
        summary: "Whether a user's Microsoft link is healthy, and which scopes it has",
    },
];

/// The sign-in function with this name, if any.
pub fn find(name: &str) -> Option<&'static SignInFunction> {
    SIGN_IN_FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::catalog::CATALOG;

    #[test]
    fn names_and_routes_are_unique_across_all_functions() {
        let mut names: Vec<&str> = CATALOG.iter().map(|op| op.name).collect();
        names.extend(SIGN_IN_FUNCTIONS.iter().map(|f| f.name));
        let mut routes: Vec<(Method, &str)> =
            CATALOG.iter().map(|op| (op.method, op.route)).collect();
        routes.extend(SIGN_IN_FUNCTIONS.iter().map(|f| (f.method, f.route)));
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
        let public: Vec<&str> = SIGN_IN_FUNCTIONS
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
