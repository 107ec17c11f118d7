//! `generate-template`: rewrites `template.yaml` from the operations catalog (see [`crate::template`]).

use super::{Failure, no_arguments};
use crate::template::{template_path, template_yaml};

/// The command line.
pub const USAGE: &str = "generate-template";

/// Writes the template and prints where.
pub fn run(args: &[String]) -> Result<(), Failure> {
    no_arguments(args)?;
    let path = template_path();
    let written =
        std::fs::write(&path, template_yaml()).and_then(|()| std::fs::canonicalize(&path));
    match written {
        Ok(path) => {
            println!("wrote {}", path.display());
            Ok(())
        }
        Err(error) => Err(Failure::Failed(format!("{}: {error}", path.display()))),
    }
}
