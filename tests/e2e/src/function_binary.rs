//! The function binaries (package `functions`), built on demand with the running test's profile.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use crate::paths::{built_binary, profile_dir, repo_root};

/// The path of function binary `name` (`functions/src/bin/<name>.rs`). The first call for a name
/// in a process runs `cargo build -p functions --bin <name>` with the profile of the running
/// executable, so tests always run the current code, and a release run builds only what it runs.
///
/// # Panics
/// When the build fails or does not produce `name`.
pub fn function_binary(name: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, Result<(), String>>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Err(error) = built
        .entry(name.to_string())
        .or_insert_with(|| build_function(name))
    {
        panic!("{error}");
    }
    let binary = built_binary(name);
    assert!(
        binary.exists(),
        "{} was not built: is there a functions/src/bin/{name}.rs?",
        binary.display()
    );
    binary
}

fn build_function(name: &str) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    // The test process carries the variables cargo sets for it (CARGO_MANIFEST_DIR, CARGO_PKG_*, ...);
    // build scripts that watch them would rebuild half the dependency tree on every run.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_")
            && !matches!(
                name.as_ref(),
                "CARGO_HOME" | "CARGO_TARGET_DIR" | "CARGO_BUILD_JOBS"
            )
        {
            build.env_remove(name.as_ref());
        }
    }
    build
        .current_dir(repo_root())
        .args(["build", "--quiet", "-p", "functions", "--bin", name]);
    match profile_dir().file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            build.arg("--release");
        }
        Some(profile) => {
            build.args(["--profile", profile]);
        }
    }
    let status = build
        .status()
        .map_err(|error| format!("running cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo build -p functions --bin {name}` failed: {status}"
        ))
    }
}
