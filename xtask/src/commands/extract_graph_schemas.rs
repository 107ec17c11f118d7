//! `extract-graph-schemas`: regenerates `shared/src/operations/graph_bodies.json`, the request-body
//! shapes the functions validate against, from Microsoft's OpenAPI description of Graph and the
//! operations catalog. Run it after changing either; the `openapi_contract` tests fail until then.

use super::{Failure, no_arguments};
use crate::graph_bodies::{bodies_file, generate_bodies};
use crate::openapi::OpenApi;

/// The command line.
pub const USAGE: &str = "extract-graph-schemas";

/// Writes the file and prints where.
pub fn run(args: &[String]) -> Result<(), Failure> {
    no_arguments(args)?;
    let text =
        generate_bodies(&OpenApi::load().map_err(Failure::Failed)?).map_err(Failure::Failed)?;
    let path = bodies_file();
    std::fs::write(&path, text)
        .map_err(|error| Failure::Failed(format!("{}: {error}", path.display())))?;
    println!("wrote {}", path.display());
    Ok(())
}
