//! The README documents exactly the operations of the catalog, each with an example that the
//! functions accept.

use e2e::paths::repo_root;
use shared::operations::catalog::CATALOG;
use shared::runtime::event::decode;
use shared::tokens::identity_platform::TokenRejection;
use xtask::catalog_docs::{BEGIN, END, example_event, operations_table};

#[test]
fn readme_holds_the_generated_operations_table() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("README has the operations table markers");
    let end = readme.find(END).expect("README has the end marker") + END.len();
    assert_eq!(
        &readme[start..end],
        operations_table(),
        "README's operations table is stale: run `cargo xtask catalog-docs` and paste its output"
    );
}

#[test]
fn every_example_is_a_valid_request() {
    for op in CATALOG {
        let (_, raw) = decode(example_event(op));
        let validated = raw.and_then(|raw| raw.validate(op));
        assert!(validated.is_ok(), "{}: {:?}", op.name, validated.err());
    }
}

/// The rows of README's error table, by code: `| `Code` | status | when |`.
fn readme_error_rows(readme: &str) -> std::collections::BTreeMap<String, String> {
    let errors = readme
        .split("\n## Errors\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has an Errors section");
    errors
        .lines()
        .filter_map(|line| {
            let code = line.strip_prefix("| `")?.split('`').next()?;
            Some((code.to_string(), line.to_string()))
        })
        .collect()
}

#[test]
fn the_readme_error_table_names_every_aadsts_code_in_the_row_it_maps_to() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let rows = readme_error_rows(&readme);
    let aadsts = std::fs::read_to_string(repo_root().join("shared/src/tokens/aadsts.rs")).unwrap();
    let codes: Vec<u32> = aadsts
        .lines()
        .filter_map(|line| {
            let value = line.strip_prefix("pub const ")?.split("= ").nth(1)?;
            value.trim_end_matches(';').parse().ok()
        })
        .collect();
    assert!(codes.len() >= 25, "the AADSTS table was read: {codes:?}");
    for number in codes {
        // As the token endpoint sends them: `invalid_grant` with the AADSTS number.
        let rejection = TokenRejection {
            status: 400,
            error: "invalid_grant".into(),
            error_codes: vec![number],
            suberror: None,
        };
        let code = rejection
            .to_api_error()
            .code()
            .expect("one of the bundle's codes")
            .as_str();
        let row = rows
            .get(code)
            .unwrap_or_else(|| panic!("README's error table has no row for {code}"));
        let named = row
            .split(|c: char| !c.is_ascii_digit())
            .any(|word| word == number.to_string());
        assert!(
            named,
            "AADSTS{number} becomes {code}, but README's {code} row does not name it: {row}"
        );
    }
}

#[test]
fn the_readme_configuration_table_names_every_variable_the_functions_read() {
    let read = std::sync::Mutex::new(Vec::new());
    shared::runtime::config::Config::from_lookup(|name| {
        read.lock().unwrap().push(name.to_string());
        ["TABLE_NAME", "SETTINGS_SECRET_ID"]
            .contains(&name)
            .then(|| "set".to_string())
    })
    .expect("the defaults are a valid configuration");
    let read = read.into_inner().unwrap();
    assert!(
        read.len() > 10,
        "the configuration reads its variables: {read:?}"
    );
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for name in read {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README's configuration table does not describe `{name}`"
        );
    }
}
