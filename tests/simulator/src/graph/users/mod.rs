//! `/v1.0/users`: list, get, create, update, delete, manager, directReports, memberOf,
//! photo and delta.

mod body;
mod collection;
mod delta;
mod item;
mod photo;
mod relations;

use axum::Router;
use axum::routing::get;

use serde_json::{Map, Value};

use super::auth::{Caller, Permission};
use super::errors::GraphError;
use super::odata::{CollectionShape, project};
use super::user_target::{DIRECTORY_REFUSALS, authorized_user};
use crate::directory::{UserRecord, user_schema};
use crate::state::SharedState;
use crate::state::World;

/// Reading users and their relations.
const USER_READ: Permission = Permission {
    delegated_own: &["User.Read", "User.ReadWrite"],
    delegated_any: &[
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
};

/// Creating, updating and deleting users (own profile updates with `User.ReadWrite`).
const USER_WRITE: Permission = Permission {
    delegated_own: &["User.ReadWrite"],
    delegated_any: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
    application: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
};

/// Deleting users: Microsoft's permission data (vendor/graph-permissions) lists
/// `User.DeleteRestore.All` and `User.ReadWrite.All`, and not `Directory.ReadWrite.All`.
const USER_DELETE: Permission = Permission {
    delegated_own: &[],
    delegated_any: &["User.DeleteRestore.All", "User.ReadWrite.All"],
    application: &["User.DeleteRestore.All", "User.ReadWrite.All"],
};

/// What user collections support.
const USERS: CollectionShape = CollectionShape {
    properties: user_schema::PROPERTIES,
    filterable: &[
        "id",
        "displayName",
        "userPrincipalName",
        "mail",
        "givenName",
        "surname",
        "jobTitle",
        "accountEnabled",
    ],
    sortable: &["displayName", "userPrincipalName"],
    searchable: &[
        "displayName",
        "userPrincipalName",
        "mail",
        "givenName",
        "surname",
        "jobTitle",
    ],
    max_top: 999,
};

/// The `@odata.context` fragment of users: `users`, `users(a,b)`, plus `/$entity` for one.
fn users_fragment(select: Option<&[String]>, single: bool) -> String {
    let selection = select
        .map(|names| format!("({})", names.join(",")))
        .unwrap_or_default();
    let entity = if single { "/$entity" } else { "" };
    format!("users{selection}{entity}")
}

/// The user `key` names, if the caller may read that user's profile and relations.
fn readable_user<'w>(
    world: &'w World,
    caller: &Caller,
    key: &str,
) -> Result<&'w UserRecord, GraphError> {
    authorized_user(world, caller, key, &USER_READ, &DIRECTORY_REFUSALS)
}

/// The object id of the user `key` names, if the caller may change that user.
fn writable_user_id(world: &World, caller: &Caller, key: &str) -> Result<String, GraphError> {
    authorized_user(world, caller, key, &USER_WRITE, &DIRECTORY_REFUSALS)
        .map(|user| user.id().to_string())
}

/// The object id of the user `key` names, if the caller may delete that user.
fn deletable_user_id(world: &World, caller: &Caller, key: &str) -> Result<String, GraphError> {
    authorized_user(world, caller, key, &USER_DELETE, &DIRECTORY_REFUSALS)
        .map(|user| user.id().to_string())
}

/// A user as Graph shows it: the `$select`ed properties, else the default set.
fn user_view(user: &UserRecord, select: Option<&[String]>) -> Map<String, Value> {
    match select {
        Some(names) => project(&user.properties, names.iter().map(String::as_str)),
        None => project(
            &user.properties,
            user_schema::DEFAULT_PROPERTIES.iter().copied(),
        ),
    }
}

/// Routes of `/v1.0/users`.
pub fn routes() -> Router<SharedState> {
    let delta_routes = delta::DELTA_SEGMENTS
        .iter()
        .fold(Router::new(), |router, segment| {
            router.route(&format!("/v1.0/users/{segment}"), get(delta::delta))
        });
    Router::new()
        .route(
            "/v1.0/users",
            get(collection::list).post(collection::create),
        )
        .merge(delta_routes)
        .route(
            "/v1.0/users/{user}",
            get(item::get).patch(item::update).delete(item::delete),
        )
        .route("/v1.0/users/{user}/manager", get(relations::manager))
        .route(
            "/v1.0/users/{user}/directReports",
            get(relations::direct_reports),
        )
        .route("/v1.0/users/{user}/memberOf", get(relations::member_of))
        .route("/v1.0/users/{user}/photo", get(photo::metadata))
        .route("/v1.0/users/{user}/photo/$value", get(photo::content))
}
