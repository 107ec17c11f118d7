//! Validation of the sign-in functions' requests, decoded from API Gateway or direct events into
//! the same [`RawRequest`] as the Graph operations: `authUserId` at the top level (a query
//! parameter, or the `{authUserId}` path parameter of `auth-status`), options in `query`, no body.

use crate::error::ApiError;
use crate::operations::request::{RawRequest, acting_user, validate_app_user_id};
use crate::settings::product_settings::is_guid;
use crate::sign_in::completion::CompleteRequest;
use crate::sign_in::expected_account::ExpectedAccount;
use crate::sign_in::flow::{Callback, StartRequest};
use crate::sign_in::prompt::Prompt;
use crate::sign_in::scopes::SignInMode;
use crate::support::random_token::is_random_token;
use crate::support::secret::Secret;

/// Longest accepted `loginHint`, in characters.
pub const MAX_LOGIN_HINT_CHARS: usize = 256;

/// A validated `auth-start` invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartInvocation {
    /// The sign-in to start.
    pub request: StartRequest,
    /// Answer with a redirect to the authorize URL instead of JSON.
    pub redirect: bool,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message)
}

fn refuse_body_user_and_params(raw: &RawRequest) -> Result<(), ApiError> {
    if raw.body.is_some() {
        return Err(invalid("this function takes no request body"));
    }
    if raw.user_id.is_some() {
        return Err(invalid("this function takes no `userId`"));
    }
    match raw.params.keys().next() {
        Some(unknown) => Err(invalid(format!("unknown parameter `{unknown}`"))),
        None => Ok(()),
    }
}

/// Takes `authUserId` from the request (top level or path); an authorizer's verified subject, when
/// present, is the only one allowed.
fn take_app_user_id(raw: &mut RawRequest) -> Result<String, ApiError> {
    let from_path = raw.params.remove("authUserId");
    let asked = match (raw.auth_user_id.take(), from_path) {
        (Some(top), Some(path)) if top != path => {
            return Err(invalid("`authUserId` is given twice with different values"));
        }
        (top, path) => top.or(path),
    };
    let verified = raw.verified_subject.take();
    let id = acting_user(asked.as_deref(), verified.as_deref())?
        .ok_or_else(|| invalid("`authUserId` is required"))?
        .to_string();
    validate_app_user_id("authUserId", &id)
}

fn validate_login_hint(hint: String) -> Result<String, ApiError> {
    if hint.is_empty()
        || hint.chars().count() > MAX_LOGIN_HINT_CHARS
        || hint.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "`loginHint` must be 1 to {MAX_LOGIN_HINT_CHARS} characters with no control characters"
        )));
    }
    Ok(hint)
}

fn validate_tenant_id(tenant: String) -> Result<String, ApiError> {
    if is_guid(&tenant) {
        Ok(tenant.to_ascii_lowercase())
    } else {
        Err(invalid("`tenantId` must be a tenant GUID"))
    }
}

/// Validates an `auth-start` request: `authUserId`, and in `query` the optional `mode`
/// (`default` | `dev`), `returnUrl`, `loginHint`, `tenantId` (a GUID), `prompt`
/// (`select_account` | `consent` | `login`) and `redirect` (`true` | `false`).
pub fn start_invocation(mut raw: RawRequest) -> Result<StartInvocation, ApiError> {
    let app_user_id = take_app_user_id(&mut raw)?;
    refuse_body_user_and_params(&raw)?;
    let mut query = raw.query;
    let mode = match query.remove("mode") {
        Some(mode) => SignInMode::parse(&mode)?,
        None => SignInMode::Default,
    };
    let return_url = query.remove("returnUrl");
    let login_hint = query
        .remove("loginHint")
        .map(validate_login_hint)
        .transpose()?;
    let tenant_id = query
        .remove("tenantId")
        .map(validate_tenant_id)
        .transpose()?;
    let prompt = query
        .remove("prompt")
        .map(|prompt| Prompt::parse(&prompt))
        .transpose()?;
    let redirect = match query.remove("redirect").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(invalid("`redirect` must be true or false")),
    };
    if let Some(unknown) = query.keys().next() {
        return Err(invalid(format!("unknown parameter `{unknown}`")));
    }
    Ok(StartInvocation {
        request: StartRequest {
            app_user_id,
            mode,
            return_url,
            expected: ExpectedAccount {
                login_hint,
                tenant_id,
            },
            prompt,
        },
        redirect,
    })
}

