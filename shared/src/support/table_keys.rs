//! The partition keys of the bundle's one DynamoDB table, defined once: each kind of item has its
//! own prefix, so kinds never collide and each function's IAM policy can be limited to the
//! prefixes it needs. A key is also the owner bound into the encryption of the item's secrets, except
//! the cached application token's (see [`APP_TOKEN_KEY`]).

/// Prefix of a link: an application user's stored Microsoft sign-in.
pub const LINK_PREFIX: &str = "link#";
/// Prefix of a cached application token.
pub const APP_TOKEN_PREFIX: &str = "apptoken#";
/// Prefix of a pending sign-in, waiting for Microsoft's callback.
pub const SIGN_IN_STATE_PREFIX: &str = "state#";
/// Prefix of a redeemed sign-in, waiting for `auth-complete` in the application user's session.
pub const SIGN_IN_COMPLETION_PREFIX: &str = "completion#";
/// Prefix of a Microsoft account's claim by one application user (`oneLinkPerMicrosoftAccount`).
pub const ACCOUNT_CLAIM_PREFIX: &str = "msaccount#";
/// Prefix of a Graph subscription the change feed made.
pub const SUBSCRIPTION_PREFIX: &str = "sub#";
/// Prefix of the list of one owner's subscriptions.
pub const SUBSCRIPTION_OWNER_PREFIX: &str = "subowner#";

/// The key of the link of application user `app_user_id`.
pub fn link_key(app_user_id: &str) -> String {
    format!("{LINK_PREFIX}{app_user_id}")
}

/// The application user id whose link has key `key`, if it is a link key.
pub fn app_user_of_link_key(key: &str) -> Option<&str> {
    key.strip_prefix(LINK_PREFIX)
}

/// The key of the cached application token. There is one: the settings name one application in
/// one tenant. The key does not depend on the settings, so a new container can read the token
/// while it is still reading the settings; the tenant and client the token was issued for are
/// bound into its encryption instead ([`app_token_owner`]), so a token cached under other settings
/// never opens under these and is replaced.
pub const APP_TOKEN_KEY: &str = "apptoken#current";

/// The owner bound into the encryption of the application token of client `client_id` in tenant
/// `tenant` (and the key of its copy in a container's memory).
pub fn app_token_owner(tenant: &str, client_id: &str) -> String {
    format!("{APP_TOKEN_PREFIX}{tenant}#{client_id}")
}

/// The key of the sign-in started with `state`.
pub fn sign_in_state_key(state: &str) -> String {
    format!("{SIGN_IN_STATE_PREFIX}{state}")
}

/// The key of the redeemed sign-in handed to the browser as `handle`.
pub fn sign_in_completion_key(handle: &str) -> String {
    format!("{SIGN_IN_COMPLETION_PREFIX}{handle}")
}

/// The key of the claim on Microsoft account `ms_user_id` of tenant `tenant_id` (both compared
/// case-insensitively, as Microsoft compares GUIDs).
pub fn account_claim_key(tenant_id: &str, ms_user_id: &str) -> String {
    format!(
        "{ACCOUNT_CLAIM_PREFIX}{}#{}",
        tenant_id.to_ascii_lowercase(),
        ms_user_id.to_ascii_lowercase()
    )
}

/// The key of Graph subscription `subscription_id`.
pub fn subscription_key(subscription_id: &str) -> String {
    format!("{SUBSCRIPTION_PREFIX}{subscription_id}")
}

/// The key of the list of the subscriptions of `owner` (as stored: `user:<id>` or `application`).
pub fn subscription_owner_key(owner: &str) -> String {
    format!("{SUBSCRIPTION_OWNER_PREFIX}{owner}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_prefix() {
        assert_eq!(link_key("alice"), "link#alice");
        assert_eq!(app_user_of_link_key("link#alice"), Some("alice"));
        assert_eq!(app_user_of_link_key("state#alice"), None);
        assert_eq!(app_token_owner("t", "c"), "apptoken#t#c");
        assert!(APP_TOKEN_KEY.starts_with(APP_TOKEN_PREFIX));
        assert_eq!(sign_in_state_key("s"), "state#s");
        assert_eq!(sign_in_completion_key("h"), "completion#h");
        assert_eq!(account_claim_key("T-1", "O-1"), "msaccount#t-1#o-1");
        assert_eq!(subscription_key("s"), "sub#s");
        assert_eq!(
            subscription_owner_key("application"),
            "subowner#application"
        );
        assert!(!subscription_owner_key("x").starts_with(SUBSCRIPTION_PREFIX));
    }
}
