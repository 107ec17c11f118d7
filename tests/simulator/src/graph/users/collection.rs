//! `GET /v1.0/users` and `POST /v1.0/users`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Json;
use serde_json::Value;

use super::body::{invalid_value, user_properties, write_error};
use super::{USER_READ, USER_WRITE, USERS, user_view, users_fragment};
use crate::directory::UserRecord;
use crate::directory::user_schema::REQUIRED_ON_CREATE;
use crate::graph::auth::Caller;
use crate::graph::directory_query::{directory_error, parse_collection_query};
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::{Links, context_url};
use crate::ids::new_guid;
use crate::state::SharedState;

/// Lists the caller's tenant's users, one page at a time.
pub async fn list(
    State(state): State<SharedState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    if !caller.holds(&USER_READ, None) {
        return Err(GraphError::insufficient_privileges());
    }
    let query = parse_collection_query(uri.query(), &headers, &USERS, "user")?;
    let world = state.world();
    let users = query.apply(world.directory.users_of(&caller.tenant_id), |user| {
        &user.properties
    });
    let links = Links::new(&state.base_url, uri.path(), uri.query());
    let select = query.select.as_deref();
    let context = context_url(&state.base_url, &users_fragment(select, false));
    let body = query
        .respond(
            users,
            world.settings.default_page_size,
            &links,
            context,
            |user| Value::Object(user_view(user, select)),
        )
        .map_err(|error| directory_error(error, "user"))?;
    Ok(Json(body))
}

/// Creates a user in the caller's tenant.
pub async fn create(
    State(state): State<SharedState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    if !caller.holds(&USER_WRITE, None) {
        return Err(GraphError::insufficient_privileges());
    }
    let mut properties = user_properties(&body)?;
    if let Some(missing) = REQUIRED_ON_CREATE
        .iter()
        .find(|name| properties.get(**name).is_none_or(Value::is_null))
    {
        return Err(invalid_value(missing));
    }
    let password = properties
        .remove("passwordProfile")
        .and_then(|profile| profile.get("password").cloned());
    if password
        .as_ref()
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(invalid_value("passwordProfile"));
    }
    let mut world = state.world();
    let domain = world
        .tenants
        .find(&caller.tenant_id)
        .map(|tenant| tenant.domain.clone())
        .unwrap_or_default();
    let upn = properties
        .get("userPrincipalName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !upn.rsplit_once('@').is_some_and(|(local, upn_domain)| {
        !local.is_empty() && upn_domain.eq_ignore_ascii_case(&domain)
    }) {
        return Err(GraphError::bad_request(
            "The domain portion of the userPrincipalName property is invalid. You must use one of the verified \
             domain names in your organization.",
        ));
    }
    let created = world
        .add_user(UserRecord::new(
            caller.tenant_id.clone(),
            new_guid(),
            properties,
        ))
        .map_err(write_error)?;
    let mut body = user_view(created, None);
    body.insert(
        "@odata.context".into(),
        Value::String(context_url(&state.base_url, &users_fragment(None, true))),
    );
    Ok((StatusCode::CREATED, Json(Value::Object(body))))
}
