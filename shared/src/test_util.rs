//! In-memory fakes of the ports, for unit tests only (integration tests use moto and the simulator).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use base64::Engine;

use crate::error::ApiError;
use crate::keeper::due_links::{DueLink, DueLinks, DuePage};
use crate::keeper::schedule::KeeperSchedule;
use crate::operations::graph_api::{GraphApi, GraphCall, GraphResponse};
use crate::settings::product_settings::{EncryptionKeys, ScopeSettings, Settings};
use crate::settings::provider::SettingsSource;
use crate::sign_in::account_claims::{AccountClaim, AccountClaims, MsAccountId};
use crate::sign_in::pending_completions::{PendingCompletion, PendingCompletions};
use crate::sign_in::pending_states::{PendingSignIn, SignInStateStore};
use crate::support::deadline::Deadline;
use crate::support::secret::Secret;
use crate::tokens::cipher::Sealed;
use crate::tokens::identity_platform::{IdentityPlatform, TokenFailure, TokenGrant};
use crate::tokens::store::{AppTokenRecord, Link, LinkStatus, TokenStore};

/// Settings with one zero key.
pub fn settings() -> Settings {
    Settings {
        client_id: "client".into(),
        client_secret: Secret::new("client-secret-value"),
        tenant_id: "common".into(),
        app_tenant_id: Some("22222222-2222-2222-2222-222222222222".into()),
        redirect_uri: None,
        callback_url: None,
        failure_url: None,
        allowed_return_urls: Vec::new(),
        scopes: ScopeSettings::default(),
        encryption_keys: EncryptionKeys {
            active: "k1".into(),
            keys: [("k1".to_string(), [7u8; 32])].into_iter().collect(),
        },
        one_link_per_microsoft_account: false,
        cloud: crate::settings::cloud::Cloud::Global,
    }
}

/// A settings source answering fixed JSON text.
pub struct FixedSettings(pub String);

#[async_trait]
impl SettingsSource for FixedSettings {
    async fn fetch(&self) -> Result<String, ApiError> {
        Ok(self.0.clone())
    }
}

/// A token store in a map, with the keeper index computed from the links.
#[derive(Default)]
pub struct MemoryStore {
    /// Links by application user id.
    pub links: Mutex<HashMap<String, Link>>,
    /// Application tokens by key.
    pub app_tokens: Mutex<HashMap<String, AppTokenRecord>>,
    /// Number of link reads.
    pub link_reads: AtomicUsize,
    /// Shards and due times of valid links, as the DynamoDB store derives them.
    pub schedule: KeeperSchedule,
    /// Due times set by `defer_link`, until the link is written again.
    pub deferred: Mutex<HashMap<String, i64>>,
    /// Links listed by the keeper index so far.
    pub listed_due: AtomicUsize,
}

