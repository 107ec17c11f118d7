//! The Python baseline (`tests/bench/python`): how its handlers are started, the plaintext copy of
//! a link they redeem, and the installed size of the packages they import.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::aws::REGION;
use e2e::paths::repo_root;
use e2e::stack::{TestStack, UserLink};
use shared::adapters::dynamodb_table::PARTITION_KEY;

/// Partition key prefix of the baseline's plaintext links (`handlers.LINK_PREFIX`).
const LINK_PREFIX: &str = "baseline-link#";

fn python_dir() -> PathBuf {
    repo_root().join("tests/bench/python")
}

fn venv_python() -> PathBuf {
    repo_root().join(".venv/bin/python")
}

/// The baseline's Lambda bootstrap (`python -m awslambdaric $_HANDLER`).
pub fn bootstrap() -> PathBuf {
    python_dir().join("bootstrap")
}

/// The variables the baseline reads on top of a function's: handler, interpreter, module path,
/// the discovery stand-in at `discovery_url`, and the region under boto3's name.
pub fn handler_env(handler: &str, discovery_url: &str) -> BTreeMap<String, String> {
    [
        ("_HANDLER", handler.to_string()),
        ("BASELINE_PYTHON", venv_python().display().to_string()),
        ("PYTHONPATH", python_dir().display().to_string()),
        // As deployed to Lambda: the handler module is compiled on import, packages were at install.
        ("PYTHONDONTWRITEBYTECODE", "1".to_string()),
        ("OIDC_DISCOVERY_URL", discovery_url.to_string()),
        ("AWS_DEFAULT_REGION", REGION.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
}

/// Stores `link`'s refresh token and scopes in plaintext where the baseline reads them.
pub async fn seed_link(stack: &TestStack, link: &UserLink) -> Result<(), String> {
    stack
        .dynamodb()
        .put_item()
        .table_name(&stack.function_env().table_name)
        .item(
            PARTITION_KEY,
            AttributeValue::S(format!("{LINK_PREFIX}{}", link.app_user_id)),
        )
        .item(
            "refreshToken",
            AttributeValue::S(link.refresh_token.clone()),
        )
        .item("scopes", AttributeValue::Ss(link.scopes.clone()))
        .send()
        .await
        .map(drop)
        .map_err(|error| format!("seeding the baseline's link: {error:?}"))
}

/// Bytes installed for the packages of `infra/bench-requirements.txt` and everything they require.
pub fn installed_size() -> Result<u64, String> {
    let requirements_file = repo_root().join("infra/bench-requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_file)
        .map_err(|error| format!("reading {}: {error}", requirements_file.display()))?;
    let packages = requirements
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split("==").next())
        .map(str::trim)
        .filter(|name| !name.is_empty());
    let output = Command::new(venv_python())
        .arg(python_dir().join("package_size.py"))
        .args(packages)
        .output()
        .map_err(|error| format!("running package_size.py: {error}"))?;
    let printed = String::from_utf8_lossy(&output.stdout);
    printed.trim().parse().map_err(|_| {
        format!(
            "package_size.py printed {printed:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
