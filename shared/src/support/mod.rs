//! Small utilities with no knowledge of Microsoft, AWS or the product: time, deadlines, caches,
//! locks, random strings, secrets that never print. Imports nothing else of the crate.

pub mod clock;
pub mod deadline;
pub mod keyed_locks;
pub mod memory_cache;
pub mod random_token;
pub mod secret;
pub mod table_keys;
pub mod upstream_record;
