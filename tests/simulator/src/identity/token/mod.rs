//! `POST /{tenant}/oauth2/v2.0/token`: client authentication and the three grants.

mod authorization_code;
mod client_credentials;
mod delegated;
mod refresh_token;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Json, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::errors::IdentityError;
use super::scopes::{ScopeRequest, foreign_resource};
use crate::apps::App;
use crate::state::{AppState, SharedState, World};
use crate::tenants::Authority;

/// The form parameters of a token request.
pub struct TokenForm(Vec<(String, String)>);

impl TokenForm {
    fn parse(body: &[u8]) -> TokenForm {
        TokenForm(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name`, or AADSTS900144.
    pub fn required(&self, name: &str) -> Result<&str, IdentityError> {
        self.get(name)
            .ok_or_else(|| IdentityError::missing_parameter(name))
    }

    /// The client capabilities the optional `claims` parameter declares
    /// (`{"access_token":{"xms_cc":{"values":["cp1"]}}}`), for the `xms_cc` claim of the access
    /// token; a `claims` value that is not a JSON object is a malformed request.
    pub fn client_capabilities(&self) -> Result<Option<Vec<String>>, IdentityError> {
        let Some(claims) = self.get("claims") else {
            return Ok(None);
        };
        let request: Value =
            serde_json::from_str(claims).map_err(|_| IdentityError::malformed_request())?;
        if !request.is_object() {
            return Err(IdentityError::malformed_request());
        }
        let values = request
            .pointer("/access_token/xms_cc/values")
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect::<Vec<_>>()
            });
        Ok(values.filter(|values| !values.is_empty()))
    }

    /// The optional `scope` parameter, parsed.
    pub fn scopes(&self) -> Result<Option<ScopeRequest>, IdentityError> {
        self.get("scope").map(ScopeRequest::parse).transpose()
    }
}

/// An authenticated token request.
pub struct TokenRequest<'a> {
    /// Shared state (base URL, token signer).
    pub state: &'a AppState,
    /// The `{tenant}` segment as sent.
    pub tenant_segment: String,
    /// What the segment resolved to.
    pub authority: Authority,
    /// The authenticated client.
    pub app: App,
    /// The form parameters.
    pub form: TokenForm,
}

/// Handles a token request.
pub async fn token(
    State(state): State<SharedState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, IdentityError> {
    let form = TokenForm::parse(&body);
    let mut world = state.world();
    let authority = world
        .tenants
        .authority(&tenant)
        .ok_or_else(|| IdentityError::tenant_not_found(&tenant))?;
    let cloud = world.settings.cloud;
    if let Authority::Tenant(known) = &authority
        && known.cloud != cloud
    {
        return Err(IdentityError::national_cloud_tenant(
            &tenant,
            known.cloud.instance_name(),
            cloud.instance_name(),
        ));
    }
    if let Some(resource) = form
        .get("scope")
        .and_then(|scope| foreign_resource(scope, cloud))
    {
        return Err(IdentityError::resource_not_found(&resource, &tenant));
    }
    let grant_type = form.required("grant_type")?.to_string();
    let app = authenticate_client(&world, &form, &headers, &tenant)?;
    let request = TokenRequest {
        state: &state,
        tenant_segment: tenant,
        authority,
        app,
        form,
    };
    match grant_type.as_str() {
        "authorization_code" => authorization_code::redeem(&request, &mut world),
        "refresh_token" => refresh_token::redeem(&request, &mut world),
        "client_credentials" => client_credentials::issue(&request, &mut world),
        other => Err(IdentityError::unsupported_grant_type(other)),
    }
}

/// The client named by HTTP Basic credentials or by `client_id` / `client_secret` in the body.
fn authenticate_client(
    world: &World,
    form: &TokenForm,
    headers: &HeaderMap,
    tenant: &str,
) -> Result<App, IdentityError> {
    let (client_id, secret) = match basic_credentials(headers) {
        Some((client_id, secret)) => (client_id, Some(secret)),
        None => (
            form.required("client_id")?.to_string(),
            form.get("client_secret").map(str::to_owned),
        ),
    };
    let app = world
        .apps
        .find(&client_id)
        .ok_or_else(|| IdentityError::unknown_client(&client_id, tenant))?;
    match secret {
        None => Err(IdentityError::missing_client_secret()),
        Some(secret) if secret != app.client_secret => {
            Err(IdentityError::invalid_client_secret(&app.client_id))
        }
        Some(_) => Ok(app.clone()),
    }
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (client_id, secret) = decoded.split_once(':')?;
    let form_decode = |part: &str| {
        percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|text| text.into_owned())
    };
    Some((form_decode(client_id)?, form_decode(secret)?))
}

/// A successful token response; never cached.
fn token_response(body: Value) -> Response {
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
