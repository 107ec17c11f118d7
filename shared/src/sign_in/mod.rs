//! Sign-in: the `auth-*` functions. `auth-start` and `auth-callback` run the authorization code
//! flow with PKCE ([`flow`]) up to a pending completion ([`pending_completions`]); `auth-complete`
//! links it inside the session of the application user it was started for ([`completion`],
//! [`account_linker`], [`account_uniqueness`]); `auth-status` and `auth-revoke` report or forget a
//! link ([`linked_accounts`]). Owns the ports to pending sign-ins ([`pending_states`]), pending
//! completions and account claims ([`account_claims`]). Imports [`crate::tokens`],
//! [`crate::operations::graph_api`] (to read the signed-in user's profile), [`crate::settings`],
//! [`crate::error`] and [`crate::support`].

pub mod account_claims;
pub mod account_linker;
pub mod account_uniqueness;
pub mod completion;
pub mod expected_account;
pub mod failure;
pub mod flow;
pub mod functions;
pub mod id_token;
pub mod linked_accounts;
pub mod pending_completions;
pub mod pending_states;
pub mod pkce;
pub mod prompt;
pub mod request;
pub mod scopes;
pub mod signed_in_account;
