//! Every function `template.yaml` deploys, as data: the Graph operations of the catalog and of the
//! change feed, the platform (sign-in) functions, the change feed's subscription functions and
//! notification endpoint, the scheduled token keeper and the operator's `cache-clear`.

use shared::change_feed::functions::CHANGE_FEED_FUNCTIONS;
use shared::operations::catalog::CATALOG;
use shared::operations::operation::Method;
use shared::sign_in::functions::{RouteAccess, SIGN_IN_FUNCTIONS};

use super::permissions::{Access, access_of};

pub use shared::runtime::functions::{CACHE_CLEAR, TOKEN_KEEPER};

/// Timeout of every function but the keeper, in seconds: under API Gateway's 30-second limit for an
/// HTTP API integration, so a function answers before the API gives up on it.
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 29;
/// Timeout of the token keeper: a normal run takes seconds, the margin absorbs backlogs.
const KEEPER_TIMEOUT_SECONDS: u32 = 300;

/// A function's HTTP API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path, with `{name}` path parameters.
    pub path: &'static str,
    /// Who may call it.
    pub access: RouteAccess,
}

impl Route {
    /// The HTTP API route key, e.g. `GET /users/{userId}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// One Lambda function of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployedFunction {
    /// Binary name, and the function name after the stack name (`<stack>-users-get`).
    pub name: &'static str,
    /// What it does, for the function's description.
    pub summary: &'static str,
    /// Its HTTP API route; `None` for functions invoked only directly or by a schedule.
    pub route: Option<Route>,
    /// Timeout in seconds.
    pub timeout_seconds: u32,
    /// What it may do with the table and the settings secret.
    pub access: Access,
}

impl DeployedFunction {
    /// The stem of the logical ids of its resources: `users-get` → `UsersGet`.
    pub fn logical_id(&self) -> String {
        self.name
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }
}

fn deployed(
    name: &'static str,
    summary: &'static str,
    route: Option<Route>,
    timeout_seconds: u32,
) -> DeployedFunction {
    DeployedFunction {
        name,
        summary,
        route,
        timeout_seconds,
        access: access_of(name).unwrap_or_else(|| {
            panic!("`{name}` has no entry in xtask/src/template/permissions.rs")
        }),
    }
}

/// Every function, in template order: the catalog's operations, the sign-in functions, the change
/// feed's functions, the keeper and `cache-clear`.
///
/// # Panics
/// When a function has no access entry in [`access_of`].
pub fn deployed_functions() -> Vec<DeployedFunction> {
    let operations = CATALOG.iter().map(|op| {
        let route = Route {
            method: op.method,
            path: op.route,
            access: RouteAccess::Iam,
        };
        deployed(op.name, op.summary, Some(route), DEFAULT_TIMEOUT_SECONDS)
    });
    let sign_in = SIGN_IN_FUNCTIONS.iter().map(|function| {
        let route = Route {
            method: function.method,
            path: function.route,
            access: function.access,
        };
        deployed(
            function.name,
            function.summary,
            Some(route),
            DEFAULT_TIMEOUT_SECONDS,
        )
    });
    let change_feed = CHANGE_FEED_FUNCTIONS.iter().map(|function| {
        let route = Route {
            method: function.method,
            path: function.route,
            access: function.access,
        };
        deployed(
            function.name,
            function.summary,
            Some(route),
            DEFAULT_TIMEOUT_SECONDS,
        )
    });
    let unrouted = [
        deployed(
            TOKEN_KEEPER,
            "Refreshes the stored refresh tokens and renews the subscriptions that are due, shard by shard (scheduled)",
            None,
            KEEPER_TIMEOUT_SECONDS,
        ),
        deployed(
            CACHE_CLEAR,
            "Deletes the cached application token (invoked by the operator)",
            None,
            DEFAULT_TIMEOUT_SECONDS,
        ),
    ];
    operations
        .chain(sign_in)
        .chain(change_feed)
        .chain(unrouted)
        .collect()
}
