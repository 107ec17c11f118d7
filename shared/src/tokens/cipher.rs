//! AES-256-GCM encryption of stored tokens. Each ciphertext is bound to its owner and purpose through
//! the associated data, so a token copied to another user's item, or from one field to another, fails
//! to decrypt. The key id is stored beside the ciphertext so keys can be rotated.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::error::{ApiError, ErrorCode};
use crate::settings::product_settings::EncryptionKeys;
use crate::support::secret::Secret;

const NONCE_LEN: usize = 12;

/// A ciphertext and the id of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Key id (from the settings' `tokenEncryptionKeys`).
    pub key_id: String,
    /// 12-byte nonce followed by the AES-GCM ciphertext and tag.
    pub bytes: Vec<u8>,
}

/// Encrypts and decrypts tokens with the settings' keys.
pub struct TokenCipher<'a> {
    keys: &'a EncryptionKeys,
}

fn associated_data(purpose: &str, owner: &str) -> Vec<u8> {
    format!("{purpose}\u{0}{owner}").into_bytes()
}

impl<'a> TokenCipher<'a> {
    /// A cipher over the given keys.
    pub fn new(keys: &'a EncryptionKeys) -> Self {
        Self { keys }
    }

    /// Encrypts `token` with the active key, bound to `purpose` (e.g. `refresh`) and `owner` (the item's key).
    pub fn seal(&self, token: &Secret, purpose: &str, owner: &str) -> Sealed {
        let key = &self.keys.keys[&self.keys.active];
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(purpose, owner);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: token.expose().as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.keys.active.clone(),
            bytes,
        }
    }

    /// Decrypts a sealed token; fails if the key is unknown, or the data was altered or belongs to
    /// another owner or purpose.
    pub fn open(&self, sealed: &Sealed, purpose: &str, owner: &str) -> Result<Secret, ApiError> {
        let key = self.keys.keys.get(&sealed.key_id).ok_or_else(|| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                format!(
                    "token encryption key `{}` is no longer in settings",
                    sealed.key_id
                ),
            )
        })?;
        if sealed.bytes.len() <= NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
        let aad = associated_data(purpose, owner);
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| undecryptable())?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| undecryptable())
    }
}

fn undecryptable() -> ApiError {
    ApiError::new(
        ErrorCode::InternalError,
        "a stored token could not be decrypted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn keys(active: &str) -> EncryptionKeys {
        let mut keys = BTreeMap::new();
        keys.insert("k1".to_string(), [1u8; 32]);
        keys.insert("k2".to_string(), [2u8; 32]);
        EncryptionKeys {
            active: active.to_string(),
            keys,
        }
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let keys = keys("k1");
        let cipher = TokenCipher::new(&keys);
        let token = Secret::new("0.AAAA-refresh-token");
        let sealed = cipher.seal(&token, "refresh", "link#alice");
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.bytes.windows(5).any(|w| w == b"AAAA-"));
        assert_eq!(
            cipher.open(&sealed, "refresh", "link#alice").unwrap(),
            token
        );
    }

    #[test]
    fn is_bound_to_owner_and_purpose() {
        let keys = keys("k1");
        let cipher = TokenCipher::new(&keys);
        let sealed = cipher.seal(&Secret::new("t"), "refresh", "link#alice");
        assert!(cipher.open(&sealed, "refresh", "link#bob").is_err());
        assert!(cipher.open(&sealed, "access", "link#alice").is_err());
        let mut tampered = sealed.clone();
        tampered.bytes[NONCE_LEN] ^= 1;
        assert!(cipher.open(&tampered, "refresh", "link#alice").is_err());
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let old = keys("k1");
        let sealed = TokenCipher::new(&old).seal(&Secret::new("t"), "refresh", "u");
        let rotated = keys("k2");
        assert_eq!(
            TokenCipher::new(&rotated)
                .open(&sealed, "refresh", "u")
                .unwrap()
                .expose(),
            "t"
        );
        let mut retired = keys("k2");
        retired.keys.remove("k1");
        let error = TokenCipher::new(&retired)
            .open(&sealed, "refresh", "u")
            .unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::ConfigurationInvalid));
    }
}
