//! Fresh identifiers and opaque random strings.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// A new random GUID in Microsoft's lower-case hyphenated form.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `byte_count` random bytes, base64url-encoded without padding.
pub fn random_base64url(byte_count: usize) -> String {
    let mut bytes = vec![0; byte_count];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
