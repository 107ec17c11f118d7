//! The repository's developer tools, run with `cargo xtask <command>` (see [`commands`]): the
//! generators of the files derived from the operations catalog (`template.yaml`, the README's
//! operations table, `shared/src/operations/graph_bodies.json`), the local stack's setup and the
//! load run. The integration tests use the generators as a library to check those files are current.

pub mod catalog_docs;
pub mod commands;
pub mod graph_bodies;
pub mod openapi;
pub mod openapi_extract;
pub mod template;
