//! The delegated sign-in (OAuth 2.0 authorization code with PKCE): `auth-start` stores a pending
//! sign-in under a fresh `state` and hands out Microsoft's authorize URL; `auth-callback` takes that
//! state exactly once, redeems the code with the stored verifier, checks that the expected account
//! signed in, and stores the outcome as a pending completion under a fresh `handle` that it hands
//! to the browser with the return URL. Nothing is linked here: `auth-complete`
//! ([`crate::sign_in::completion`]) links it, called by the application inside the session of the
//! user the sign-in was started for. No code, token, verifier, state or handle value is ever logged.

use crate::support::table_keys::{sign_in_completion_key, sign_in_state_key};
use std::sync::Arc;

use url::Url;

use crate::error::{ApiError, ErrorCode};
use crate::operations::graph_path::encode_segment;
use crate::settings::product_settings::Settings;
use crate::settings::provider::SettingsProvider;
use crate::sign_in::account_linker::{AccountLinker, LinkTokens};
use crate::sign_in::expected_account::ExpectedAccount;
use crate::sign_in::failure::SignInFailure;
use crate::sign_in::pending_completions::{
    COMPLETION_TTL_SECS, PENDING_ACCESS_PURPOSE, PENDING_REFRESH_PURPOSE, PendingCompletion,
    PendingCompletions,
};
use crate::sign_in::pending_states::{
    PendingSignIn, SIGN_IN_TTL_SECS, SignInStateStore, VERIFIER_PURPOSE,
};
use crate::sign_in::pkce::{CHALLENGE_METHOD, Pkce};
use crate::sign_in::prompt::Prompt;
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
    /// The account that must sign in: `login_hint` and `domain_hint` for Microsoft, checked at
    /// the callback.
    pub expected: ExpectedAccount,
    /// Passed to Microsoft as `prompt`.
    pub prompt: Option<Prompt>,
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

