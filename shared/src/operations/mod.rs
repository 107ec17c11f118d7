//! Graph operations: the catalog (one definition per Lambda function), request validation, the
//! Graph path an operation addresses, and the executor that turns one validated request into one
//! Graph call. Owns the port to Graph ([`graph_api`]). Imports [`crate::tokens`] (tokens to call
//! with), [`crate::settings`], [`crate::error`] and [`crate::support`].

pub mod advanced_query;
pub mod body_schema;
pub mod catalog;
pub mod executor;
pub mod first_call;
pub mod graph_api;
pub mod graph_path;
pub mod identity_resolver;
pub mod operation;
pub mod read_ahead;
pub mod request;
pub mod response_limits;
pub mod time_window;
