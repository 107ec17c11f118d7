//! A user's `manager`, `directReports` and `memberOf`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Json;
use serde_json::{Map, Value};

use super::{USERS, readable_user, user_view};
use crate::directory::GROUP_PROPERTIES;
use crate::directory::user_schema::PROPERTIES;
use crate::graph::auth::Caller;
use crate::graph::directory_query::{directory_error, parse_collection_query, parse_entity_select};
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::{Links, context_url};
use crate::graph::odata::{CollectionShape, project};
use crate::graph::user_target::UserPath;
use crate::state::SharedState;

/// What `memberOf` supports (groups).
const GROUPS: CollectionShape = CollectionShape {
    properties: GROUP_PROPERTIES,
    filterable: &["id", "displayName", "mailEnabled", "securityEnabled"],
    sortable: &["displayName"],
    searchable: &["displayName", "description"],
    max_top: 999,
};

/// `properties` marked as a directory object of `type_name` (`#microsoft.graph.user`, ...).
fn directory_object(mut properties: Map<String, Value>, type_name: &str) -> Map<String, Value> {
    properties.insert("@odata.type".into(), Value::String(type_name.to_string()));
    properties
}

/// The user's manager; 404 when none is assigned.
pub async fn manager(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    uri: Uri,
) -> Result<Json<Value>, GraphError> {
    let select = parse_entity_select(uri.query(), PROPERTIES, "user")?;
    let world = state.world();
    let user = readable_user(&world, &caller, &path.user)?;
    let manager = user
        .manager_id
        .as_deref()
        .and_then(|manager_id| world.directory.find_user(&caller.tenant_id, manager_id))
        .ok_or_else(|| GraphError::resource_not_found("manager"))?;
    let mut body = directory_object(
        user_view(manager, select.as_deref()),
        "#microsoft.graph.user",
    );
    body.insert(
        "@odata.context".into(),
        Value::String(context_url(&state.base_url, "directoryObjects/$entity")),
    );
    Ok(Json(Value::Object(body)))
}

/// The users whose manager the user is.
pub async fn direct_reports(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let query = parse_collection_query(uri.query(), &headers, &USERS, "user")?;
    let world = state.world();
    let user = readable_user(&world, &caller, &path.user)?;
    let reports = query.apply(world.directory.direct_reports(user.id()), |report| {
        &report.properties
    });
    let links = Links::new(&state.base_url, uri.path(), uri.query());
    let context = context_url(&state.base_url, "directoryObjects");
    let body = query
        .respond(
            reports,
            world.settings.default_page_size,
            &links,
            context,
            |report| {
                let properties = user_view(report, query.select.as_deref());
                Value::Object(directory_object(properties, "#microsoft.graph.user"))
            },
        )
        .map_err(|error| directory_error(error, "user"))?;
    Ok(Json(body))
}

/// The groups the user is a direct member of.
pub async fn member_of(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let query = parse_collection_query(uri.query(), &headers, &GROUPS, "group")?;
    let world = state.world();
    let user = readable_user(&world, &caller, &path.user)?;
    let groups: Vec<Map<String, Value>> = world
        .directory
        .groups_of(user.id())
        .map(|group| group.properties())
        .collect();
    let matching = query.apply(&groups, |group| group);
    let links = Links::new(&state.base_url, uri.path(), uri.query());
    let context = context_url(&state.base_url, "directoryObjects");
    let body = query
        .respond(
            matching,
            world.settings.default_page_size,
            &links,
            context,
            |group| {
                let properties = match query.select.as_deref() {
                    Some(names) => project(group, names.iter().map(String::as_str)),
                    None => (*group).clone(),
                };
                Value::Object(directory_object(properties, "#microsoft.graph.group"))
            },
        )
        .map_err(|error| directory_error(error, "group"))?;
    Ok(Json(body))
}
