//! Per-request ids (`request-id` / `client-request-id` on Graph, `x-ms-request-id` and the
//! correlation id on the identity platform) and the rendering of error bodies that carry them.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::control::is_control_path;
use crate::graph::errors::GraphError;
use crate::graph::is_graph_path;
use crate::identity::errors::IdentityError;
use crate::ids::new_guid;

/// Header carrying the caller's id for a request, echoed back by Graph and used by the
/// identity platform as correlation id.
pub const CLIENT_REQUEST_ID: &str = "client-request-id";

/// The ids of one request.
#[derive(Clone, Debug)]
pub struct RequestIds {
    /// Generated for every request (Graph `request-id`, identity `trace_id`).
    pub request_id: String,
    /// The caller's `client-request-id`, else generated (identity `correlation_id`).
    pub client_request_id: String,
}

/// Middleware: assigns ids, renders [`GraphError`] / [`IdentityError`] bodies and sets the id headers.
pub async fn attach(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let ids = RequestIds {
        request_id: new_guid(),
        client_request_id: request
            .headers()
            .get(CLIENT_REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .map_or_else(new_guid, str::to_owned),
    };
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        error.render_into(&ids, &mut response);
    }
    if let Some(error) = response.extensions_mut().remove::<IdentityError>() {
        error.render_into(&ids, &mut response);
    }
    let request_id_header = if is_graph_path(&path) {
        "request-id"
    } else {
        "x-ms-request-id"
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (request_id_header, &ids.request_id),
        (CLIENT_REQUEST_ID, &ids.client_request_id),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// Replaces `response`'s body with a JSON document (error bodies are filled in here, after
/// the handler built the status and headers).
pub fn replace_with_json(
    response: &mut Response,
    json: &serde_json::Value,
    content_type: &'static str,
) {
    *response.body_mut() = Body::from(json.to_string());
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
}
