//! `extract-graph-schemas`: regenerates `shared/src/operations/graph_bodies.json`, the request-body shapes
//! the functions validate against, from Microsoft's OpenAPI description of Graph and the operations
//! catalog. Run it after changing either; the `openapi_contract` test fails until then.

// The generation code is shared with the `openapi_contract` test, which checks the file is current.
#[path = "../graph_bodies.rs"]
mod graph_bodies;
#[path = "../openapi.rs"]
mod openapi;

use std::process::ExitCode;

fn regenerate() -> Result<String, String> {
    let text = graph_bodies::generate_bodies(&openapi::OpenApi::load()?)?;
    let path = graph_bodies::bodies_file();
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

fn main() -> ExitCode {
    match regenerate() {
        Ok(path) => {
            println!("wrote {path}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("extract-graph-schemas: {message}");
            ExitCode::FAILURE
        }
    }
}
