//! Keeps the layers of `lib.rs`'s table apart: the domain never imports an adapter or the runtime,
//! adapters never import the runtime, and the foundation imports only utilities.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The files under `module` (a folder or a file of `src/`) naming any of `forbidden` modules.
fn offenders(module: &str, forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let folder = src.join(module);
    let files = if folder.is_dir() {
        sources(&folder)
    } else {
        vec![src.join(format!("{module}.rs"))]
    };
    assert!(!files.is_empty(), "{module} has sources");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for name in forbidden {
            if text.contains(&format!("crate::{name}::")) {
                found.push(format!("{} imports {name}", file.display()));
            }
        }
    }
    found
}

#[test]
fn the_domain_never_imports_adapters_or_the_runtime() {
    for module in [
        "operations",
        "tokens",
        "sign_in",
        "keeper",
        "events",
        "link_health",
        "change_feed",
        "settings",
    ] {
        assert_eq!(
            offenders(module, &["adapters", "runtime"]),
            Vec::<String>::new()
        );
    }
}

#[test]
fn adapters_never_import_the_runtime() {
    assert_eq!(offenders("adapters", &["runtime"]), Vec::<String>::new());
}

#[test]
fn the_foundation_imports_only_utilities() {
    let above = [
        "adapters",
        "runtime",
        "operations",
        "tokens",
        "sign_in",
        "keeper",
        "events",
        "link_health",
        "change_feed",
        "settings",
        "error",
    ];
    assert_eq!(offenders("support", &above), Vec::<String>::new());
    assert_eq!(offenders("error", &above), Vec::<String>::new());
}
