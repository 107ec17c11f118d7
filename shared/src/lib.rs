//! Shared core of the Microsoft Graph Lambda functions, split hexagonally:
//! [`entry`] (events in, responses out) → [`domain`] (catalog, validation, tokens, errors) →
//! [`adapters`] (DynamoDB, Secrets Manager, Microsoft identity platform, Graph).

pub mod adapters;
pub mod domain;
pub mod entry;

pub use entry::runtime::run;
