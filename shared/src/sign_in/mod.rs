//! Sign-in: the `auth-*` functions. `auth-start` and `auth-callback` run the authorization code
//! flow with PKCE ([`flow`]) and store the resulting link ([`account_linker`]); `auth-status` and
//! `auth-revoke` report or forget a link ([`linked_accounts`]). Owns the port to pending sign-ins
//! ([`pending_states`]). Imports [`crate::tokens`], [`crate::operations::graph_api`] (to read the
//! signed-in user's profile), [`crate::settings`], [`crate::error`] and [`crate::support`].

pub mod account_linker;
pub mod failure;
pub mod flow;
pub mod functions;
pub mod id_token;
pub mod linked_accounts;
pub mod pending_states;
pub mod pkce;
pub mod request;
pub mod scopes;
