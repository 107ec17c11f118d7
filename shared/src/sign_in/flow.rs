//! The delegated sign-in (OAuth 2.0 authorization code with PKCE): `auth-start` stores a pending
//! sign-in under a fresh `state` and hands out Microsoft's authorize URL; `auth-callback` takes that
//! state exactly once, redeems the code with the stored verifier, stores the user's link and names
//! where the browser goes next. No code, token, verifier or state value is ever logged.

use crate::support::table_keys::sign_in_state_key;
use std::sync::Arc;

use url::Url;

use crate::error::{ApiError, ErrorCode};
use crate::operations::graph_path::encode_segment;
use crate::settings::product_settings::Settings;
use crate::settings::provider::SettingsProvider;
use crate::sign_in::account_linker::AccountLinker;
use crate::sign_in::failure::SignInFailure;
use crate::sign_in::pending_states::{
    PendingSignIn, SIGN_IN_TTL_SECS, SignInStateStore, VERIFIER_PURPOSE,
};
use crate::sign_in::pkce::{CHALLENGE_METHOD, Pkce};
use crate::sign_in::scopes::{SignInMode, sign_in_scopes};
use crate::support::clock::now_epoch;
use crate::support::deadline::Deadline;
use crate::support::random_token::random_token;
use crate::support::secret::Secret;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::identity_platform::{IdentityPlatform, RejectionKind, TokenFailure};

/// A validated `auth-start` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRequest {
    /// The application user to link.
    pub app_user_id: String,
    /// Which scopes to ask for.
    pub mode: SignInMode,
    /// Where to land after a successful sign-in; `None` is the settings' `callbackUrl`.
    pub return_url: Option<String>,
    /// Passed to Microsoft as `login_hint` (pre-fills the account).
    pub login_hint: Option<String>,
}

/// A started sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedSignIn {
    /// Microsoft's authorize URL to send the browser to.
    pub authorize_url: String,
    /// When the sign-in can no longer be completed (epoch seconds).
    pub expires_at: i64,
}

/// What Microsoft sent the browser back with.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    /// The `state` given to `/authorize`.
    pub state: Option<String>,
    /// The authorization code, on success.
    pub code: Option<Secret>,
    /// The OAuth `error`, on failure (e.g. `access_denied`).
    pub error: Option<String>,
}

/// A failed callback: the code for the failure URL and a log-safe detail.
struct Failed {
    failure: SignInFailure,
    detail: String,
}

fn failed(failure: SignInFailure, detail: impl Into<String>) -> Failed {
    Failed {
        failure,
        detail: detail.into(),
    }
}

/// A state value as `auth-start` makes them (URL-safe base64); anything else is never looked up.
fn is_well_formed_state(state: &str) -> bool {
    (1..=128).contains(&state.len())
        && state
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An OAuth error code as Microsoft spells them; anything else is not repeated in logs.
fn is_oauth_error_code(error: &str) -> bool {
    (1..=64).contains(&error.len()) && error.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn describe_token_failure(failure: &TokenFailure) -> String {
    match failure {
        TokenFailure::Unavailable(why) => format!("token endpoint unavailable: {why}"),
        TokenFailure::Rejected(rejection) => format!(
            "token endpoint answered {} {} (AADSTS{:?})",
            rejection.status, rejection.error, rejection.error_codes
        ),
    }
}

/// A settings field sign-in cannot work without.
fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, ApiError> {
    value.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::ConfigurationInvalid,
            format!("settings field `{field}` is missing: sign-in needs it"),
        )
    })
}

/// Starts and completes sign-ins.
pub struct SignInFlow {
    settings: SettingsProvider,
    states: Arc<dyn SignInStateStore>,
    identity_platform: Arc<dyn IdentityPlatform>,
    linker: AccountLinker,
    login_base: Url,
}

impl SignInFlow {
    /// A flow over these ports; `login_base` is the identity platform's origin
    /// (e.g. `https://login.microsoftonline.com`).
    pub fn new(
        settings: SettingsProvider,
        states: Arc<dyn SignInStateStore>,
        identity_platform: Arc<dyn IdentityPlatform>,
        linker: AccountLinker,
        login_base: Url,
    ) -> Self {
        Self {
            settings,
            states,
            identity_platform,
            linker,
            login_base,
        }
    }

