//! Unguessable URL-safe random strings: sign-in `state` values and PKCE code verifiers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Random bytes behind each token: 256 bits, encoded as 43 URL-safe characters.
const TOKEN_BYTES: usize = 32;

/// Whether `value` has the shape of a [`random_token`]: 43 characters of `A-Z a-z 0-9 - _`.
pub fn is_random_token(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh random token of 43 characters from `A-Z a-z 0-9 - _`, drawn from the thread-local
/// cryptographically secure generator.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; TOKEN_BYTES]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_and_distinct() {
        let token = random_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(token, random_token());
    }

    #[test]
    fn recognises_its_own_shape() {
        assert!(is_random_token(&random_token()));
        for other in [
            "",
            "never-issued",
            "..%2F..%2Fx",
            &"a".repeat(44),
            &format!("{}=", "a".repeat(42)),
        ] {
            assert!(!is_random_token(other), "{other}");
        }
    }
}
