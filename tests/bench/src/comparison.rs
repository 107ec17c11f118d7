//! One scenario measured for both implementations, with what each one ships.

use crate::measurement::Measurement;
use crate::scenario::Scenario;

/// A scenario's measurements side by side.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// What was invoked.
    pub scenario: Scenario,
    /// The Rust function.
    pub rust: Measurement,
    /// The Python baseline.
    pub python: Measurement,
    /// Size of the Rust function's binary, in bytes.
    pub rust_binary_bytes: u64,
    /// Installed size of the Python baseline's packages, in bytes.
    pub python_packages_bytes: u64,
}
