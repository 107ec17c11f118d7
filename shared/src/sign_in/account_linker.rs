//! Turns a Microsoft sign-in into a link: reads who signed in (`/me` with the new access token, and
//! the id token's claims), and writes the encrypted tokens as the application user's link, replacing
//! any earlier link of the same application user.

use crate::support::table_keys::link_key;
use std::sync::Arc;

use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::link_health::link_events::LinkEvents;
use crate::operations::graph_api::{ACCEPT_JSON, GraphApi, GraphCall};
use crate::operations::operation::Method;
use crate::settings::cloud::Cloud;
use crate::settings::product_settings::Settings;
use crate::sign_in::id_token::read_claims;
use crate::sign_in::signed_in_account::SignedInAccount;
use crate::support::clock::{now_epoch, now_micros};
use crate::support::deadline::Deadline;
use crate::support::secret::Secret;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::delegated_tokens::{ACCESS_PURPOSE, REFRESH_PURPOSE};
use crate::tokens::identity_platform::TokenGrant;
use crate::tokens::store::{Link, LinkStatus, TokenStore};

/// The tokens of a sign-in, in clear, on their way into a link.
pub struct LinkTokens {
    /// The refresh token.
    pub refresh_token: Secret,
    /// The current access token.
    pub access_token: Secret,
    /// When the access token expires (epoch seconds).
    pub access_expires_at: i64,
    /// The Graph scopes granted.
    pub scopes: Vec<String>,
}

impl LinkTokens {
    /// The tokens of `grant`; `ScopeInvalid` when it carries no refresh token (the user did not
    /// grant `offline_access`).
    pub fn of_grant(grant: &TokenGrant) -> Result<Self, ApiError> {
        let refresh_token = grant.refresh_token.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::ScopeInvalid,
                "Microsoft issued no refresh token: offline_access was not granted",
            )
        })?;
        Ok(Self {
            refresh_token,
            access_token: grant.access_token.clone(),
            access_expires_at: now_epoch() + grant.expires_in,
            scopes: grant.scopes.clone(),
        })
    }
}

/// Reads signed-in accounts and writes links.
pub struct AccountLinker {
    store: Arc<dyn TokenStore>,
    graph: Arc<dyn GraphApi>,
    link_events: LinkEvents,
}

impl AccountLinker {
    /// A linker writing to `store` and reading profiles from `graph`.
    pub fn new(store: Arc<dyn TokenStore>, graph: Arc<dyn GraphApi>) -> Self {
        Self {
            store,
            graph,
            link_events: LinkEvents::default(),
        }
    }

    /// This linker, announcing each link it writes (`Link Linked` or `Link Relinked`) through
    /// `link_events`.
    pub fn with_link_events(self, link_events: LinkEvents) -> Self {
        Self {
            link_events,
            ..self
        }
    }

    /// Who `grant` was issued for: `/me` (`id`, `userPrincipalName`) read with its access token,
    /// and the tenant and `preferred_username` of its id token (received straight from the token
    /// endpoint).
    pub async fn read_account(
        &self,
        grant: &TokenGrant,
        cloud: Cloud,
        deadline: Deadline,
    ) -> Result<SignedInAccount, ApiError> {
        let profile = self
            .graph
            .send(
                &GraphCall {
                    method: Method::Get,
                    path: "/me".into(),
                    query: vec![("$select".into(), "id,userPrincipalName".into())],
                    headers: Vec::new(),
                    body: None,
                    access_token: grant.access_token.clone(),
                    all_pages: false,
                    client_request_id: uuid::Uuid::new_v4().to_string(),
                    continuation: None,
                    retry_safe: true,
                    accept: ACCEPT_JSON,
                    cloud,
                },
                deadline,
            )
            .await?;
        let profile = profile.json_body();
        let ms_user_id = profile
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UpstreamUnavailable,
                    "the user's profile has no id",
                )
            })?
            .to_string();
        let claims = grant
            .id_token
            .as_ref()
            .and_then(read_claims)
            .unwrap_or_default();
        Ok(SignedInAccount {
            ms_user_id,
            tenant_id: claims.tid,
            user_principal_name: profile
                .get("userPrincipalName")
                .and_then(Value::as_str)
                .map(String::from),
            preferred_username: claims.preferred_username,
        })
    }

    /// Writes `tokens` of `account` as `app_user_id`'s link, encrypted and bound to the link's key,
    /// replacing `previous`, the earlier link of `app_user_id` if any, and announces it.
    pub async fn store(
        &self,
        settings: &Settings,
        app_user_id: &str,
        tokens: LinkTokens,
        account: SignedInAccount,
        previous: Option<&Link>,
    ) -> Result<Link, ApiError> {
        let owner = link_key(app_user_id);
        let cipher = TokenCipher::new(&settings.encryption_keys);
        let now = now_epoch();
        let mut link = Link {
            app_user_id: app_user_id.to_string(),
            ms_user_id: account.ms_user_id,
            ms_tenant_id: account.tenant_id,
            user_principal_name: account.user_principal_name,
            refresh_token: cipher.seal(&tokens.refresh_token, REFRESH_PURPOSE, &owner),
            access_token: Some(cipher.seal(&tokens.access_token, ACCESS_PURPOSE, &owner)),
            access_expires_at: tokens.access_expires_at,
            scopes: tokens.scopes,
            version: now_micros(),
            status: LinkStatus::Valid,
            linked_at: now,
            last_refresh_at: now,
            health: Default::default(),
        };
        link.health = self.link_events.after_sign_in(previous, &link, now);
        self.store.put_link(&link).await?;
        Ok(self.link_events.publish_pending(&*self.store, link).await)
    }

    /// Links `app_user_id` to the Microsoft account `grant` was issued for, at once: reads the
    /// account and stores the link. For seeding links in tests and tools; sign-ins go through
    /// `auth-callback` and `auth-complete`, which check whose session completes them.
    pub async fn link(
        &self,
        settings: &Settings,
        app_user_id: &str,
        grant: TokenGrant,
        deadline: Deadline,
    ) -> Result<Link, ApiError> {
        let tokens = LinkTokens::of_grant(&grant)?;
        let account = self.read_account(&grant, settings.cloud, deadline).await?;
        // Which event to announce depends on the earlier link; without a bus it is not read.
        let previous = if self.link_events.enabled() {
            self.store.get_link(app_user_id).await?
        } else {
            None
        };
        self.store(settings, app_user_id, tokens, account, previous.as_ref())
            .await
    }
}
