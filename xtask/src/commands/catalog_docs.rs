//! Prints the README's operations table, generated from the catalog.

fn main() {
    println!("{}", e2e::catalog_docs::operations_table());
}
