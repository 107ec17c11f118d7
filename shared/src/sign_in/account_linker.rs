//! Stores a user's Microsoft sign-in as their link: reads the user's profile (`/me`) with the new
//! access token, encrypts the tokens and replaces any earlier link of the same application user.

use crate::support::table_keys::link_key;
use std::sync::Arc;

use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::operations::graph_api::{GraphApi, GraphCall};
use crate::operations::operation::Method;
use crate::settings::product_settings::Settings;
use crate::sign_in::id_token::read_claims;
use crate::support::clock::{now_epoch, now_micros};
use crate::support::deadline::Deadline;
use crate::tokens::cipher::TokenCipher;
use crate::tokens::delegated_tokens::{ACCESS_PURPOSE, REFRESH_PURPOSE};
use crate::tokens::identity_platform::TokenGrant;
use crate::tokens::store::{Link, LinkStatus, TokenStore};

/// Turns token grants into stored links.
pub struct AccountLinker {
    store: Arc<dyn TokenStore>,
    graph: Arc<dyn GraphApi>,
}

impl AccountLinker {
    /// A linker writing to `store` and reading profiles from `graph`.
    pub fn new(store: Arc<dyn TokenStore>, graph: Arc<dyn GraphApi>) -> Self {
        Self { store, graph }
    }

    /// Links `app_user_id` to the Microsoft account `grant` was issued for. The grant must carry a
    /// refresh token (the sign-in asked for `offline_access`).
    pub async fn link(
        &self,
        settings: &Settings,
        app_user_id: &str,
        grant: TokenGrant,
        deadline: Deadline,
    ) -> Result<Link, ApiError> {
        let refresh_token = grant.refresh_token.as_ref().ok_or_else(|| {
            ApiError::new(
                ErrorCode::ScopeInvalid,
                "Microsoft issued no refresh token: offline_access was not granted",
            )
        })?;
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
        let owner = link_key(app_user_id);
        let cipher = TokenCipher::new(&settings.encryption_keys);
        let now = now_epoch();
        let link = Link {
            app_user_id: app_user_id.to_string(),
            ms_user_id,
            ms_tenant_id: claims.tid,
            user_principal_name: profile
                .get("userPrincipalName")
                .and_then(Value::as_str)
                .map(String::from),
            refresh_token: cipher.seal(refresh_token, REFRESH_PURPOSE, &owner),
            access_token: Some(cipher.seal(&grant.access_token, ACCESS_PURPOSE, &owner)),
            access_expires_at: now + grant.expires_in,
            scopes: grant.scopes,
            version: now_micros(),
            status: LinkStatus::Valid,
            linked_at: now,
            last_refresh_at: now,
        };
        self.store.put_link(&link).await?;
        Ok(link)
    }
}
