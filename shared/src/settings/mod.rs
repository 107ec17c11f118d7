//! Product settings: the Secrets Manager secret's JSON, parsed and validated
//! ([`product_settings`]), and cached with a time to live ([`provider`], which owns the port to
//! where the secret is read from). Imports [`crate::error`] and [`crate::support`].

pub mod cloud;
pub mod product_settings;
pub mod provider;