/// A `state` or `handle` value as the flow makes them (URL-safe base64); anything else is never
/// looked up.
pub fn is_well_formed_token(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
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
        TokenFailure::Throttled(seconds) => format!("token endpoint throttling for {seconds} s"),
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

/// `url` with `name=value` appended to its query (an existing query and fragment are kept).
fn with_query_pair(url: &str, name: &str, value: &str) -> Result<String, ApiError> {
    let mut url = Url::parse(url).map_err(|_| {
        ApiError::new(
            ErrorCode::ConfigurationInvalid,
            "the sign-in's return URL is not a URL",
        )
    })?;
    url.query_pairs_mut().append_pair(name, value);
    Ok(url.to_string())
}

/// The ports a [`SignInFlow`] works over.
pub struct SignInPorts {
    /// The settings.
    pub settings: SettingsProvider,
    /// Started sign-ins, waiting for Microsoft's callback.
    pub states: Arc<dyn SignInStateStore>,
    /// Redeemed sign-ins, waiting for `auth-complete`.
    pub completions: Arc<dyn PendingCompletions>,
    /// Microsoft's token endpoint.
    pub identity_platform: Arc<dyn IdentityPlatform>,
    /// Reads who signed in.
    pub linker: AccountLinker,
}

/// Starts sign-ins and receives Microsoft's callbacks.
pub struct SignInFlow {
    settings: SettingsProvider,
    states: Arc<dyn SignInStateStore>,
    completions: Arc<dyn PendingCompletions>,
    identity_platform: Arc<dyn IdentityPlatform>,
    linker: AccountLinker,
    login_base: Url,
}

impl SignInFlow {
    /// A flow over `ports`; `login_base` is the identity platform's origin
    /// (e.g. `https://login.microsoftonline.com`).
    pub fn new(ports: SignInPorts, login_base: Url) -> Self {
        Self {
            settings: ports.settings,
            states: ports.states,
            completions: ports.completions,
            identity_platform: ports.identity_platform,
            linker: ports.linker,
            login_base,
        }
    }

    /// Stores a pending sign-in for `request` and returns Microsoft's authorize URL for it. A
    /// `return_url` must be exactly one of the settings' `allowedReturnUrls` (or the `callbackUrl`).
    pub async fn start(&self, request: StartRequest) -> Result<StartedSignIn, ApiError> {
        let settings = self.settings.get().await?;
        let redirect_uri = required(&settings.redirect_uri, "redirectUri")?;
        required(&settings.failure_url, "failureUrl")?;
        let return_url = match request.return_url.clone() {
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
            &request,
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
            expected: request.expected,
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
        request: &StartRequest,
    ) -> Result<String, ApiError> {
        let endpoint = format!(
            "{}/{}/oauth2/v2.0/authorize",
            settings.cloud.login_origin_or(self.login_base.as_str()),
            encode_segment(&settings.tenant_id)
        );
        let mut url = Url::parse(&endpoint).map_err(|_| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                "the identity platform origin does not make a valid authorize URL",
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
            if let Some(hint) = &request.expected.login_hint {
                query.append_pair("login_hint", hint);
            }
            if let Some(tenant) = &request.expected.tenant_id {
                query.append_pair("domain_hint", tenant);
            }
            if let Some(prompt) = request.prompt {
                query.append_pair("prompt", prompt.as_str());
            }
        }
        Ok(url.to_string())
    }

    /// Receives the sign-in Microsoft called back about and returns where the browser goes next:
    /// the flow's return URL with `handle=<handle>` for `auth-complete`, or the settings' failure
    /// URL with `f=<code>`. Fails only when the settings cannot be read or lack the failure URL or
    /// redirect URI.
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
            .receive(&settings, redirect_uri, callback, deadline)
            .await
        {
            Ok((pending, handle)) => {
                tracing::info!(
                    app_user_id = %pending.app_user_id,
                    mode = pending.mode.as_str(),
                    "sign-in redeemed, waiting for auth-complete"
                );
                with_query_pair(&pending.return_url, "handle", &handle)
            }
            Err(Failed { failure, detail }) => {
                tracing::warn!(failure = failure.as_str(), detail, "sign-in failed");
                Ok(failure.location(&failure_url))
            }
        }
    }

    /// Takes the state, redeems the code, checks who signed in and stores the pending completion;
    /// returns the started sign-in and the completion's handle.
    async fn receive(
        &self,
        settings: &Settings,
        redirect_uri: &str,
        callback: Callback,
        deadline: Deadline,
    ) -> Result<(PendingSignIn, String), Failed> {
        let state = callback
            .state
            .filter(|state| is_well_formed_token(state))
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
        let link_error =
            |error: ApiError| failed(SignInFailure::of_link_error(&error), error.to_string());
        let tokens = LinkTokens::of_grant(&grant).map_err(link_error)?;
        let account = self
            .linker
            .read_account(&grant, settings.cloud, deadline)
            .await
            .map_err(link_error)?;
        if let Some(why) = pending.expected.mismatch(&account) {
            return Err(failed(SignInFailure::AccountMismatch, why));
        }
        let handle = random_token();
        let owner = sign_in_completion_key(&handle);
        let cipher = TokenCipher::new(&settings.encryption_keys);
        let completion = PendingCompletion {
            app_user_id: pending.app_user_id.clone(),
            mode: pending.mode,
            account,
            refresh_token: cipher.seal(&tokens.refresh_token, PENDING_REFRESH_PURPOSE, &owner),
            access_token: cipher.seal(&tokens.access_token, PENDING_ACCESS_PURPOSE, &owner),
            access_expires_at: tokens.access_expires_at,
            scopes: tokens.scopes,
            expires_at: now_epoch() + COMPLETION_TTL_SECS,
        };
        self.completions
            .put(&handle, &completion)
            .await
            .map_err(link_error)?;
        Ok((pending, handle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::pkce::challenge_of;
    use crate::test_util::{
        FixedSettings, MemoryCompletions, MemorySignInStates, MemoryStore, RecordingGraph,
        ScriptedIdentityPlatform, id_token,
    };
    use crate::tokens::identity_platform::TokenRejection;
    use serde_json::json;
    use std::collections::HashMap;
    use std::time::Duration;

    const REDIRECT_URI: &str = "https://api.example.com/auth/callback";
    const TENANT: &str = "6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40";
    const LINKED: &str = "https://app.example.com/linked";

    struct Fixture {
        flow: SignInFlow,
        states: Arc<MemorySignInStates>,
        completions: Arc<MemoryCompletions>,
        identity_platform: Arc<ScriptedIdentityPlatform>,
        store: Arc<MemoryStore>,
        settings: Settings,
    }

    fn fixture(override_default: bool) -> Fixture {
        let settings = json!({
            "clientId": "client-1",
            "clientSecret": "s3cr3t",
            "tenantId": "organizations",
            "redirectUri": REDIRECT_URI,
            "callbackUrl": LINKED,
            "failureUrl": "https://app.example.com/failed?lang=en",
            "allowedReturnUrls": ["https://app.example.com/welcome"],
            "scopes": {"default": ["Calendars.ReadWrite"], "dev": ["Calendars.Read"], "overrideDefault": override_default},
            "tokenEncryptionKeys": {"active": "k1", "keys": {"k1": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}}
        });
        let states = Arc::new(MemorySignInStates::default());
        let completions = Arc::new(MemoryCompletions::default());
        let identity_platform = Arc::new(ScriptedIdentityPlatform::default());
        let store = Arc::new(MemoryStore::default());
        let flow = SignInFlow::new(
            SignInPorts {
                settings: SettingsProvider::new(
                    Arc::new(FixedSettings(settings.to_string())),
                    Duration::from_secs(60),
                ),
                states: states.clone(),
                completions: completions.clone(),
                identity_platform: identity_platform.clone(),
                linker: AccountLinker::new(store.clone(), Arc::new(RecordingGraph::default())),
            },
            Url::parse("https://login.example.com").unwrap(),
        );
        Fixture {
            flow,
            states,
            completions,
            identity_platform,
            store,
            settings: Settings::parse(&settings.to_string()).unwrap(),
        }
    }

    fn start_request(mode: SignInMode, return_url: Option<&str>) -> StartRequest {
        StartRequest {
            app_user_id: "alice".into(),
            mode,
            return_url: return_url.map(String::from),
            expected: ExpectedAccount::default(),
            prompt: None,
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
    async fn started(fixture: &Fixture, request: StartRequest) -> String {
        let started = fixture.flow.start(request).await.unwrap();
        query_of(&started.authorize_url)["state"].clone()
    }

    fn approved(state: &str) -> Callback {
        Callback {
            state: Some(state.into()),
            code: Some(Secret::new("the-code")),
            error: None,
        }
    }

    /// The next code redemption answers a grant whose id token names `TENANT`.
    fn next_grant_in_tenant(fixture: &Fixture) {
        let mut grant = crate::test_util::grant(9, &["User.Read"]);
        grant.id_token = Some(id_token(TENANT));
        fixture
            .identity_platform
            .code_answers
            .lock()
            .unwrap()
            .push(Ok(grant));
    }

    #[tokio::test]
    async fn start_builds_the_authorize_url_and_stores_the_flow() {
        let fixture = fixture(false);
        let mut request = start_request(SignInMode::Default, None);
        request.expected = ExpectedAccount {
            login_hint: Some("adele@contoso.com".into()),
            tenant_id: Some(TENANT.into()),
        };
        request.prompt = Some(Prompt::SelectAccount);
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
        assert_eq!(query["domain_hint"], TENANT);
        assert_eq!(query["prompt"], "select_account");

        let pending = fixture.states.pending.lock().unwrap()[&query["state"]].clone();
        assert_eq!(pending.app_user_id, "alice");
        assert_eq!(pending.return_url, LINKED);
        assert_eq!(pending.expires_at, started.expires_at);
        assert_eq!(
            pending.expected.login_hint.as_deref(),
            Some("adele@contoso.com")
        );
        assert!(started.expires_at > now_epoch() + SIGN_IN_TTL_SECS - 5);

        let plain = fixture
            .flow
            .start(start_request(SignInMode::Default, None))
            .await
            .unwrap();
        let query = query_of(&plain.authorize_url);
        for absent in ["login_hint", "domain_hint", "prompt"] {
            assert!(!query.contains_key(absent), "{absent}");
        }
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
        for allowed in ["https://app.example.com/welcome", LINKED] {
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
    async fn the_callback_redeems_with_the_verifier_and_links_nothing_yet() {
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
        assert!(
            location.starts_with(&format!("{LINKED}?handle=")),
            "{location}"
        );
        let handle = query_of(&location)["handle"].clone();
        assert!(is_well_formed_token(&handle));
        assert_ne!(handle, query["state"]);

        let redemption = fixture.identity_platform.redemptions.lock().unwrap()[0].clone();
        assert_eq!(redemption.code, "the-code");
        assert_eq!(
            challenge_of(&Secret::new(redemption.verifier)),
            query["code_challenge"]
        );
        assert_eq!(redemption.redirect_uri, REDIRECT_URI);
        assert_eq!(redemption.scopes.join(" "), query["scope"]);
        assert!(fixture.states.pending.lock().unwrap().is_empty());
        assert!(
            fixture.store.links.lock().unwrap().is_empty(),
            "nothing is linked before auth-complete"
        );

        let completion = fixture.completions.pending.lock().unwrap()[&handle].clone();
        assert_eq!(completion.app_user_id, "alice");
        assert_eq!(completion.account.ms_user_id, "ms-object-id");
        assert!(completion.expires_at <= now_epoch() + COMPLETION_TTL_SECS);
        let cipher = TokenCipher::new(&fixture.settings.encryption_keys);
        let owner = sign_in_completion_key(&handle);
        let refresh = cipher
            .open(&completion.refresh_token, PENDING_REFRESH_PURPOSE, &owner)
            .unwrap();
        assert!(refresh.expose().starts_with("refresh-"));
        assert!(
            cipher
                .open(
                    &completion.refresh_token,
                    PENDING_REFRESH_PURPOSE,
                    "link#alice"
                )
                .is_err(),
            "bound to the completion"
        );
    }

    #[tokio::test]
    async fn a_state_is_good_for_one_callback_only() {
        let fixture = fixture(false);
        let state = started(&fixture, start_request(SignInMode::Default, None)).await;
        let first = fixture.flow.finish(approved(&state), deadline()).await;
        assert!(first.unwrap().starts_with(LINKED));
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
        assert_eq!(fixture.completions.pending.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_expired_or_unreadable_flow_is_state_invalid() {
        let fixture = fixture(false);
        let expired = started(&fixture, start_request(SignInMode::Default, None)).await;
        fixture
            .states
            .pending
            .lock()
            .unwrap()
            .get_mut(&expired)
            .unwrap()
            .expires_at = now_epoch();
        let tampered = started(&fixture, start_request(SignInMode::Default, None)).await;
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
    async fn another_account_than_expected_is_account_mismatch() {
        let fixture = fixture(false);
        let expect = |login_hint: Option<&str>, tenant_id: Option<&str>| {
            let mut request = start_request(SignInMode::Default, None);
            request.expected = ExpectedAccount {
                login_hint: login_hint.map(String::from),
                tenant_id: tenant_id.map(String::from),
            };
            request
        };
        // RecordingGraph's /me is adele@contoso.com; the grant's id token names TENANT.
        for (request, expected) in [
            (
                expect(Some("alexw@contoso.com"), None),
                "f=account_mismatch",
            ),
            (
                expect(None, Some("11111111-1111-1111-1111-111111111111")),
                "f=account_mismatch",
            ),
            (expect(Some("ADELE@contoso.com"), Some(TENANT)), "handle="),
        ] {
            let state = started(&fixture, request).await;
            next_grant_in_tenant(&fixture);
            let location = fixture
                .flow
                .finish(approved(&state), deadline())
                .await
                .unwrap();
            assert!(location.contains(expected), "{location} vs {expected}");
        }
        assert_eq!(
            fixture.completions.pending.lock().unwrap().len(),
            1,
            "only the expected account's sign-in is kept"
        );
    }

    #[tokio::test]
    async fn failures_land_on_the_failure_url_with_their_code() {
        let fixture = fixture(false);
        let denied = started(&fixture, start_request(SignInMode::Default, None)).await;
        let callback = Callback {
            state: Some(denied.clone()),
            code: None,
            error: Some("access_denied".into()),
        };
        let location = fixture.flow.finish(callback, deadline()).await.unwrap();
        assert!(location.ends_with("f=access_denied"), "{location}");
        let replayed = fixture.flow.finish(approved(&denied), deadline()).await;
        assert!(replayed.unwrap().ends_with("f=state_invalid"));

        let mut no_refresh_token = crate::test_util::grant(1, &["User.Read"]);
        no_refresh_token.refresh_token = None;
        for (answer, expected) in [
            (
                Err(TokenFailure::Rejected(TokenRejection {
                    status: 400,
                    error: "invalid_grant".into(),
                    error_codes: vec![501481],
                    suberror: None,
                })),
                "f=invalid_grant",
            ),
            (
                Err(TokenFailure::Rejected(TokenRejection {
                    status: 401,
                    error: "invalid_client".into(),
                    error_codes: vec![7000215],
                    suberror: None,
                })),
                "f=invalid_client",
            ),
            (
                Err(TokenFailure::Unavailable("HTTP 503".into())),
                "f=access_token_failed",
            ),
            (Ok(no_refresh_token), "f=access_token_failed"),
        ] {
            let state = started(&fixture, start_request(SignInMode::Default, None)).await;
            fixture
                .identity_platform
                .code_answers
                .lock()
                .unwrap()
                .push(answer);
            let location = fixture
                .flow
                .finish(approved(&state), deadline())
                .await
                .unwrap();
            assert!(location.ends_with(expected), "{location} vs {expected}");
        }
        assert!(fixture.store.links.lock().unwrap().is_empty());
        assert!(fixture.completions.pending.lock().unwrap().is_empty());
    }
}
