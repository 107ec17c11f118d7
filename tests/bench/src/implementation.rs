//! The two implementations compared, and how each one's process for a scenario is started.

use std::collections::BTreeMap;
use std::path::PathBuf;

use e2e::paths::built_binary;

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

/// A program and the exact environment to start it with.
pub struct Launch {
    /// The executable.
    pub program: PathBuf,
    /// Its environment (the Lambda service's variables are added by the runner).
    pub env: BTreeMap<String, String>,
}

impl Implementation {
    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Rust => "Rust",
            Implementation::Python => "Python baseline",
        }
    }

    /// How to start `scenario`'s function: `function_env` is the functions' environment (table,
    /// secret, simulator, AWS endpoint), `discovery_url` the OpenID discovery stand-in.
    pub fn launch(
        self,
        scenario: &Scenario,
        function_env: &BTreeMap<String, String>,
        discovery_url: &str,
    ) -> Launch {
        match self {
            Implementation::Rust => Launch {
                program: built_binary(scenario.function),
                env: function_env.clone(),
            },
            Implementation::Python => {
                let mut env = function_env.clone();
                env.extend(python_baseline::handler_env(
                    scenario.handler,
                    discovery_url,
                ));
                Launch {
                    program: python_baseline::bootstrap(),
                    env,
                }
            }
        }
    }
}
