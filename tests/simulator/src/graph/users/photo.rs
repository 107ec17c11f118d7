//! `GET /v1.0/users/{id}/photo` (metadata) and `/photo/$value` (the image).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use super::readable_user;
use crate::directory::Photo;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::graph::user_target::UserPath;
use crate::state::SharedState;

fn photo_of(
    state: &SharedState,
    caller: &Caller,
    key: &str,
) -> Result<(String, Photo), GraphError> {
    let world = state.world();
    let user = readable_user(&world, caller, key)?;
    let photo = user.photo.clone().ok_or_else(|| {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "ImageNotFound",
            "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
        )
    })?;
    Ok((user.id().to_string(), photo))
}

/// The photo's metadata.
pub async fn metadata(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
) -> Result<Json<Value>, GraphError> {
    let (user_id, photo) = photo_of(&state, &caller, &path.user)?;
    Ok(Json(json!({
        "@odata.context": context_url(&state.base_url, &format!("users('{user_id}')/photo/$entity")),
        "@odata.mediaContentType": photo.content_type,
        "@odata.mediaEtag": photo.etag(),
        "id": "default",
        "height": null,
        "width": null,
    })))
}

/// The photo's bytes with their content type.
pub async fn content(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<UserPath>,
) -> Result<Response, GraphError> {
    let (_, photo) = photo_of(&state, &caller, &path.user)?;
    let content_type = HeaderValue::from_str(&photo.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let etag = HeaderValue::from_str(&photo.etag()).expect("hex digits in quotes");
    Ok((
        [(header::CONTENT_TYPE, content_type), (header::ETAG, etag)],
        photo.bytes,
    )
        .into_response())
}
