//! `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in and consent pages, decided by the
//! sign-in queue (or `login_hint`) instead of a person.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use url::Url;

use super::authorization_codes::AuthorizationCode;
use super::errors::IdentityError;
use super::scopes::{ScopeRequest, requires_admin_consent};
use super::sign_in_queue::SignInOutcome;
use crate::state::{SharedState, World};
use crate::tenants::Authority;

/// The query parameters `/authorize` understands.
#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    response_type: Option<String>,
    redirect_uri: Option<String>,
    response_mode: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    login_hint: Option<String>,
    prompt: Option<String>,
}

/// Where the browser goes back to: the registered redirect URI plus `state`.
struct RedirectBack<'a> {
    redirect_uri: Url,
    state: Option<&'a str>,
}

impl RedirectBack<'_> {
    fn with(mut self, pairs: &[(&str, &str)]) -> Response {
        {
            let mut query = self.redirect_uri.query_pairs_mut();
            query.extend_pairs(pairs);
            if let Some(state) = self.state {
                query.append_pair("state", state);
            }
        }
        (
            StatusCode::FOUND,
            [(header::LOCATION, self.redirect_uri.to_string())],
        )
            .into_response()
    }

    fn code(self, code: &str) -> Response {
        self.with(&[("code", code)])
    }

    fn error(self, error: &IdentityError) -> Response {
        self.with(&[
            ("error", error.error),
            ("error_description", &error.description()),
        ])
    }
}

/// Handles `/authorize`: errors about the client or redirect URI are pages; every other
/// outcome is a redirect back to the app.
pub async fn authorize(
    State(state): State<SharedState>,
    Path(tenant): Path<String>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    let mut world = state.world();
    let Some(authority) = world.tenants.authority(&tenant) else {
        return IdentityError::tenant_not_found(&tenant).into_page();
    };
    let Some(client_id) = query.client_id.as_deref() else {
        return IdentityError::missing_parameter("client_id").into_page();
    };
    let Some(app) = world.apps.find(client_id) else {
        return IdentityError::unknown_client(client_id, &tenant).into_page();
    };
    let client_id = app.client_id.clone();
    let Some(redirect_uri) = query.redirect_uri.as_deref() else {
        return IdentityError::missing_parameter("redirect_uri").into_page();
    };
    let registered = app.redirect_uris.iter().any(|uri| uri == redirect_uri);
    let Some(redirect_url) = Url::parse(redirect_uri).ok().filter(|_| registered) else {
        return IdentityError::redirect_uri_mismatch(redirect_uri, &client_id).into_page();
    };
    let back = RedirectBack {
        redirect_uri: redirect_url,
        state: query.state.as_deref(),
    };
    let scopes = match check_request(&query) {
        Ok(scopes) => scopes,
        Err(error) => return back.error(&error),
    };
    let (user_id, outcome, admin) = match signed_in_user(&mut world, &authority, &query) {
        Ok(signed_in) => signed_in,
        Err(error) if query.prompt.as_deref() == Some("none") => return back.error(&error),
        Err(error) => return error.into_page(),
    };
    if outcome == SignInOutcome::Deny {
        return back.error(&IdentityError::user_declined());
    }
    // Permissions only an administrator may grant, not yet granted to this user or for the whole
    // tenant: an ordinary user is stopped at Microsoft's "Need admin approval" page.
    let consented = world.consents.granted(&user_id, &client_id);
    let tenant_id = world
        .directory
        .user_by_id(&user_id)
        .map(|user| user.tenant_id.clone())
        .unwrap_or_default();
    let needs_admin = scopes.graph.iter().any(|permission| {
        requires_admin_consent(permission)
            && !consented.contains(permission)
            && !app_consented_for_tenant(&world, &client_id, &tenant_id, permission)
    });
    if needs_admin && !admin {
        return IdentityError::admin_consent_required(&client_id).into_page();
    }
    world.consents.grant(&user_id, &client_id, &scopes.graph);
    let lifetime = Duration::seconds(
        i64::try_from(world.settings.authorization_code_lifetime_secs).unwrap_or(i64::MAX),
    );
    let code = world.authorization_codes.issue(AuthorizationCode {
        client_id,
        redirect_uri: redirect_uri.to_string(),
        code_challenge: query.code_challenge.clone(),
        user_id,
        scopes,
        nonce: query.nonce.clone(),
        expires_at: Utc::now() + lifetime,
    });
    back.code(&code)
}

/// Checks the parameters whose errors are redirected back to the app; returns the scopes.
fn check_request(query: &AuthorizeQuery) -> Result<ScopeRequest, IdentityError> {
    match query.response_type.as_deref() {
        None => return Err(IdentityError::missing_parameter("response_type")),
        Some("code") => {}
        Some(other) => return Err(IdentityError::unsupported_response_type(other)),
    }
    if let Some(mode) = query
        .response_mode
        .as_deref()
        .filter(|mode| *mode != "query")
    {
        return Err(IdentityError::unsupported_parameter_value(
            "response_mode",
            mode,
        ));
    }
    if query.code_challenge.is_some() {
        let method = query.code_challenge_method.as_deref().unwrap_or("plain");
        if method != "S256" {
            return Err(IdentityError::unsupported_parameter_value(
                "code_challenge_method",
                method,
            ));
        }
    }
    if let Some(prompt) = query
        .prompt
        .as_deref()
        .filter(|p| !["login", "none", "consent", "select_account"].contains(p))
    {
        return Err(IdentityError::unsupported_parameter_value("prompt", prompt));
    }
    let scope = query
        .scope
        .as_deref()
        .ok_or_else(|| IdentityError::missing_parameter("scope"))?;
    ScopeRequest::parse(scope)
}

/// Whether an administrator consented to delegated `permission` of the app for all of `tenant_id`.
fn app_consented_for_tenant(
    world: &World,
    client_id: &str,
    tenant_id: &str,
    permission: &str,
) -> bool {
    world
        .apps
        .find(client_id)
        .is_some_and(|app| app.consented_for_tenant(tenant_id, permission))
}

/// The user who signs in (and whether as an administrator): the next queued sign-in, else the
/// user named by `login_hint`.
fn signed_in_user(
    world: &mut World,
    authority: &Authority,
    query: &AuthorizeQuery,
) -> Result<(String, SignInOutcome, bool), IdentityError> {
    let (user, outcome, admin) = match world.sign_ins.pop() {
        Some(queued) => (
            world.directory.user_by_id(&queued.user_id),
            queued.outcome,
            queued.admin,
        ),
        None => (
            query
                .login_hint
                .as_deref()
                .and_then(|hint| world.directory.user_by_upn(hint)),
            SignInOutcome::Approve,
            false,
        ),
    };
    let user = user.ok_or_else(IdentityError::no_user_to_sign_in)?;
    if !authority.admits(&user.tenant_id) {
        let tenant = match authority {
            Authority::Tenant(tenant) => tenant.domain.as_str(),
            _ => "consumers",
        };
        return Err(IdentityError::user_not_in_tenant(
            user.user_principal_name(),
            tenant,
        ));
    }
    Ok((user.id().to_string(), outcome, admin))
}
