//! Where the repository and the built binaries are on this machine.

use std::path::{Path, PathBuf};

/// The repository root (the workspace directory holding `Cargo.toml`, `infra/`, `.venv/`).
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The path of a binary built by cargo into the same profile directory as the running
/// executable (`target/<profile>/<name>`); tests and binaries run from there or from its `deps/`.
///
/// # Panics
/// When the running executable's path cannot be read.
pub fn built_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("reading the path of the running executable");
    let mut dir = exe.parent().expect("an executable lives in a directory");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("deps/ lives in a profile directory");
    }
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
