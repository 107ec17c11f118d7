//! The `{user-id}` of user-scoped Graph URLs: an object id, a userPrincipalName or `me`,
//! resolved in the caller's tenant and checked against the operation's permission.

use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::{Caller, Permission};
use super::errors::GraphError;
use crate::directory::UserRecord;
use crate::state::World;

/// Path parameters of user-scoped routes; use named fields (not tuples) in handlers so
/// that further parameters can follow.
#[derive(Debug, Deserialize)]
pub struct UserPath {
    /// Object id, userPrincipalName or `me`.
    pub user: String,
}

/// How a Graph service words refusals of the `{user}` it is asked about.
pub struct UserRefusals {
    /// The caller lacks the permission.
    pub denied: fn() -> GraphError,
    /// No user of the caller's tenant has this id or userPrincipalName.
    pub unknown: fn(&str) -> GraphError,
}

/// Microsoft Entra's refusals (directory objects).
pub const DIRECTORY_REFUSALS: UserRefusals = UserRefusals {
    denied: GraphError::insufficient_privileges,
    unknown: GraphError::resource_not_found,
};

/// The user `key` names, if the caller holds `permission` for that user's resources.
/// Without the permission the answer is `refusals.denied()` even when the user does not exist.
pub fn authorized_user<'w>(
    world: &'w World,
    caller: &Caller,
    key: &str,
    permission: &Permission,
    refusals: &UserRefusals,
) -> Result<&'w UserRecord, GraphError> {
    let key = if key.eq_ignore_ascii_case("me") {
        caller.user_id().ok_or_else(|| {
            GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            )
        })?
    } else {
        key
    };
    match world.directory.find_user(&caller.tenant_id, key) {
        Some(user) if caller.holds(permission, Some(user.id())) => Ok(user),
        None if caller.holds(permission, None) => Err((refusals.unknown)(key)),
        _ => Err((refusals.denied)()),
    }
}
