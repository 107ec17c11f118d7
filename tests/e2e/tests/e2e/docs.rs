//! The README documents exactly the operations of the catalog, each with an example that the
//! functions accept.

use e2e::paths::repo_root;
use shared::operations::catalog::CATALOG;
use shared::runtime::event::decode;
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
