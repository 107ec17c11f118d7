//! Tokens: application tokens (client credentials), delegated tokens (stored refresh tokens, redeemed
//! and rotated), their encryption, and the scopes they carry. Owns the ports to the token store
//! ([`store`]) and to Microsoft's identity platform ([`identity_platform`]). Imports
//! [`crate::settings`], [`crate::keeper::schedule`] (when a stored link falls due), [`crate::error`]
//! and [`crate::support`].

pub mod aadsts;
pub mod app_tokens;
pub mod cipher;
pub mod claims_challenge;
pub mod delegated_tokens;
pub mod identity_platform;
pub mod scopes;
pub mod store;
