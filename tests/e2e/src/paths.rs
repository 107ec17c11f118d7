//! Where the repository and the built binaries are on this machine.

use std::path::{Path, PathBuf};

/// The repository root (the workspace directory holding `Cargo.toml`, `infra/`, `.venv/`).
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The cargo profile directory (`target/<profile>`) the running executable was built into;
/// tests run from its `deps/`, binaries from the directory itself.
///
/// # Panics
/// When the running executable's path cannot be read.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("reading the path of the running executable");
    let dir = exe.parent().expect("an executable lives in a directory");
    if dir.ends_with("deps") {
        dir.parent().expect("deps/ lives in a profile directory")
    } else {
        dir
    }
    .to_path_buf()
}

/// The path of binary `name` in [`profile_dir`].
pub fn built_binary(name: &str) -> PathBuf {
    profile_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