    /// Stores a pending sign-in for `request` and returns Microsoft's authorize URL for it. A
    /// `return_url` must be exactly one of the settings' `allowedReturnUrls` (or the `callbackUrl`).
    pub async fn start(&self, request: StartRequest) -> Result<StartedSignIn, ApiError> {
        let settings = self.settings.get().await?;
        let redirect_uri = required(&settings.redirect_uri, "redirectUri")?;
        required(&settings.failure_url, "failureUrl")?;
        let return_url = match request.return_url {
            Some(url)
                if settings.allowed_return_urls.contains(&url)
                    || settings.callback_url.as_ref() == Some(&url) =>
            {
                url
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "`returnUrl` is not one of the settings' allowedReturnUrls",
                ));
            }
            None => required(&settings.callback_url, "callbackUrl")?.to_string(),
        };
        let state = random_token();
        let pkce = Pkce::generate();
        let scopes = sign_in_scopes(&settings.scopes, request.mode);
        let expires_at = now_epoch() + SIGN_IN_TTL_SECS;
        let authorize_url = self.authorize_url(
            &settings,
            redirect_uri,
            &state,
            &pkce.challenge,
            &scopes,
            request.login_hint.as_deref(),
        )?;
        let verifier = TokenCipher::new(&settings.encryption_keys).seal(
            &pkce.verifier,
            VERIFIER_PURPOSE,
            &sign_in_state_key(&state),
        );
        let pending = PendingSignIn {
            app_user_id: request.app_user_id,
            mode: request.mode,
            return_url,
            scopes,
            verifier,
            expires_at,
        };
        self.states.put(&state, &pending).await?;
        tracing::info!(
            app_user_id = %pending.app_user_id,
            mode = pending.mode.as_str(),
            "sign-in started"
        );
        Ok(StartedSignIn {
            authorize_url,
            expires_at,
        })
    }

    fn authorize_url(
        &self,
        settings: &Settings,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
        scopes: &[String],
        login_hint: Option<&str>,
    ) -> Result<String, ApiError> {
        let endpoint = format!(
            "{}/{}/oauth2/v2.0/authorize",
            self.login_base.as_str().trim_end_matches('/'),
            encode_segment(&settings.tenant_id)
        );
        let mut url = Url::parse(&endpoint).map_err(|_| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                "the identity identity_platform origin does not make a valid authorize URL",
            )
        })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &settings.client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("response_mode", "query")
                .append_pair("scope", &scopes.join(" "))
                .append_pair("state", state)
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", CHALLENGE_METHOD);
            if let Some(hint) = login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        Ok(url.to_string())
    }

    /// Completes the sign-in Microsoft called back about and returns where the browser goes next:
    /// the flow's return URL, or the settings' failure URL with `f=<code>`. Fails only when the
    /// settings cannot be read or lack the failure URL or redirect URI.
    pub async fn finish(&self, callback: Callback, deadline: Deadline) -> Result<String, ApiError> {
        let settings = self.settings.get().await?;
        let failure_url =
            Url::parse(required(&settings.failure_url, "failureUrl")?).map_err(|_| {
                ApiError::new(
                    ErrorCode::ConfigurationInvalid,
                    "settings field `failureUrl` is not a URL",
                )
            })?;
        let redirect_uri = required(&settings.redirect_uri, "redirectUri")?;
        match self
            .complete(&settings, redirect_uri, callback, deadline)
            .await
        {
            Ok(linked) => {
                tracing::info!(
                    app_user_id = %linked.app_user_id,
                    mode = linked.mode.as_str(),
                    "sign-in linked"
                );
                Ok(linked.return_url)
            }
            Err(Failed { failure, detail }) => {
                tracing::warn!(failure = failure.as_str(), detail, "sign-in failed");
                Ok(failure.location(&failure_url))
            }
        }
    }

    async fn complete(
        &self,
        settings: &Settings,
        redirect_uri: &str,
        callback: Callback,
        deadline: Deadline,
    ) -> Result<PendingSignIn, Failed> {
        let state = callback
            .state
            .filter(|state| is_well_formed_state(state))
            .ok_or_else(|| failed(SignInFailure::StateInvalid, "no well-formed state"))?;
        let pending = self
            .states
            .take(&state)
            .await
            .map_err(|error| failed(SignInFailure::AccessTokenFailed, error.to_string()))?
            .ok_or_else(|| failed(SignInFailure::StateInvalid, "unknown or already used state"))?;
        if pending.expires_at <= now_epoch() {
            return Err(failed(SignInFailure::StateInvalid, "the sign-in expired"));
        }
        if let Some(error) = callback.error {
            let shown = if is_oauth_error_code(&error) {
                error.as_str()
            } else {
                "an unrecognised error"
            };
            return Err(failed(
                SignInFailure::of_authorize_error(&error),
                format!("Microsoft's authorize endpoint answered {shown}"),
            ));
        }
        let code = callback
            .code
            .ok_or_else(|| failed(SignInFailure::InvalidGrant, "no authorization code"))?;
        let verifier = TokenCipher::new(&settings.encryption_keys)
            .open(
                &pending.verifier,
                VERIFIER_PURPOSE,
                &sign_in_state_key(&state),
            )
            .map_err(|error| failed(SignInFailure::StateInvalid, error.to_string()))?;
        let grant = self
            .identity_platform
            .redeem_code(
                settings,
                &code,
                &verifier,
                redirect_uri,
                &pending.scopes,
                deadline,
            )
            .await
            .map_err(|failure| {
                if let TokenFailure::Rejected(rejection) = &failure
                    && rejection.kind() == RejectionKind::ClientInvalid
                {
                    // The client secret may have been rotated: read the settings again next time.
                    self.settings.expire();
                }
                failed(
                    SignInFailure::of_token_failure(&failure),
                    describe_token_failure(&failure),
                )
            })?;
        self.linker
            .link(settings, &pending.app_user_id, grant, deadline)
            .await
            .map_err(|error| failed(SignInFailure::of_link_error(&error), error.to_string()))?;
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::pkce::challenge_of;
    use crate::test_util::{
        FixedSettings, MemorySignInStates, MemoryStore, RecordingGraph, ScriptedIdentityPlatform,
    };
    use crate::tokens::identity_platform::TokenRejection;
    use crate::tokens::store::TokenStore;
    use serde_json::json;
    use std::collections::HashMap;
    use std::time::Duration;

    const REDIRECT_URI: &str = "https://api.example.com/auth/callback";

    struct Fixture {
        flow: SignInFlow,
        states: Arc<MemorySignInStates>,
        identity_platform: Arc<ScriptedIdentityPlatform>,
        store: Arc<MemoryStore>,
    }

    fn fixture(override_default: bool) -> Fixture {
        let settings = json!({
            "clientId": "client-1",
            "clientSecret": "s3cr3t",
            "tenantId": "organizations",
            "redirectUri": REDIRECT_URI,
            "callbackUrl": "https://app.example.com/linked",
            "failureUrl": "https://app.example.com/failed?lang=en",
            "allowedReturnUrls": ["https://app.example.com/welcome"],
            "scopes": {"default": ["Calendars.ReadWrite"], "dev": ["Calendars.Read"], "overrideDefault": override_default},
            "tokenEncryptionKeys": {"active": "k1", "keys": {"k1": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}}
        });
        let states = Arc::new(MemorySignInStates::default());
        let identity_platform = Arc::new(ScriptedIdentityPlatform::default());
        let store = Arc::new(MemoryStore::default());
        let flow = SignInFlow::new(
            SettingsProvider::new(
                Arc::new(FixedSettings(settings.to_string())),
                Duration::from_secs(60),
            ),
            states.clone(),
            identity_platform.clone(),
            AccountLinker::new(store.clone(), Arc::new(RecordingGraph::default())),
            Url::parse("https://login.example.com").unwrap(),
        );
        Fixture {
            flow,
            states,
            identity_platform,
            store,
        }
    }

    fn start_request(mode: SignInMode, return_url: Option<&str>) -> StartRequest {
        StartRequest {
            app_user_id: "alice".into(),
            mode,
            return_url: return_url.map(String::from),
            login_hint: None,
        }
    }

    fn query_of(url: &str) -> HashMap<String, String> {
        Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    fn deadline() -> Deadline {
        Deadline::after(Duration::from_secs(5))
    }

    /// Starts a sign-in and returns the state Microsoft would echo back.
    async fn started(fixture: &Fixture, mode: SignInMode) -> String {
        let started = fixture.flow.start(start_request(mode, None)).await.unwrap();
        query_of(&started.authorize_url)["state"].clone()
    }

    fn approved(state: &str) -> Callback {
        Callback {
            state: Some(state.into()),
            code: Some(Secret::new("the-code")),
            error: None,
        }
    }

    #[tokio::test]
    async fn start_builds_the_authorize_url_and_stores_the_flow() {
        let fixture = fixture(false);
        let mut request = start_request(SignInMode::Default, None);
        request.login_hint = Some("adele@contoso.com".into());
        let started = fixture.flow.start(request).await.unwrap();
        let url = Url::parse(&started.authorize_url).unwrap();
        assert_eq!(
            url.as_str().split('?').next().unwrap(),
            "https://login.example.com/organizations/oauth2/v2.0/authorize"
        );
        let query = query_of(url.as_str());
        assert_eq!(query["client_id"], "client-1");
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["response_mode"], "query");
        assert_eq!(query["redirect_uri"], REDIRECT_URI);
        assert_eq!(
            query["scope"],
            "openid profile offline_access User.Read Calendars.ReadWrite"
        );
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["login_hint"], "adele@contoso.com");

        let pending = fixture.states.pending.lock().unwrap()[&query["state"]].clone();
        assert_eq!(pending.app_user_id, "alice");
        assert_eq!(pending.return_url, "https://app.example.com/linked");
        assert_eq!(pending.expires_at, started.expires_at);
        assert!(started.expires_at > now_epoch() + SIGN_IN_TTL_SECS - 5);
    }

    #[tokio::test]
    async fn dev_mode_asks_for_the_dev_scopes_when_overriding() {
        for (override_default, expected) in [
            (
                true,
                "openid profile offline_access User.Read Calendars.Read",
            ),
            (
                false,
                "openid profile offline_access User.Read Calendars.ReadWrite",
            ),
        ] {
            let fixture = fixture(override_default);
            let started = fixture
                .flow
                .start(start_request(SignInMode::Dev, None))
                .await
                .unwrap();
            assert_eq!(query_of(&started.authorize_url)["scope"], expected);
        }
    }

    #[tokio::test]
    async fn return_urls_must_match_exactly() {
        let fixture = fixture(false);
        for allowed in [
            "https://app.example.com/welcome",
            "https://app.example.com/linked",
        ] {
            let started = fixture
                .flow
                .start(start_request(SignInMode::Default, Some(allowed)))
                .await;
            assert!(started.is_ok(), "{allowed}");
        }
        for refused in [
            "https://app.example.com/welcome/../admin",
            "https://app.example.com/welcome?next=https://evil.example",
            "https://app.example.com/welcom",
            "https://evil.example/welcome",
            "HTTPS://APP.EXAMPLE.COM/welcome",
        ] {
            let error = fixture
                .flow
                .start(start_request(SignInMode::Default, Some(refused)))
                .await
                .unwrap_err();
            assert_eq!(error.code(), Some(ErrorCode::InvalidRequest), "{refused}");
        }
        assert!(fixture.states.pending.lock().unwrap().len() == 2);
    }

    #[tokio::test]
    async fn the_callback_redeems_with_the_verifier_and_links_the_user() {
        let fixture = fixture(false);
        let started = fixture
            .flow
            .start(start_request(SignInMode::Default, None))
            .await
            .unwrap();
        let query = query_of(&started.authorize_url);
        let location = fixture
            .flow
            .finish(approved(&query["state"]), deadline())
            .await
            .unwrap();
        assert_eq!(location, "https://app.example.com/linked");

        let redemption = fixture.identity_platform.redemptions.lock().unwrap()[0].clone();
        assert_eq!(redemption.code, "the-code");
        assert_eq!(
            challenge_of(&Secret::new(redemption.verifier)),
            query["code_challenge"]
        );
        assert_eq!(redemption.redirect_uri, REDIRECT_URI);
        assert_eq!(redemption.scopes.join(" "), query["scope"]);
        let link = fixture.store.get_link("alice").await.unwrap().unwrap();
        assert_eq!(link.ms_user_id, "ms-object-id");
        assert!(fixture.states.pending.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_state_is_good_for_one_callback_only() {
        let fixture = fixture(false);
        let state = started(&fixture, SignInMode::Default).await;
        let first = fixture.flow.finish(approved(&state), deadline()).await;
        assert_eq!(first.unwrap(), "https://app.example.com/linked");
        for callback in [
            approved(&state),
            approved("never-issued"),
            approved("not a state/../"),
            Callback::default(),
        ] {
            let location = fixture.flow.finish(callback, deadline()).await.unwrap();
            assert_eq!(
                location,
                "https://app.example.com/failed?lang=en&f=state_invalid"
            );
        }
        assert_eq!(
            fixture.identity_platform.redemptions.lock().unwrap().len(),
            1
        );
    }

    #[tokio::test]
    async fn an_expired_or_unreadable_flow_is_state_invalid() {
        let fixture = fixture(false);
        let expired = started(&fixture, SignInMode::Default).await;
        fixture
            .states
            .pending
            .lock()
            .unwrap()
            .get_mut(&expired)
            .unwrap()
            .expires_at = now_epoch();
        let tampered = started(&fixture, SignInMode::Default).await;
        fixture
            .states
            .pending
            .lock()
            .unwrap()
            .get_mut(&tampered)
            .unwrap()
            .verifier
            .bytes[20] ^= 1;
        for state in [expired, tampered] {
            let location = fixture
                .flow
                .finish(approved(&state), deadline())
                .await
                .unwrap();
            assert!(location.ends_with("f=state_invalid"), "{location}");
        }
        assert!(
            fixture
                .identity_platform
                .redemptions
                .lock()
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn failures_land_on_the_failure_url_with_their_code() {
        let fixture = fixture(false);
        let denied = started(&fixture, SignInMode::Default).await;
        let callback = Callback {
            state: Some(denied.clone()),
            code: None,
            error: Some("access_denied".into()),
        };
        let location = fixture.flow.finish(callback, deadline()).await.unwrap();
        assert!(location.ends_with("f=access_denied"), "{location}");
        let replayed = fixture.flow.finish(approved(&denied), deadline()).await;
        assert!(replayed.unwrap().ends_with("f=state_invalid"));

        for (answer, expected) in [
            (
                TokenFailure::Rejected(TokenRejection {
                    status: 400,
                    error: "invalid_grant".into(),
                    error_codes: vec![501481],
                    suberror: None,
                }),
                "f=invalid_grant",
            ),
            (
                TokenFailure::Rejected(TokenRejection {
                    status: 401,
                    error: "invalid_client".into(),
                    error_codes: vec![7000215],
                    suberror: None,
                }),
                "f=invalid_client",
            ),
            (
                TokenFailure::Unavailable("HTTP 503".into()),
                "f=access_token_failed",
            ),
        ] {
            let state = started(&fixture, SignInMode::Default).await;
            fixture
                .identity_platform
                .code_answers
                .lock()
                .unwrap()
                .push(Err(answer));
            let location = fixture
                .flow
                .finish(approved(&state), deadline())
                .await
                .unwrap();
            assert!(location.ends_with(expected), "{location} vs {expected}");
        }
        assert!(fixture.store.links.lock().unwrap().is_empty());
    }
}
