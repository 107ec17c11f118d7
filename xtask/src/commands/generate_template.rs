//! Rewrites `template.yaml` from the operations catalog (see `e2e::template`).

use e2e::template::{template_path, template_yaml};

fn main() -> std::io::Result<()> {
    let path = template_path();
    std::fs::write(&path, template_yaml())?;
    println!("wrote {}", std::fs::canonicalize(&path)?.display());
    Ok(())
}
