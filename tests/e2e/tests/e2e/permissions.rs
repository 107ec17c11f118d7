//! Every operation's permission lists in the catalog equal Microsoft's own permission data
//! (`vendor/graph-permissions/permissions.json`, see its README for how the catalog relates to it).

use std::collections::{BTreeMap, BTreeSet};

use e2e::paths::repo_root;
use serde_json::Value;
use shared::operations::catalog::{CATALOG, NOT_IN_PERMISSION_DATA};
use shared::operations::operation::Operation;
use shared::tokens::scopes::{precheck, satisfies};

const SCHEMES: [&str; 2] = ["DelegatedWork", "Application"];

fn extract() -> Value {
    let path = repo_root().join("vendor/graph-permissions/permissions.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// `{anything}` → `{id}`, lowercased: how the extract's paths and the catalog's templates are compared.
fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut in_braces = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_braces = true;
                out.push_str("{id}");
            }
            '}' => in_braces = false,
            _ if in_braces => {}
            _ => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

/// The extract's entries by (method, normalized path).
fn entries(extract: &Value) -> BTreeMap<(String, String), &Value> {
    extract["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let key = (
                e["method"].as_str().unwrap().to_string(),
                normalize(e["path"].as_str().unwrap()),
            );
            (key, e)
        })
        .collect()
}

/// The Graph path templates an operation may send.
fn forms(op: &Operation) -> Vec<&'static str> {
    std::iter::once(op.graph_path)
        .chain(op.calendar_graph_path)
        .collect()
}

fn names(entry: &Value, scheme: &str) -> BTreeSet<String> {
    entry["schemes"][scheme]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["permission"].as_str().unwrap().to_string())
        .collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_catalog_list_equals_microsofts_permission_data() {
    let extract = extract();
    let entries = entries(&extract);
    let mut differences = Vec::new();
    for op in CATALOG.iter() {
        let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for form in forms(op) {
            let key = (op.method.as_str().to_string(), normalize(form));
            let Some(entry) = entries.get(&key) else {
                differences.push(format!(
                    "{}: {} {} is not in the extract (add it to vendor/graph-permissions/generate.py and regenerate)",
                    op.name, key.0, form
                ));
                continue;
            };
            for scheme in SCHEMES {
                expected
                    .entry(scheme)
                    .or_default()
                    .extend(names(entry, scheme));
            }
        }
        for (scheme, field, actual) in [
            (
                "DelegatedWork",
                "delegated_scopes",
                set(op.delegated_scopes),
            ),
            (
                "Application",
                "application_permissions",
                set(op.application_permissions),
            ),
        ] {
            let want = expected.remove(scheme).unwrap_or_default();
            let missing: Vec<_> = want.difference(&actual).collect();
            let extra: Vec<_> = actual.difference(&want).collect();
            if !missing.is_empty() || !extra.is_empty() {
                differences.push(format!(
                    "{} {field}: missing {missing:?}, not in Microsoft's data {extra:?}",
                    op.name
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "the catalog differs from vendor/graph-permissions/permissions.json:\n{}",
        differences.join("\n")
    );
}

#[test]
fn graph_decides_exactly_where_microsofts_data_names_no_permission() {
    let extract = extract();
    let entries = entries(&extract);
    let unlisted: BTreeSet<&str> = CATALOG
        .iter()
        .filter(|op| {
            forms(op).iter().any(|form| {
                let key = (op.method.as_str().to_string(), normalize(form));
                entries.get(&key).is_some_and(|e| e["inFile"] == false)
            })
        })
        .map(|op| op.name)
        .collect();
    assert_eq!(
        unlisted,
        NOT_IN_PERMISSION_DATA.iter().copied().collect(),
        "catalog::NOT_IN_PERMISSION_DATA must name the operations whose paths the data lacks"
    );
    for op in CATALOG.iter() {
        if unlisted.contains(op.name) {
            assert!(satisfies(&[], precheck(op)), "{}: Graph decides", op.name);
        } else if op.allows_delegated() {
            assert!(!satisfies(&[], precheck(op)), "{}: pre-checked", op.name);
        }
    }
}

#[test]
fn the_pre_check_never_refuses_a_permission_microsoft_lists() {
    let extract = extract();
    let entries = entries(&extract);
    for op in CATALOG.iter().filter(|op| op.allows_delegated()) {
        for form in forms(op) {
            let entry = entries[&(op.method.as_str().to_string(), normalize(form))];
            for granted in names(entry, "DelegatedWork") {
                assert!(
                    satisfies(std::slice::from_ref(&granted), precheck(op)),
                    "{} ({form}) refuses {granted}",
                    op.name
                );
            }
        }
    }
}

#[test]
fn the_extract_names_its_source_and_license() {
    let extract = extract();
    let commit = extract["source"]["commit"].as_str().unwrap();
    assert_eq!(commit.len(), 40);
    let readme =
        std::fs::read_to_string(repo_root().join("vendor/graph-permissions/README.md")).unwrap();
    assert!(readme.contains(commit), "README names the extract's commit");
    assert!(readme.contains("microsoftgraph/microsoft-graph-devx-content"));
    assert!(readme.contains("MIT License"));
}
