//! The repository is self-contained: a clone with nothing beside it builds and passes its tests,
//! so no file may refer to a path outside it (the team's reference material lives in a sibling
//! folder on developers' machines, and nothing here may read it).

use std::path::Path;

use e2e::paths::repo_root;

/// Folders that are build output or local tool state, not the repository's files.
const SKIPPED: [&str; 6] = ["target", ".git", ".venv", ".stack", ".aws-sam", ".venv-sam"];

fn files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            if !SKIPPED.contains(&name.as_ref()) {
                files(&path, found);
            }
        } else {
            found.push(path);
        }
    }
}

#[test]
fn no_file_refers_to_a_path_outside_the_repository() {
    // Built from pieces so this file does not name them itself.
    let outside = [concat!("..", "/shared/"), concat!("DESIGN", ".md")];
    let mut all = Vec::new();
    files(repo_root(), &mut all);
    assert!(all.len() > 100, "the walk found the repository's files");
    let offenders: Vec<String> = all
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            outside
                .iter()
                .find(|needle| text.contains(*needle))
                .map(|needle| format!("{} names {needle}", path.display()))
        })
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}
