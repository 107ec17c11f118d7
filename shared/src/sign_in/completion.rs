//! `auth-complete`: the last step of a sign-in, and the only one that links. `auth-callback` left
//! the redeemed sign-in under a single-use `handle` and sent the browser to the application with
//! it; the application's backend, inside its own session of the user that browser belongs to,
//! calls `auth-complete` with that user's id and the handle. The pending completion is taken (once)
//! and linked only when it was started for that same application user: a sign-in started by one
//! application user and finished in another user's browser (login CSRF, a leaked authorize URL)
//! is refused with `SignInUserMismatch` and discarded.

use std::sync::Arc;

use crate::error::{ApiError, ErrorCode};
use crate::settings::provider::SettingsProvider;
use crate::sign_in::account_claims::MsAccountId;
use crate::sign_in::account_linker::{AccountLinker, LinkTokens};
use crate::sign_in::account_uniqueness::AccountUniqueness;
use crate::sign_in::flow::is_well_formed_token;
use crate::sign_in::pending_completions::{
    PENDING_ACCESS_PURPOSE, PENDING_REFRESH_PURPOSE, PendingCompletions,
};
use crate::support::clock::now_epoch;
use crate::support::table_keys::sign_in_completion_key;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::store::{Link, TokenStore};

/// A validated `auth-complete` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteRequest {
    /// The application user of the session the browser arrived in.
    pub app_user_id: String,
    /// The `handle` the browser arrived with.
    pub handle: String,
}

fn handle_invalid(message: &str) -> ApiError {
    ApiError::new(ErrorCode::SignInHandleInvalid, message)
}

/// Completes sign-ins.
pub struct SignInCompletion {
    settings: SettingsProvider,
    completions: Arc<dyn PendingCompletions>,
    store: Arc<dyn TokenStore>,
    linker: AccountLinker,
    uniqueness: AccountUniqueness,
}

impl SignInCompletion {
    /// Completions taken from `completions`, linked into `store` through `linker`, with accounts
    /// claimed through `uniqueness` when the settings ask for one link per Microsoft account.
    pub fn new(
        settings: SettingsProvider,
        completions: Arc<dyn PendingCompletions>,
        store: Arc<dyn TokenStore>,
        linker: AccountLinker,
        uniqueness: AccountUniqueness,
    ) -> Self {
        Self {
            settings,
            completions,
            store,
            linker,
            uniqueness,
        }
    }

