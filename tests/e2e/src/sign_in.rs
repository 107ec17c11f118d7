//! Stores an application user's link the way the product does: the refresh token the simulator
//! issued is redeemed through the shared crate's identity platform client, and the result is linked
//! through its account linker into the stack's table (encrypted, versioned).

use std::time::Duration;

use shared::runtime::config::Config;
use shared::runtime::wiring::Adapters;
use shared::settings::product_settings::Settings;
use shared::sign_in::account_linker::AccountLinker;
use shared::support::deadline::Deadline;
use shared::support::secret::Secret;
use shared::tokens::store::Link;

use crate::aws::moto_sdk_config;
use crate::stack::{TestStack, UserLink};

/// The shared crate's real adapters (DynamoDB, Secrets Manager, simulator) for `stack`.
pub fn adapters(stack: &TestStack) -> (Config, Adapters) {
    let env = stack.env();
    let config = Config::from_lookup(|name| env.get(name).cloned())
        .expect("the stack's environment is complete");
    let adapters = Adapters::new(
        &config,
        &moto_sdk_config(&stack.function_env().aws_endpoint_url),
    );
    (config, adapters)
}

/// The stack's current settings, parsed as the functions parse them.
pub fn parsed_settings(stack: &TestStack) -> Settings {
    Settings::parse(&stack.settings().to_string()).expect("the stack's settings are valid")
}

/// Redeems `link`'s refresh token and stores the user's link, as a completed sign-in would.
///
/// # Panics
/// When Microsoft (the simulator) or the table refuses.
pub async fn store_link(stack: &TestStack, link: &UserLink) -> Link {
    let (_, adapters) = adapters(stack);
    let settings = parsed_settings(stack);
    let deadline = Deadline::after(Duration::from_secs(20));
    // `openid` brings the id token, whose `tid` the link keeps, as a real sign-in does.
    let mut scopes = link.scopes.clone();
    scopes.push("openid".into());
    let grant = adapters
        .identity_platform
        .refresh(
            &settings,
            &settings.tenant_id,
            &Secret::new(link.refresh_token.clone()),
            &scopes,
            None,
            deadline,
        )
        .await
        .expect("redeeming the issued refresh token");
    AccountLinker::new(adapters.store.clone(), adapters.graph.clone())
        .link(&settings, &link.app_user_id, grant, deadline)
        .await
        .expect("storing the link")
}

/// Signs `ms_user_id` in as application user `app_user_id` with `scopes` and stores the link.
pub async fn sign_in(
    stack: &TestStack,
    app_user_id: &str,
    ms_user_id: &str,
    scopes: &[&str],
) -> (UserLink, Link) {
    let issued = stack.link_user(app_user_id, ms_user_id, scopes).await;
    let link = store_link(stack, &issued).await;
    (issued, link)
}
