//! Proof Key for Code Exchange (RFC 7636) with the `S256` method: the verifier stays with the
//! bundle, only its challenge travels through the browser to Microsoft.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::support::random_token::random_token;
use crate::support::secret::Secret;

/// The challenge method sent with the challenge.
pub const CHALLENGE_METHOD: &str = "S256";

/// A code verifier and its challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The verifier, sent only to the token endpoint when the code is redeemed.
    pub verifier: Secret,
    /// `BASE64URL(SHA256(verifier))`, sent to `/authorize`.
    pub challenge: String,
}

impl Pkce {
    /// A fresh verifier (43 characters, 256 random bits) and its challenge.
    pub fn generate() -> Self {
        let verifier = Secret::new(random_token());
        let challenge = challenge_of(&verifier);
        Self {
            verifier,
            challenge,
        }
    }
}

/// The `S256` challenge of `verifier`.
pub fn challenge_of(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_7636_appendix_b_example() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge_of(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_valid_and_fresh() {
        let pkce = Pkce::generate();
        let length = pkce.verifier.expose().len();
        assert!((43..=128).contains(&length), "RFC 7636 §4.1 length");
        assert_eq!(pkce.challenge, challenge_of(&pkce.verifier));
        assert_ne!(pkce.verifier, Pkce::generate().verifier);
    }
}
