//! The domain: the operations catalog, request validation, identity resolution, the token engines
//! and the error model, with ports ([`token_store`], [`identity_platform`], [`graph_api`],
//! [`settings_provider`]) that adapters implement.

pub mod account_linker;
pub mod app_tokens;
pub mod body_schema;
pub mod catalog;
pub mod clock;
pub mod deadline;
pub mod delegated_tokens;
pub mod due_links;
pub mod error;
pub mod executor;
pub mod graph_api;
pub mod graph_path;
pub mod id_token;
pub mod identity_platform;
pub mod identity_resolver;
pub mod keeper_schedule;
pub mod keyed_locks;
pub mod linked_accounts;
pub mod memory_cache;
pub mod operation;
pub mod pkce;
pub mod platform_functions;
pub mod platform_request;
pub mod random_token;
pub mod request;
pub mod scopes;
pub mod secret;
pub mod settings;
pub mod settings_provider;
pub mod sign_in_failure;
pub mod sign_in_flow;
pub mod sign_in_scopes;
pub mod sign_in_state;
#[cfg(test)]
pub mod test_doubles;
pub mod time_window;
pub mod token_cipher;
pub mod token_keeper;
pub mod token_store;
