//! The `clientState` of a subscription: a fresh random secret per subscription that Graph echoes in
//! every notification, stored encrypted like the tokens, and compared in constant time, so a forged
//! notification (someone who learnt the public URL) is told apart from Graph's.
//!
//! Graph allows at most 128 characters ("subscription resource type"); ours are 43 (256 random bits).

use crate::error::ApiError;
use crate::settings::product_settings::EncryptionKeys;
use crate::support::random_token::random_token;
use crate::support::secret::Secret;
use crate::tokens::cipher::{Sealed, TokenCipher};

/// The purpose the cipher binds a `clientState` to (with the subscription's key as owner).
const PURPOSE: &str = "clientState";

/// A fresh `clientState`.
pub fn new_client_state() -> Secret {
    Secret::new(random_token())
}

/// `client_state` encrypted for the subscription stored under `owner_key`.
pub fn seal(keys: &EncryptionKeys, client_state: &Secret, owner_key: &str) -> Sealed {
    TokenCipher::new(keys).seal(client_state, PURPOSE, owner_key)
}

/// Whether `presented` (from a notification) is the stored `clientState` of the subscription under
/// `owner_key`. The comparison takes the same time wherever the strings differ.
pub fn matches(
    keys: &EncryptionKeys,
    sealed: &Sealed,
    owner_key: &str,
    presented: &str,
) -> Result<bool, ApiError> {
    let stored = TokenCipher::new(keys).open(sealed, PURPOSE, owner_key)?;
    Ok(constant_time_eq(
        stored.expose().as_bytes(),
        presented.as_bytes(),
    ))
}

/// Byte-wise equality whose time depends only on the lengths, never on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn keys() -> EncryptionKeys {
        EncryptionKeys {
            active: "k1".into(),
            keys: BTreeMap::from([("k1".to_string(), [7u8; 32])]),
        }
    }

    #[test]
    fn only_the_stored_state_of_that_subscription_matches() {
        let keys = keys();
        let state = new_client_state();
        assert_eq!(state.expose().len(), 43);
        assert_ne!(state.expose(), new_client_state().expose());
        let sealed = seal(&keys, &state, "sub#a");
        assert!(matches(&keys, &sealed, "sub#a", state.expose()).unwrap());
        assert!(!matches(&keys, &sealed, "sub#a", "guess").unwrap());
        let mut near = state.expose().to_string();
        near.replace_range(42..43, if near.ends_with('A') { "B" } else { "A" });
        assert!(!matches(&keys, &sealed, "sub#a", &near).unwrap());
        // Copied under another subscription's key, it does not open.
        assert!(matches(&keys, &sealed, "sub#b", state.expose()).is_err());
    }

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
