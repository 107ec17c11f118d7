//! `POST /_control/users` and `POST /_control/groups`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Json;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::{ControlError, ControlJson};
use super::lookup;
use crate::directory::{DirectoryError, Group, Photo, UserRecord};
use crate::ids::new_guid;
use crate::state::SharedState;

/// A photo as posted: its content type and base64 bytes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhotoRequest {
    content_type: String,
    base64: String,
}

/// A user as posted.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUserRequest {
    tenant_id: String,
    id: Option<String>,
    user_principal_name: String,
    display_name: String,
    mail: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    job_title: Option<String>,
    account_enabled: Option<bool>,
    manager_id: Option<String>,
    photo: Option<PhotoRequest>,
}

/// A group as posted.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGroupRequest {
    tenant_id: String,
    id: Option<String>,
    display_name: String,
    #[serde(default)]
    member_ids: Vec<String>,
}

fn object_id(requested: Option<String>) -> Result<String, ControlError> {
    match requested {
        Some(id) if uuid::Uuid::parse_str(&id).is_err() => Err(ControlError::bad_request(format!(
            "object id '{id}' is not a GUID"
        ))),
        Some(id) => Ok(id.to_ascii_lowercase()),
        None => Ok(new_guid()),
    }
}

fn refused(error: DirectoryError) -> ControlError {
    match error {
        DirectoryError::DuplicateId(id) => {
            ControlError::conflict(format!("an object with id '{id}' already exists"))
        }
        DirectoryError::DuplicateUserPrincipalName => {
            ControlError::conflict("userPrincipalName already exists")
        }
        DirectoryError::UnknownManager(id) => {
            ControlError::not_found(format!("manager '{id}' is not a user of the tenant"))
        }
        DirectoryError::UnknownMember(id) => {
            ControlError::not_found(format!("member '{id}' is not a user of the tenant"))
        }
    }
}

/// Creates a user; answers with all of its Graph properties.
pub async fn add_user(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<NewUserRequest>,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let mut world = state.world();
    let tenant_id = lookup::tenant_id(&world, &request.tenant_id)?;
    let Some((local_part, _)) = request.user_principal_name.split_once('@') else {
        return Err(ControlError::bad_request(
            "userPrincipalName must look like name@domain",
        ));
    };
    let mut properties = Map::new();
    let mut set = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            properties.insert(name.to_string(), value);
        }
    };
    set("mailNickname", Some(json!(local_part)));
    set(
        "userPrincipalName",
        Some(json!(request.user_principal_name)),
    );
    set("displayName", Some(json!(request.display_name)));
    set(
        "accountEnabled",
        Some(json!(request.account_enabled.unwrap_or(true))),
    );
    set("mail", request.mail.map(Value::String));
    set("givenName", request.given_name.map(Value::String));
    set("surname", request.surname.map(Value::String));
    set("jobTitle", request.job_title.map(Value::String));
    let mut user = UserRecord::new(tenant_id, object_id(request.id)?, properties);
    user.manager_id = request.manager_id;
    user.photo = request
        .photo
        .map(|photo| {
            STANDARD
                .decode(photo.base64.trim())
                .map(|bytes| Photo {
                    content_type: photo.content_type,
                    bytes,
                })
                .map_err(|error| ControlError::bad_request(format!("photo.base64: {error}")))
        })
        .transpose()?;
    let created = world.add_user(user).map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(Value::Object(created.properties.clone())),
    ))
}

/// Creates a group of existing users.
pub async fn add_group(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<NewGroupRequest>,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let mut world = state.world();
    let tenant_id = lookup::tenant_id(&world, &request.tenant_id)?;
    let group = Group {
        id: object_id(request.id)?,
        tenant_id,
        display_name: request.display_name,
        member_ids: request.member_ids,
    };
    let created = world.directory.insert_group(group).map_err(refused)?;
    let mut body = created.properties();
    body.insert("memberIds".into(), json!(created.member_ids));
    Ok((StatusCode::CREATED, Json(Value::Object(body))))
}
