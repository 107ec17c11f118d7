//! The subcommands of `cargo xtask`, one module each. Every module has the command's [`USAGE`
//! line](catalog_docs::USAGE) and a `run` function taking the arguments after the command name.

pub mod catalog_docs;
pub mod extract_graph_schemas;
pub mod generate_template;
pub mod load;
pub mod stack_init;
pub mod vendor_openapi;

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// Its command line is wrong: the binary prints the usage and exits with status 2.
    Usage(String),
    /// It ran and failed: the binary exits with status 1.
    Failed(String),
}

/// Refuses the arguments of a command that takes none.
pub fn no_arguments(args: &[String]) -> Result<(), Failure> {
    match args.first() {
        Some(arg) => Err(Failure::Usage(format!("unexpected argument {arg:?}"))),
        None => Ok(()),
    }
}