/// The longest authorization code accepted (Microsoft's are about a kilobyte).
const MAX_CODE_CHARS: usize = 8192;

/// Reads Microsoft's callback from `query` (`state`, and `code` or `error`). Anything else Microsoft
/// adds (`session_state`, `error_description`, ...) is ignored. A callback that cannot have come
/// from a sign-in this bundle started (no `state` of the shape it issues, neither `code` nor a
/// well-formed `error`, an oversized code) is refused with `InvalidRequest` before any AWS call,
/// so flooding the public route costs no table or Secrets Manager request; every other callback
/// ends on the return or failure URL.
pub fn callback(raw: RawRequest) -> Result<Callback, ApiError> {
    let mut query = raw.query;
    let callback = Callback {
        state: query.remove("state"),
        code: query.remove("code").map(Secret::new),
        error: query.remove("error"),
    };
    let state_ok = callback.state.as_deref().is_some_and(is_random_token);
    let code_ok = callback
        .code
        .as_ref()
        .is_some_and(|code| (1..=MAX_CODE_CHARS).contains(&code.expose().len()));
    let error_ok = callback.error.as_deref().is_some_and(|error| {
        (1..=64).contains(&error.len())
            && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    });
    if !state_ok || !(code_ok || error_ok) {
        return Err(invalid(
            "not a sign-in callback: it needs the `state` the sign-in started with, and a `code` or an `error`",
        ));
    }
    Ok(callback)
}

/// Validates an `auth-complete` request: `authUserId` (the application user of the session the
/// browser arrived in) and, in `query`, the `handle` the browser arrived with.
pub fn complete_request(mut raw: RawRequest) -> Result<CompleteRequest, ApiError> {
    let app_user_id = take_app_user_id(&mut raw)?;
    refuse_body_user_and_params(&raw)?;
    let mut query = raw.query;
    let handle = query
        .remove("handle")
        .ok_or_else(|| invalid("`handle` is required"))?;
    if let Some(unknown) = query.keys().next() {
        return Err(invalid(format!("unknown parameter `{unknown}`")));
    }
    Ok(CompleteRequest {
        app_user_id,
        handle,
    })
}

