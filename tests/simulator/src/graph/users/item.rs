//! `GET`, `PATCH` and `DELETE /v1.0/users/{id | userPrincipalName | me}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Json;
use serde_json::Value;

use super::body::{user_properties, write_error};
use super::{
    USER_DELETE, deletable_user_id, readable_user, user_view, users_fragment, writable_user_id,
};
use crate::directory::user_schema::PROPERTIES;
use crate::graph::auth::Caller;
use crate::graph::directory_query::parse_entity_select;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::graph::user_target::UserPath;
use crate::identity::refresh_tokens::RevocationReason;
use crate::state::SharedState;

/// Reads one user.
pub async fn get(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    uri: Uri,
) -> Result<Json<Value>, GraphError> {
    let select = parse_entity_select(uri.query(), PROPERTIES, "user")?;
    let world = state.world();
    let user = readable_user(&world, &caller, &path.user)?;
    let mut body = user_view(user, select.as_deref());
    body.insert(
        "@odata.context".into(),
        Value::String(context_url(
            &state.base_url,
            &users_fragment(select.as_deref(), true),
        )),
    );
    Ok(Json(Value::Object(body)))
}

/// Updates properties of one user. A new password set by someone else (an administrator's reset)
/// revokes the user's refresh tokens; the user's own password change does not. Microsoft Entra,
/// "Refresh tokens in the Microsoft identity platform", token revocation table, column
/// "Confidential client token": "Password changed by user: Stays alive", "Admin resets password
/// in Microsoft Entra admin center: Revoked"
/// (learn.microsoft.com/entra/identity-platform/refresh-tokens; docs/reference of the bundle).
pub async fn update(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let mut changes = user_properties(&body)?;
    let mut world = state.world();
    let user_id = writable_user_id(&world, &caller, &path.user)?;
    let own_change = caller
        .user_id()
        .is_some_and(|caller| caller.eq_ignore_ascii_case(&user_id));
    if changes.remove("passwordProfile").is_some() && !own_change {
        world
            .refresh_tokens
            .revoke_all(&user_id, RevocationReason::Revoked);
    }
    world
        .directory
        .update_user(&user_id, changes)
        .map_err(write_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one user.
pub async fn delete(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
) -> Result<StatusCode, GraphError> {
    let mut world = state.world();
    if !caller.holds(&USER_DELETE, None) {
        return Err(GraphError::insufficient_privileges());
    }
    let user_id = deletable_user_id(&world, &caller, &path.user)?;
    world.remove_user(&user_id);
    Ok(StatusCode::NO_CONTENT)
}
