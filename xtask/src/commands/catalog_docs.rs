//! `catalog-docs`: prints the README's operations table, generated from the catalog.

use super::{Failure, no_arguments};
use crate::catalog_docs::operations_table;

/// The command line.
pub const USAGE: &str = "catalog-docs";

/// Prints the table.
pub fn run(args: &[String]) -> Result<(), Failure> {
    no_arguments(args)?;
    println!("{}", operations_table());
    Ok(())
}
