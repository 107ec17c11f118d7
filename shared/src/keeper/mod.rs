//! The token keeper: when a link falls due ([`schedule`]), which links are due ([`due_links`], the
//! port to the sparse keeper index), and the scheduled run that refreshes them ([`token_keeper`]).
//! Imports [`crate::tokens`], [`crate::settings`], [`crate::error`] and [`crate::support`].

pub mod due_links;
pub mod schedule;
pub mod token_keeper;
