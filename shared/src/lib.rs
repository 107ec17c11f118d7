//! Everything the Microsoft Graph Lambda functions have in common, grouped by subsystem so the folder
//! tree reads as the architecture (README "Code map"):
//!
//! | layer | modules | may import |
//! | --- | --- | --- |
//! | entry | [`runtime`]: events in, answers out, the one Lambda loop, logs and metrics, wiring | everything |
//! | domain | [`operations`], [`tokens`], [`sign_in`], [`keeper`], [`events`], [`link_health`], [`change_feed`], [`settings`] | each other's ports and types, [`error`], [`support`] |
//! | adapters | [`adapters`]: DynamoDB, Secrets Manager, EventBridge, Microsoft over HTTP, behind the domain's ports | domain, [`error`], [`support`] |
//! | foundation | [`error`] (the error model), [`support`] (small utilities) | [`support`] only |
//!
//! Nothing in the domain imports an adapter or the runtime; a test (`layering`) keeps it so.

pub mod adapters;
pub mod change_feed;
pub mod error;
pub mod events;
pub mod keeper;
#[cfg(test)]
mod layering;
pub mod link_health;
pub mod operations;
pub mod runtime;
pub mod settings;
pub mod sign_in;
pub mod support;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
pub mod tokens;

pub use runtime::run;
