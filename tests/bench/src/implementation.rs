//! The two implementations compared, and how each one's process for a scenario is started.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use e2e::paths::{built_binary, profile_dir};

use crate::python_baseline;
use crate::scenario::Scenario;

/// An implementation of the functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    /// The product: the Rust function binaries.
    Rust,
    /// The baseline: Python handlers with MSAL, boto3 and requests under awslambdaric.
    Python,
}

/// A program, the function it serves, the exact environment to start it with, and its log.
pub struct Launch {
    /// The executable.
    pub program: PathBuf,
    /// The Lambda function's name.
    pub function_name: &'static str,
    /// Its environment (the Lambda service's variables are added when it starts).
    pub env: BTreeMap<String, String>,
    /// Where its output goes: `target/<profile>/bench-logs/<function>-<implementation>.log`.
    pub log: PathBuf,
}

impl Implementation {
    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Rust => "Rust",
            Implementation::Python => "Python baseline",
        }
    }

    /// Its short name in file names.
    fn slug(self) -> &'static str {
        match self {
            Implementation::Rust => "rust",
            Implementation::Python => "python",
        }
    }

    /// How to start `scenario`'s function: `function_env` is the functions' environment (table,
    /// secret, simulator, AWS endpoint), `discovery_url` the OpenID discovery stand-in,
    /// `rust_binaries` where the Rust binaries are when not in this build's release directory.
    pub fn launch(
        self,
        scenario: &Scenario,
        function_env: &BTreeMap<String, String>,
        discovery_url: &str,
        rust_binaries: Option<&Path>,
    ) -> Launch {
        let log = profile_dir().join("bench-logs").join(format!(
            "{}-{}-{}.log",
            scenario.function,
            scenario.mode.label(),
            self.slug()
        ));
        let (program, env) = match self {
            Implementation::Rust => (
                rust_binaries.map_or_else(
                    || built_binary(scenario.function),
                    |directory| directory.join(scenario.function),
                ),
                function_env.clone(),
            ),
            Implementation::Python => {
                let mut env = function_env.clone();
                env.extend(python_baseline::handler_env(
                    scenario.handler,
                    discovery_url,
                ));
                (python_baseline::bootstrap(), env)
            }
        };
        Launch {
            program,
            function_name: scenario.function,
            env,
            log,
        }
    }
}