/// Validates an `auth-status` or `auth-revoke` request: only `authUserId`.
pub fn account_request(mut raw: RawRequest) -> Result<String, ApiError> {
    let app_user_id = take_app_user_id(&mut raw)?;
    refuse_body_user_and_params(&raw)?;
    match raw.query.keys().next() {
        Some(unknown) => Err(invalid(format!("unknown parameter `{unknown}`"))),
        None => Ok(app_user_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use std::collections::BTreeMap;

    fn raw(auth: Option<&str>, query: &[(&str, &str)]) -> RawRequest {
        RawRequest {
            auth_user_id: auth.map(String::from),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    fn code<T: std::fmt::Debug>(result: Result<T, ApiError>) -> ErrorCode {
        result.unwrap_err().code().unwrap()
    }

    #[test]
    fn reads_start_options() {
        let start = start_invocation(raw(
            Some("alice"),
            &[
                ("mode", "dev"),
                ("returnUrl", "https://app.example.com/x"),
                ("loginHint", "adele@contoso.com"),
                ("tenantId", "6F1C3A52-8D4E-4B7A-9C2F-1E5D7A9B3C40"),
                ("prompt", "consent"),
                ("redirect", "true"),
            ],
        ))
        .unwrap();
        assert!(start.redirect);
        assert_eq!(
            start.request,
            StartRequest {
                app_user_id: "alice".into(),
                mode: SignInMode::Dev,
                return_url: Some("https://app.example.com/x".into()),
                expected: ExpectedAccount {
                    login_hint: Some("adele@contoso.com".into()),
                    tenant_id: Some("6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40".into()),
                },
                prompt: Some(Prompt::Consent),
            }
        );
        let plain = start_invocation(raw(Some("alice"), &[])).unwrap();
        assert!(!plain.redirect);
        assert_eq!(plain.request.mode, SignInMode::Default);
    }

    #[test]
    fn refuses_bad_start_requests() {
        for (auth, query) in [
            (None, vec![]),
            (Some("a/b"), vec![]),
            (Some("alice"), vec![("mode", "admin")]),
            (Some("alice"), vec![("redirect", "yes")]),
            (Some("alice"), vec![("loginHint", "a\nb")]),
            (Some("alice"), vec![("tenantId", "contoso.com")]),
            (Some("alice"), vec![("prompt", "none")]),
            (Some("alice"), vec![("scope", "Mail.Read")]),
        ] {
            assert_eq!(
                code(start_invocation(raw(auth, &query))),
                ErrorCode::InvalidRequest,
                "{auth:?} {query:?}"
            );
        }
        let mut with_body = raw(Some("alice"), &[]);
        with_body.body = Some("{}".into());
        assert_eq!(code(start_invocation(with_body)), ErrorCode::InvalidRequest);
    }

    #[test]
    fn takes_the_user_from_the_path_or_the_top_level() {
        let from_path = RawRequest {
            params: BTreeMap::from([("authUserId".to_string(), "alice".to_string())]),
            ..Default::default()
        };
        assert_eq!(account_request(from_path).unwrap(), "alice");
        assert_eq!(account_request(raw(Some("bob"), &[])).unwrap(), "bob");
        let conflicting = RawRequest {
            auth_user_id: Some("bob".into()),
            params: BTreeMap::from([("authUserId".to_string(), "alice".to_string())]),
            ..Default::default()
        };
        assert_eq!(
            code(account_request(conflicting)),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(account_request(raw(Some("bob"), &[("x", "1")]))),
            ErrorCode::InvalidRequest
        );
        let mut impostor = raw(Some("mallory"), &[]);
        impostor.verified_subject = Some("alice".into());
        assert_eq!(code(account_request(impostor)), ErrorCode::Forbidden);
    }

    #[test]
    fn reads_complete_requests() {
        assert_eq!(
            complete_request(raw(Some("alice"), &[("handle", "h-1")])).unwrap(),
            CompleteRequest {
                app_user_id: "alice".into(),
                handle: "h-1".into(),
            }
        );
        for (auth, query) in [
            (None, vec![("handle", "h-1")]),
            (Some("alice"), vec![]),
            (Some("alice"), vec![("handle", "h-1"), ("state", "s")]),
        ] {
            assert_eq!(
                code(complete_request(raw(auth, &query))),
                ErrorCode::InvalidRequest,
                "{auth:?} {query:?}"
            );
        }
        let mut impostor = raw(Some("mallory"), &[("handle", "h-1")]);
        impostor.verified_subject = Some("alice".into());
        assert_eq!(code(complete_request(impostor)), ErrorCode::Forbidden);
        let mut from_token = raw(None, &[("handle", "h-1")]);
        from_token.verified_subject = Some("alice".into());
        assert_eq!(complete_request(from_token).unwrap().app_user_id, "alice");
    }

    #[test]
    fn reads_callbacks_leniently_but_refuses_what_no_sign_in_could_send() {
        let state = crate::support::random_token::random_token();
        let read = callback(raw(
            None,
            &[("code", "c"), ("state", &state), ("session_state", "x")],
        ))
        .unwrap();
        assert_eq!(read.state.as_deref(), Some(state.as_str()));
        assert_eq!(read.code.unwrap().expose(), "c");
        assert!(read.error.is_none());
        assert!(callback(raw(None, &[("error", "access_denied"), ("state", &state)])).is_ok());
        let long_code = "c".repeat(MAX_CODE_CHARS + 1);
        for query in [
            vec![("code", "c")],
            vec![("code", "c"), ("state", "never-issued")],
            vec![("state", state.as_str())],
            vec![("error", "Not An Error"), ("state", state.as_str())],
            vec![("code", long_code.as_str()), ("state", state.as_str())],
        ] {
            assert_eq!(
                callback(raw(None, &query)).map(|_| ()).unwrap_err().code(),
                Some(ErrorCode::InvalidRequest),
                "{query:?}"
            );
        }
    }
}
