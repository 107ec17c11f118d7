//! Authorization codes: single use, short-lived, bound to what `/authorize` saw.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::errors::IdentityError;
use super::scopes::ScopeRequest;
use crate::ids::random_base64url;

/// What a code was issued for.
#[derive(Clone, Debug)]
pub struct AuthorizationCode {
    /// The app that asked for it.
    pub client_id: String,
    /// The redirect URI it was delivered to.
    pub redirect_uri: String,
    /// The S256 PKCE challenge, when one was sent.
    pub code_challenge: Option<String>,
    /// The signed-in user.
    pub user_id: String,
    /// The scopes `/authorize` asked for.
    pub scopes: ScopeRequest,
    /// The OpenID Connect `nonce`, echoed into the id token.
    pub nonce: Option<String>,
    /// When it stops being redeemable.
    pub expires_at: DateTime<Utc>,
}

struct IssuedCode {
    code: AuthorizationCode,
    redeemed: bool,
}

/// Every issued code.
#[derive(Default)]
pub struct AuthorizationCodes(HashMap<String, IssuedCode>);

impl AuthorizationCodes {
    /// Issues a new code string for `code`.
    pub fn issue(&mut self, code: AuthorizationCode) -> String {
        let value = format!("0.A{}", random_base64url(96));
        self.0.insert(
            value.clone(),
            IssuedCode {
                code,
                redeemed: false,
            },
        );
        value
    }

    /// Redeems `value` if `verify` accepts what it was issued for; only a successful
    /// redemption uses the code up.
    pub fn redeem(
        &mut self,
        value: &str,
        verify: impl FnOnce(&AuthorizationCode) -> Result<(), IdentityError>,
    ) -> Result<AuthorizationCode, IdentityError> {
        let issued = self
            .0
            .get_mut(value)
            .ok_or_else(IdentityError::invalid_grant)?;
        if issued.redeemed {
            return Err(IdentityError::code_already_redeemed());
        }
        if issued.code.expires_at <= Utc::now() {
            return Err(IdentityError::grant_expired());
        }
        verify(&issued.code)?;
        issued.redeemed = true;
        Ok(issued.code.clone())
    }
}
