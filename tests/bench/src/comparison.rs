//! One scenario measured for both implementations, with what each one ships.

use crate::distance_proxy::Distance;
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
    /// Size of the Rust function's binary as measured here (this machine's target), in bytes.
    pub rust_binary_bytes: u64,
    /// Size of the arm64 `bootstrap` Lambda runs (built by `infra/package.sh`), if it was built.
    pub deployed_binary_bytes: Option<u64>,
    /// Installed size of the Python baseline's packages, in bytes.
    pub python_packages_bytes: u64,
}

/// Every scenario measured with every endpoint at one distance.
#[derive(Clone, Debug)]
pub struct DistanceRun {
    /// How far away the endpoints were.
    pub distance: Distance,
    /// The scenarios measured.
    pub comparisons: Vec<Comparison>,
}
