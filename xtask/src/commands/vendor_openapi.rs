//! `vendor-openapi <folder>`: rewrites the vendored extract `vendor/graph-openapi/v1.0/*.yml` from
//! Microsoft's full OpenAPI files in `<folder>` (the Microsoft Graph PowerShell SDK's
//! `openApiDocs/v1.0/`): the operations the catalog calls and what they reference. Run it after
//! adding an operation; the `openapi_contract` tests fail until the extract has it.

use std::path::Path;

use super::Failure;
use crate::openapi::{OpenApi, openapi_dir};
use crate::openapi_extract::extract;

/// The command line.
pub const USAGE: &str = "vendor-openapi <folder with Microsoft's full v1.0 *.yml files>";

/// Writes the extract and prints each file's size.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let [source] = args else {
        return Err(Failure::Usage("one folder expected".to_string()));
    };
    let full = OpenApi::load_from(Path::new(source)).map_err(Failure::Failed)?;
    let files = extract(&full).map_err(Failure::Failed)?;
    let dir = openapi_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|error| Failure::Failed(format!("{}: {error}", dir.display())))?;
    for file in files {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.yaml)
            .map_err(|error| Failure::Failed(format!("{}: {error}", path.display())))?;
        println!("wrote {} ({} bytes)", path.display(), file.yaml.len());
    }
    Ok(())
}