    /// Takes the pending completion `request.handle` names and links it to
    /// `request.app_user_id`. Refused: `SignInHandleInvalid` (malformed, unknown, used, expired or
    /// unreadable), `SignInUserMismatch` (started for another application user; discarded),
    /// `AccountAlreadyLinked` (`oneLinkPerMicrosoftAccount` and another application user holds
    /// the account; discarded). Every refusal uses the handle up.
    pub async fn complete(&self, request: CompleteRequest) -> Result<Link, ApiError> {
        let settings = self.settings.get().await?;
        if !is_well_formed_token(&request.handle) {
            return Err(handle_invalid("`handle` is not one auth-callback issued"));
        }
        let pending = self
            .completions
            .take(&request.handle)
            .await?
            .ok_or_else(|| handle_invalid("the handle is unknown, already used or expired"))?;
        if pending.expires_at <= now_epoch() {
            return Err(handle_invalid(
                "the handle expired: the user must sign in again",
            ));
        }
        if pending.app_user_id != request.app_user_id {
            tracing::warn!(
                app_user_id = %request.app_user_id,
                "sign-in refused: it was started for another application user, discarded"
            );
            return Err(ApiError::new(
                ErrorCode::SignInUserMismatch,
                "this sign-in was started for another application user; it was discarded",
            ));
        }
        let owner = sign_in_completion_key(&request.handle);
        let cipher = TokenCipher::new(&settings.encryption_keys);
        let open = |sealed, purpose| {
            cipher.open(sealed, purpose, &owner).map_err(|_| {
                handle_invalid("the sign-in can no longer be read: the user must sign in again")
            })
        };
        let tokens = LinkTokens {
            refresh_token: open(&pending.refresh_token, PENDING_REFRESH_PURPOSE)?,
            access_token: open(&pending.access_token, PENDING_ACCESS_PURPOSE)?,
            access_expires_at: pending.access_expires_at,
            scopes: pending.scopes,
        };
        let account = MsAccountId {
            tenant_id: pending.account.tenant_id.clone().unwrap_or_default(),
            ms_user_id: pending.account.ms_user_id.clone(),
        };
        if settings.one_link_per_microsoft_account {
            self.uniqueness
                .claim(&account, &request.app_user_id)
                .await
                .inspect_err(|error| {
                    tracing::warn!(error = %error, "sign-in refused");
                })?;
        }
        let previous = self.store.get_link(&request.app_user_id).await?;
        let link = self
            .linker
            .store(
                &settings,
                &request.app_user_id,
                tokens,
                pending.account,
                previous.as_ref(),
            )
            .await?;
        if let Some(previous) = previous.map(|link| MsAccountId::of_link(&link))
            && !previous.same_as(&account)
            && let Err(error) = self
                .uniqueness
                .release(&previous, &request.app_user_id)
                .await
        {
            // The claim is stale now (its holder links another account): a later claim takes it over.
            tracing::warn!(error = %error, "the previous Microsoft account's claim was not released");
        }
        tracing::info!(
            app_user_id = %request.app_user_id,
            mode = pending.mode.as_str(),
            "sign-in linked"
        );
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::pending_completions::{COMPLETION_TTL_SECS, PendingCompletion};
    use crate::sign_in::scopes::SignInMode;
    use crate::sign_in::signed_in_account::SignedInAccount;
    use crate::support::secret::Secret;
    use crate::test_util::{
        FixedSettings, MemoryAccountClaims, MemoryCompletions, MemoryStore, RecordingGraph,
    };
    use serde_json::json;
    use std::time::Duration;

    const KEY: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

    struct Fixture {
        completion: SignInCompletion,
        completions: Arc<MemoryCompletions>,
        claims: Arc<MemoryAccountClaims>,
        store: Arc<MemoryStore>,
        settings: crate::settings::product_settings::Settings,
    }

    fn fixture(one_link_per_account: bool) -> Fixture {
        let settings = json!({
            "clientId": "client-1",
            "clientSecret": "s3cr3t",
            "tenantId": "organizations",
            "oneLinkPerMicrosoftAccount": one_link_per_account,
            "tokenEncryptionKeys": {"active": "k1", "keys": {"k1": KEY}}
        });
        let completions = Arc::new(MemoryCompletions::default());
        let claims = Arc::new(MemoryAccountClaims::default());
        let store = Arc::new(MemoryStore::default());
        Fixture {
            completion: SignInCompletion::new(
                SettingsProvider::new(
                    Arc::new(FixedSettings(settings.to_string())),
                    Duration::from_secs(60),
                ),
                completions.clone(),
                store.clone(),
                AccountLinker::new(store.clone(), Arc::new(RecordingGraph::default())),
                AccountUniqueness::new(claims.clone(), store.clone()),
            ),
            completions,
            claims,
            store,
            settings: crate::settings::product_settings::Settings::parse(&settings.to_string())
                .unwrap(),
        }
    }

    /// Stores what auth-callback would for a sign-in started for `app_user_id` in which
    /// `ms_user_id` signed in; returns the handle.
    fn pending(fixture: &Fixture, app_user_id: &str, ms_user_id: &str) -> String {
        let handle = crate::support::random_token::random_token();
        let owner = sign_in_completion_key(&handle);
        let cipher = TokenCipher::new(&fixture.settings.encryption_keys);
        let completion = PendingCompletion {
            app_user_id: app_user_id.into(),
            mode: SignInMode::Default,
            account: SignedInAccount {
                ms_user_id: ms_user_id.into(),
                tenant_id: Some("t-1".into()),
                user_principal_name: Some(format!("{ms_user_id}@contoso.com")),
                preferred_username: None,
            },
            refresh_token: cipher.seal(
                &Secret::new(format!("refresh-of-{ms_user_id}")),
                PENDING_REFRESH_PURPOSE,
                &owner,
            ),
            access_token: cipher.seal(&Secret::new("access"), PENDING_ACCESS_PURPOSE, &owner),
            access_expires_at: now_epoch() + 3600,
            scopes: vec!["User.Read".into()],
            expires_at: now_epoch() + COMPLETION_TTL_SECS,
        };
        fixture
            .completions
            .pending
            .lock()
            .unwrap()
            .insert(handle.clone(), completion);
        handle
    }

    fn request(app_user_id: &str, handle: &str) -> CompleteRequest {
        CompleteRequest {
            app_user_id: app_user_id.into(),
            handle: handle.into(),
        }
    }

    fn code<T: std::fmt::Debug>(result: Result<T, ApiError>) -> ErrorCode {
        result.unwrap_err().code().unwrap()
    }

    #[tokio::test]
    async fn links_the_user_it_was_started_for_once() {
        let fixture = fixture(false);
        let handle = pending(&fixture, "alice", "adele");
        let link = fixture
            .completion
            .complete(request("alice", &handle))
            .await
            .unwrap();
        assert_eq!(link.ms_user_id, "adele");
        assert_eq!(link.ms_tenant_id.as_deref(), Some("t-1"));
        let stored = fixture.store.get_link("alice").await.unwrap().unwrap();
        let refresh = TokenCipher::new(&fixture.settings.encryption_keys)
            .open(
                &stored.refresh_token,
                crate::tokens::delegated_tokens::REFRESH_PURPOSE,
                "link#alice",
            )
            .unwrap();
        assert_eq!(refresh.expose(), "refresh-of-adele");
        assert_eq!(
            code(fixture.completion.complete(request("alice", &handle)).await),
            ErrorCode::SignInHandleInvalid,
            "single use"
        );
    }

    #[tokio::test]
    async fn another_users_session_is_refused_and_the_sign_in_discarded() {
        let fixture = fixture(false);
        let handle = pending(&fixture, "mallory", "adele");
        assert_eq!(
            code(fixture.completion.complete(request("alice", &handle)).await),
            ErrorCode::SignInUserMismatch
        );
        assert_eq!(
            code(
                fixture
                    .completion
                    .complete(request("mallory", &handle))
                    .await
            ),
            ErrorCode::SignInHandleInvalid,
            "discarded"
        );
        assert!(fixture.store.links.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn malformed_unknown_expired_and_unreadable_handles_are_invalid() {
        let fixture = fixture(false);
        let expired = pending(&fixture, "alice", "adele");
        fixture
            .completions
            .pending
            .lock()
            .unwrap()
            .get_mut(&expired)
            .unwrap()
            .expires_at = now_epoch();
        let tampered = pending(&fixture, "alice", "adele");
        fixture
            .completions
            .pending
            .lock()
            .unwrap()
            .get_mut(&tampered)
            .unwrap()
            .refresh_token
            .bytes[15] ^= 1;
        for handle in [
            expired.as_str(),
            tampered.as_str(),
            "never-issued",
            "a/b",
            "",
        ] {
            assert_eq!(
                code(fixture.completion.complete(request("alice", handle)).await),
                ErrorCode::SignInHandleInvalid,
                "{handle}"
            );
        }
        assert!(fixture.store.links.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn one_link_per_account_refuses_a_second_user_until_revoked_or_relinked() {
        let fixture = fixture(true);
        let first = pending(&fixture, "alice", "adele");
        fixture
            .completion
            .complete(request("alice", &first))
            .await
            .unwrap();
        let second = pending(&fixture, "bob", "adele");
        assert_eq!(
            code(fixture.completion.complete(request("bob", &second)).await),
            ErrorCode::AccountAlreadyLinked
        );
        assert!(fixture.store.get_link("bob").await.unwrap().is_none());
        // Alice signs in again with the same account: allowed.
        let again = pending(&fixture, "alice", "adele");
        fixture
            .completion
            .complete(request("alice", &again))
            .await
            .unwrap();
        // Alice links another account: Adele's is free for Bob.
        let other = pending(&fixture, "alice", "alex");
        fixture
            .completion
            .complete(request("alice", &other))
            .await
            .unwrap();
        let adele = MsAccountId {
            tenant_id: "t-1".into(),
            ms_user_id: "adele".into(),
        };
        assert_eq!(fixture.claims.holder_id(&adele), None);
        let retry = pending(&fixture, "bob", "adele");
        fixture
            .completion
            .complete(request("bob", &retry))
            .await
            .unwrap();
        assert_eq!(fixture.claims.holder_id(&adele).as_deref(), Some("bob"));
    }

    #[tokio::test]
    async fn without_the_setting_two_users_may_link_one_account() {
        let fixture = fixture(false);
        for user in ["alice", "bob"] {
            let handle = pending(&fixture, user, "adele");
            fixture
                .completion
                .complete(request(user, &handle))
                .await
                .unwrap();
        }
        assert_eq!(fixture.store.links.lock().unwrap().len(), 2);
    }
}