impl MemoryStore {
    /// When `link` is due by the keeper index; `None` when it is not in the index (invalid).
    fn index_due_at(&self, link: &Link) -> Option<i64> {
        if link.status != LinkStatus::Valid {
            return None;
        }
        let deferred = self
            .deferred
            .lock()
            .unwrap()
            .get(&link.app_user_id)
            .copied();
        Some(deferred.unwrap_or_else(|| self.schedule.due_at(link.last_refresh_at)))
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn get_link(&self, app_user_id: &str) -> Result<Option<Link>, ApiError> {
        self.link_reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.links.lock().unwrap().get(app_user_id).cloned())
    }
    async fn put_link(&self, link: &Link) -> Result<(), ApiError> {
        self.deferred.lock().unwrap().remove(&link.app_user_id);
        self.links
            .lock()
            .unwrap()
            .insert(link.app_user_id.clone(), link.clone());
        Ok(())
    }
    async fn replace_link_if_version(
        &self,
        link: &Link,
        expected_version: u64,
    ) -> Result<bool, ApiError> {
        let mut links = self.links.lock().unwrap();
        match links.get(&link.app_user_id) {
            Some(stored) if stored.version == expected_version => {
                self.deferred.lock().unwrap().remove(&link.app_user_id);
                links.insert(link.app_user_id.clone(), link.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    async fn defer_link(
        &self,
        app_user_id: &str,
        expected_version: u64,
        due_at: i64,
    ) -> Result<bool, ApiError> {
        let links = self.links.lock().unwrap();
        match links.get(app_user_id) {
            Some(stored)
                if stored.version == expected_version && stored.status == LinkStatus::Valid =>
            {
                self.deferred
                    .lock()
                    .unwrap()
                    .insert(app_user_id.to_string(), due_at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    async fn delete_link(&self, app_user_id: &str) -> Result<(), ApiError> {
        self.links.lock().unwrap().remove(app_user_id);
        Ok(())
    }
    async fn get_app_token(&self, key: &str) -> Result<Option<AppTokenRecord>, ApiError> {
        Ok(self.app_tokens.lock().unwrap().get(key).cloned())
    }
    async fn put_app_token(&self, key: &str, record: &AppTokenRecord) -> Result<(), ApiError> {
        self.app_tokens
            .lock()
            .unwrap()
            .insert(key.into(), record.clone());
        Ok(())
    }
    async fn delete_app_token(&self, key: &str) -> Result<(), ApiError> {
        self.app_tokens.lock().unwrap().remove(key);
        Ok(())
    }
}

#[async_trait]
impl DueLinks for MemoryStore {
    async fn due_page(
        &self,
        shard: &str,
        now: i64,
        after: Option<&DueLink>,
        limit: u32,
    ) -> Result<DuePage, ApiError> {
        let links: Vec<Link> = self.links.lock().unwrap().values().cloned().collect();
        let mut due: Vec<DueLink> = links
            .iter()
            .filter(|link| self.schedule.shard_of(&link.app_user_id) == shard)
            .filter_map(|link| {
                let due_at = self.index_due_at(link).filter(|due_at| *due_at <= now)?;
                Some(DueLink {
                    app_user_id: link.app_user_id.clone(),
                    due_at,
                })
            })
            .collect();
        due.sort_by(|a, b| (a.due_at, &a.app_user_id).cmp(&(b.due_at, &b.app_user_id)));
        if let Some(after) = after {
            due.retain(|link| {
                (link.due_at, &link.app_user_id) > (after.due_at, &after.app_user_id)
            });
        }
        let more = due.len() > limit as usize;
        due.truncate(limit as usize);
        self.listed_due.fetch_add(due.len(), Ordering::SeqCst);
        Ok(DuePage { links: due, more })
    }
}

/// An identity platform that answers from a script and counts requests.
#[derive(Default)]
pub struct ScriptedIdentityPlatform {
    /// Answers for refresh requests, taken in order; when empty, a fresh grant is issued.
    pub refresh_answers: Mutex<Vec<Result<TokenGrant, TokenFailure>>>,
    /// Refresh requests made.
    pub refreshes: AtomicUsize,
    /// Client credentials requests made.
    pub client_credentials: AtomicUsize,
    /// Refresh tokens presented, in order.
    pub presented: Mutex<Vec<String>>,
    /// The claims challenge passed with each client credentials and refresh request, in order.
    pub claims: Mutex<Vec<Option<String>>>,
    /// Answers for code redemptions, taken in order; when empty, a grant for the asked scopes is issued.
    pub code_answers: Mutex<Vec<Result<TokenGrant, TokenFailure>>>,
    /// Code redemptions made, in order.
    pub redemptions: Mutex<Vec<Redemption>>,
}

/// One authorization code redemption [`ScriptedIdentityPlatform`] received.
#[derive(Debug, Clone)]
pub struct Redemption {
    /// The code.
    pub code: String,
    /// The PKCE verifier.
    pub verifier: String,
    /// The redirect URI.
    pub redirect_uri: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
}

/// A grant whose tokens carry a sequence number.
pub fn grant(n: usize, scopes: &[&str]) -> TokenGrant {
    TokenGrant {
        access_token: Secret::new(format!("access-{n}")),
        refresh_token: Some(Secret::new(format!("refresh-{n}"))),
        expires_in: 3600,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        id_token: None,
    }
}

#[async_trait]
impl IdentityPlatform for ScriptedIdentityPlatform {
    async fn client_credentials(
        &self,
        _: &Settings,
        _: &str,
        claims_challenge: Option<&str>,
        _: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let n = self.client_credentials.fetch_add(1, Ordering::SeqCst) + 1;
        self.claims
            .lock()
            .unwrap()
            .push(claims_challenge.map(String::from));
        tokio::task::yield_now().await;
        Ok(TokenGrant {
            refresh_token: None,
            ..grant(n, &[])
        })
    }
    async fn refresh(
        &self,
        _: &Settings,
        _: &str,
        token: &Secret,
        scopes: &[String],
        claims_challenge: Option<&str>,
        _: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        self.claims
            .lock()
            .unwrap()
            .push(claims_challenge.map(String::from));
        self.presented
            .lock()
            .unwrap()
            .push(token.expose().to_string());
        tokio::task::yield_now().await;
        let scripted = {
            let mut answers = self.refresh_answers.lock().unwrap();
            if answers.is_empty() {
                None
            } else {
                Some(answers.remove(0))
            }
        };
        scripted.unwrap_or_else(|| {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            Ok(grant(100 + n, &scopes))
        })
    }
    async fn redeem_code(
        &self,
        _: &Settings,
        code: &Secret,
        verifier: &Secret,
        redirect_uri: &str,
        scopes: &[String],
        _: Deadline,
    ) -> Result<TokenGrant, TokenFailure> {
        let n = {
            let mut redemptions = self.redemptions.lock().unwrap();
            redemptions.push(Redemption {
                code: code.expose().to_string(),
                verifier: verifier.expose().to_string(),
                redirect_uri: redirect_uri.to_string(),
                scopes: scopes.to_vec(),
            });
            redemptions.len()
        };
        let mut answers = self.code_answers.lock().unwrap();
        if answers.is_empty() {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            Ok(grant(200 + n, &scopes))
        } else {
            answers.remove(0)
        }
    }
}

/// A Graph that records calls and answers `{"id": ...}` for `/me`, `{"ok": true}` otherwise.
#[derive(Default)]
pub struct RecordingGraph {
    /// Calls received: method, path and the token used.
    pub calls: Mutex<Vec<(String, String, String)>>,
}

#[async_trait]
impl GraphApi for RecordingGraph {
    async fn send(&self, call: &GraphCall, _: Deadline) -> Result<GraphResponse, ApiError> {
        self.calls.lock().unwrap().push((
            call.method.as_str().to_string(),
            call.path.clone(),
            call.access_token.expose().to_string(),
        ));
        let body = if call.path == "/me" {
            serde_json::json!({"id": "ms-object-id", "userPrincipalName": "adele@contoso.com"})
        } else {
            serde_json::json!({"ok": true})
        };
        Ok(GraphResponse::json(200, body))
    }
}

/// Pending sign-ins in a map.
#[derive(Default)]
pub struct MemorySignInStates {
    /// Pending sign-ins by state.
    pub pending: Mutex<HashMap<String, PendingSignIn>>,
}

#[async_trait]
impl SignInStateStore for MemorySignInStates {
    async fn put(&self, state: &str, pending: &PendingSignIn) -> Result<(), ApiError> {
        self.pending
            .lock()
            .unwrap()
            .insert(state.to_string(), pending.clone());
        Ok(())
    }
    async fn take(&self, state: &str) -> Result<Option<PendingSignIn>, ApiError> {
        Ok(self.pending.lock().unwrap().remove(state))
    }
}

/// An id token carrying `tid`.
pub fn id_token(tid: &str) -> Secret {
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"tid\":\"{tid}\"}}"));
    Secret::new(format!("h.{payload}.s"))
}

/// Redeemed sign-ins waiting for `auth-complete`, in a map.
#[derive(Default)]
pub struct MemoryCompletions {
    /// Pending completions by handle.
    pub pending: Mutex<HashMap<String, PendingCompletion>>,
}

#[async_trait]
impl PendingCompletions for MemoryCompletions {
    async fn put(&self, handle: &str, pending: &PendingCompletion) -> Result<(), ApiError> {
        self.pending
            .lock()
            .unwrap()
            .insert(handle.to_string(), pending.clone());
        Ok(())
    }
    async fn take(&self, handle: &str) -> Result<Option<PendingCompletion>, ApiError> {
        Ok(self.pending.lock().unwrap().remove(handle))
    }
}

/// Claims on Microsoft accounts in a map, keyed as the table keys them.
#[derive(Default)]
pub struct MemoryAccountClaims {
    claims: Mutex<HashMap<String, AccountClaim>>,
}

fn claim_key(account: &MsAccountId) -> String {
    crate::support::table_keys::account_claim_key(&account.tenant_id, &account.ms_user_id)
}

impl MemoryAccountClaims {
    /// Stores `claim` on `account`, whatever was there.
    pub fn set(&self, account: &MsAccountId, claim: AccountClaim) {
        self.claims
            .lock()
            .unwrap()
            .insert(claim_key(account), claim);
    }

    /// The application user holding `account`, if any.
    pub fn holder_id(&self, account: &MsAccountId) -> Option<String> {
        self.claims
            .lock()
            .unwrap()
            .get(&claim_key(account))
            .map(|claim| claim.app_user_id.clone())
    }
}

#[async_trait]
impl AccountClaims for MemoryAccountClaims {
    async fn claim(
        &self,
        account: &MsAccountId,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError> {
        let mut claims = self.claims.lock().unwrap();
        let key = claim_key(account);
        if claims
            .get(&key)
            .is_some_and(|held| held.app_user_id != app_user_id)
        {
            return Ok(false);
        }
        claims.insert(
            key,
            AccountClaim {
                app_user_id: app_user_id.to_string(),
                claimed_at: now,
            },
        );
        Ok(true)
    }
    async fn holder(&self, account: &MsAccountId) -> Result<Option<AccountClaim>, ApiError> {
        Ok(self
            .claims
            .lock()
            .unwrap()
            .get(&claim_key(account))
            .cloned())
    }
    async fn take_over(
        &self,
        account: &MsAccountId,
        held: &AccountClaim,
        app_user_id: &str,
        now: i64,
    ) -> Result<bool, ApiError> {
        let mut claims = self.claims.lock().unwrap();
        let key = claim_key(account);
        if claims.get(&key) != Some(held) {
            return Ok(false);
        }
        claims.insert(
            key,
            AccountClaim {
                app_user_id: app_user_id.to_string(),
                claimed_at: now,
            },
        );
        Ok(true)
    }
    async fn release(&self, account: &MsAccountId, app_user_id: &str) -> Result<(), ApiError> {
        let mut claims = self.claims.lock().unwrap();
        let key = claim_key(account);
        if claims
            .get(&key)
            .is_some_and(|held| held.app_user_id == app_user_id)
        {
            claims.remove(&key);
        }
        Ok(())
    }
}

/// A valid link of `app_user_id` to `account`, with placeholder ciphertexts.
pub fn link_to(app_user_id: &str, account: &MsAccountId) -> Link {
    let sealed = Sealed {
        key_id: "k1".into(),
        bytes: vec![0; 32],
    };
    Link {
        app_user_id: app_user_id.to_string(),
        ms_user_id: account.ms_user_id.clone(),
        ms_tenant_id: Some(account.tenant_id.clone()),
        user_principal_name: None,
        refresh_token: sealed.clone(),
        access_token: Some(sealed),
        access_expires_at: 0,
        scopes: vec!["User.Read".into()],
        version: 1,
        status: LinkStatus::Valid,
        linked_at: 0,
        last_refresh_at: 0,
        health: Default::default(),
    }
}

/// An event bus that keeps what it accepted, and refuses everything while `failing` is set.
#[derive(Default)]
pub struct RecordingPublisher {
    /// Events accepted, in order.
    pub published: Mutex<Vec<crate::events::bus_event::BusEvent>>,
    /// While true, `publish` fails with `InternalError` and keeps nothing.
    pub failing: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl crate::events::publisher::EventPublisher for RecordingPublisher {
    async fn publish(&self, events: &[crate::events::bus_event::BusEvent]) -> Result<(), ApiError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(ApiError::new(
                crate::error::ErrorCode::InternalError,
                "the event bus is down",
            ));
        }
        self.published.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}
