//! infra/DEPLOY.md stays true to what it documents: its settings example is valid settings, and it
//! describes every parameter and output of `template.yaml`.

use base64::Engine;
use e2e::paths::repo_root;
use shared::settings::product_settings::Settings;
use shared::sign_in::functions;
use xtask::template::template;

/// Marks the start of the settings example in DEPLOY.md.
const EXAMPLE_BEGIN: &str = "<!-- settings-example:begin -->";
/// Marks its end.
const EXAMPLE_END: &str = "<!-- settings-example:end -->";
/// Stands for the encryption key in the example (never a real key in the docs).
const KEY_PLACEHOLDER: &str = "<base64 of 32 random bytes>";

fn deploy_docs() -> String {
    std::fs::read_to_string(repo_root().join("infra/DEPLOY.md")).expect("infra/DEPLOY.md exists")
}

#[test]
fn the_settings_example_is_valid_settings_once_a_key_is_filled_in() {
    let docs = deploy_docs();
    let start = docs
        .find(EXAMPLE_BEGIN)
        .expect("the example's start marker")
        + EXAMPLE_BEGIN.len();
    let end = docs.find(EXAMPLE_END).expect("the example's end marker");
    let example = docs[start..end]
        .trim()
        .strip_prefix("```json")
        .and_then(|rest| rest.strip_suffix("```"))
        .expect("the example is one json block");
    assert!(example.contains(KEY_PLACEHOLDER));
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let settings = Settings::parse(&example.replace(KEY_PLACEHOLDER, &key))
        .unwrap_or_else(|error| panic!("the example is not valid settings: {error}"));
    let callback_route = functions::find("auth-callback").unwrap().route;
    assert!(
        settings
            .redirect_uri
            .as_deref()
            .is_some_and(|uri| uri.ends_with(callback_route)),
        "the example's redirectUri is the auth-callback route"
    );
    assert!(settings.app_tenant_id.is_some());
}

#[test]
fn every_parameter_and_output_of_the_template_is_documented() {
    let docs = deploy_docs();
    let template = template();
    for section in ["Parameters", "Outputs"] {
        let names = template[section].as_mapping().unwrap().keys();
        for name in names {
            let name = name.as_str().unwrap();
            assert!(
                docs.contains(&format!("| `{name}` |")),
                "infra/DEPLOY.md does not describe {section} `{name}`"
            );
        }
    }
}
