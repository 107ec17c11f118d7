//! `grant_type=authorization_code`: redeeming a code with its PKCE verifier.

use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::{TokenRequest, delegated};
use crate::identity::errors::IdentityError;
use crate::state::World;

/// Redeems `code`: it must be unused, unexpired, issued to this client and redirect URI,
/// and match its S256 challenge.
pub fn redeem(request: &TokenRequest<'_>, world: &mut World) -> Result<Response, IdentityError> {
    let form = &request.form;
    let code = form.required("code")?;
    let redirect_uri = form.required("redirect_uri")?;
    let verifier_challenge = form.get("code_verifier").map(s256_challenge);
    let requested = form.scopes()?;
    let client_id = &request.app.client_id;
    let issued = world.authorization_codes.redeem(code, |issued| {
        if !issued.client_id.eq_ignore_ascii_case(client_id) || issued.redirect_uri != redirect_uri
        {
            return Err(IdentityError::invalid_grant());
        }
        match &issued.code_challenge {
            Some(challenge) if verifier_challenge.as_ref() != Some(challenge) => {
                Err(IdentityError::pkce_mismatch())
            }
            _ => Ok(()),
        }
    })?;
    let mut scopes = requested.unwrap_or_else(|| issued.scopes.clone());
    scopes.oidc.extend(issued.scopes.oidc.iter().copied());
    delegated::issue(
        request,
        world,
        &issued.user_id,
        scopes,
        issued.nonce.as_deref(),
    )
}

/// `BASE64URL(SHA256(verifier))`, the S256 code challenge of a verifier.
fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
