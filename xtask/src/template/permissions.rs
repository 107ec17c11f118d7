//! What each function may do in AWS besides writing its own log group — the one place the template's
//! IAM policies come from.
//!
//! Each entry is derived from the calls the adapters make for that function (`shared/src/adapters`);
//! condition expressions and `ReturnValues` need no extra action:
//!
//! | adapter call | DynamoDB action | made for |
//! | --- | --- | --- |
//! | `DynamoTokenStore::get_link`, `get_app_token` (strongly consistent read) | `GetItem` | Graph operations (the caller's link, `userId` resolution, the cached application token), `auth-status`, `auth-complete` (the user's previous link, a claim holder's link), `auth-revoke` (the link's Microsoft account, to release its claim), `token-keeper` (re-reading each due link) |
//! | `DynamoTokenStore::replace_link_if_version` (conditional on `version`) | `PutItem` | Graph operations and `token-keeper` (a rotated refresh token, the link marked invalid, failing or at risk, a published link event cleared), `auth-complete` (the new link's published event cleared) |
//! | `DynamoTokenStore::put_app_token` | `PutItem` | Graph operations (caching an application token) |
//! | `DynamoTokenStore::put_link` | `PutItem` | `auth-complete` (the new link) |
//! | `DynamoTokenStore::defer_link` (conditional on `version`) | `UpdateItem` | `token-keeper` (a link whose refresh failed for now) |
//! | `DynamoTokenStore::delete_link` | `DeleteItem` | `auth-revoke` |
//! | `DynamoPendingCompletions::put` | `PutItem` | `auth-callback` (the redeemed sign-in, parked under its handle) |
//! | `DynamoPendingCompletions::take` (conditional delete returning the old item) | `DeleteItem` | `auth-complete` |
//! | `DynamoAccountClaims::claim`, `take_over` (conditional puts) | `PutItem` | `auth-complete` (`oneLinkPerMicrosoftAccount`) |
//! | `DynamoAccountClaims::holder` | `GetItem` | `auth-complete` (`oneLinkPerMicrosoftAccount`) |
//! | `DynamoAccountClaims::release` (conditional delete) | `DeleteItem` | `auth-complete` (the previous account's claim), `auth-revoke` |
//! | `DynamoTokenStore::delete_app_token` | `DeleteItem` | `cache-clear` |
//! | `DynamoSignInStates::put` | `PutItem` | `auth-start` (the pending sign-in) |
//! | `DynamoSignInStates::take` (conditional delete returning the old item) | `DeleteItem` | `auth-callback` |
//! | `DynamoDueLinks::due_page` | `Query` on the `keeper-due` index only | `token-keeper` |
//! | `DynamoSubscriptions::get` | `GetItem` | `graph-notifications` (verifying a notification), `subscriptions-delete`, `token-keeper` (a due subscription) |
//! | `DynamoSubscriptions::ids_of` (the owner's list) | `GetItem` | `auth-revoke` (the revoked link's subscriptions); every function that refreshes a delegated token, when it marks a link invalid |
//! | `DynamoSubscriptions::put` (the item, then `ADD` to its owner's list) | `PutItem`, `UpdateItem` | `subscriptions-create`, `graph-notifications` and `token-keeper` (renewed or replaced) |
//! | `DynamoSubscriptions::delete` (the item, then `DELETE` from its owner's list) | `DeleteItem`, `UpdateItem` | `subscriptions-delete`, `graph-notifications` and `token-keeper` (retiring a replaced one); every function that refreshes a delegated token (Graph operations, the subscription functions, `token-keeper`), forgetting the subscriptions of a link it marks invalid |
//! | `DynamoSubscriptions::due` | `Query` on the `keeper-due` index only (shard keys `subs#NN`) | `token-keeper` |
//! | `DynamoSubscriptions::defer` (conditional) | `UpdateItem` | `token-keeper` |
//!
//! `SecretsManagerSettings` (`GetSecretValue` on the settings secret) is read by every function that
//! needs the app registration or the encryption keys: all but `auth-status` and `auth-revoke`, which
//! only read or delete a link (and its claim).
//!
//! `EventBridgePublisher::publish` (`events:PutEvents`, on the stack's bus only) is allowed to the
//! functions whose [`Access::publishes_events`] is set: those that publish events. Link events
//! (`shared/src/link_health`) come from every Graph operation (a refresh that invalidates or
//! recovers a link), `auth-complete` (linked, relinked), `auth-revoke` (revoked) and
//! `token-keeper` (invalidated, recovered, at risk, and pending events left by others).
//!
//! With the `Tracing` parameter `Active`, every role may also write traces ([`XRAY_WRITE`]). SAM adds
//! an X-Ray managed policy for `Tracing` only to the roles it creates itself, never to a function
//! that names its own `Role`, as every function here does; so the template adds the statement,
//! under the `TracingActive` condition.

use shared::change_feed::functions::{
    GRAPH_NOTIFICATIONS, SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE, SUBSCRIPTIONS_LIST,
};
use shared::operations::catalog;
use shared::support::table_keys::{
    ACCOUNT_CLAIM_PREFIX, APP_TOKEN_PREFIX, LINK_PREFIX, SIGN_IN_COMPLETION_PREFIX,
    SIGN_IN_STATE_PREFIX, SUBSCRIPTION_OWNER_PREFIX, SUBSCRIPTION_PREFIX,
};

use super::deployed_functions::{CACHE_CLEAR, TOKEN_KEEPER};

/// `dynamodb:GetItem`.
pub const GET_ITEM: &str = "dynamodb:GetItem";
/// `dynamodb:PutItem`.
pub const PUT_ITEM: &str = "dynamodb:PutItem";
/// `dynamodb:UpdateItem`.
pub const UPDATE_ITEM: &str = "dynamodb:UpdateItem";
/// `dynamodb:DeleteItem`.
pub const DELETE_ITEM: &str = "dynamodb:DeleteItem";
/// `dynamodb:Query`, allowed on the keeper index only.
pub const QUERY: &str = "dynamodb:Query";
/// `secretsmanager:GetSecretValue`, allowed on the settings secret only.
pub const GET_SECRET_VALUE: &str = "secretsmanager:GetSecretValue";
/// `events:PutEvents`, allowed on the stack's event bus only.
pub const PUT_EVENTS: &str = "events:PutEvents";

/// What Lambda's X-Ray daemon sends with the function's role under active tracing (the Lambda
/// developer guide's list for the execution role). X-Ray has no resource-level permissions for them:
/// the template's only actions on `*`, and only while tracing is `Active`.
pub const XRAY_WRITE: [&str; 2] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// A function's access to the table, its keeper index and the settings secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Item actions on the table.
    pub table_actions: &'static [&'static str],
    /// The only table key prefixes those actions may touch (an IAM `dynamodb:LeadingKeys`
    /// condition): a function cannot read or write another kind of item, e.g. `auth-start` a link.
    pub key_prefixes: &'static [&'static str],
    /// Whether it queries the keeper index.
    pub queries_keeper_index: bool,
    /// Whether it reads the settings secret.
    pub reads_settings: bool,
    /// Whether it publishes to the event bus.
    pub publishes_events: bool,
}

/// Every Graph operation: reads links and cached application tokens, writes rotated refresh tokens,
/// invalid links and new application tokens, publishes the link events a refresh causes, and
/// forgets the subscriptions of a link it marks invalid (reads the owner's list, deletes each
/// record and takes it off the list).
const GRAPH_OPERATION: Access = Access {
    table_actions: &[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM],
    key_prefixes: SUBSCRIPTION_KEYS,
    queries_keeper_index: false,
    reads_settings: true,
    publishes_events: true,
};

/// The access of function `name`; `None` for a name no function has.
pub fn access_of(name: &str) -> Option<Access> {
    if catalog::find(name).is_some() {
        return Some(GRAPH_OPERATION);
    }
    if let Some(access) = change_feed_access(name) {
        return Some(access);
    }
    type Actions = &'static [&'static str];
    let (table_actions, key_prefixes, queries_keeper_index, reads_settings, publishes_events): (
        Actions,
        Actions,
        _,
        _,
        _,
    ) = match name {
        "auth-start" => (&[PUT_ITEM], &[SIGN_IN_STATE_PREFIX], false, true, false),
        "auth-callback" => (
            &[PUT_ITEM, DELETE_ITEM],
            &[SIGN_IN_STATE_PREFIX, SIGN_IN_COMPLETION_PREFIX],
            false,
            true,
            false,
        ),
        "auth-complete" => (
            &[GET_ITEM, PUT_ITEM, DELETE_ITEM],
            &[SIGN_IN_COMPLETION_PREFIX, LINK_PREFIX, ACCOUNT_CLAIM_PREFIX],
            false,
            true,
            true,
        ),
        "auth-status" => (&[GET_ITEM], &[LINK_PREFIX], false, false, false),
        // Also deletes the link's subscriptions at Graph (settings, the user's token, refreshed
        // if need be) and in the table.
        "auth-revoke" => (
            &[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM],
            &[
                LINK_PREFIX,
                ACCOUNT_CLAIM_PREFIX,
                SUBSCRIPTION_PREFIX,
                SUBSCRIPTION_OWNER_PREFIX,
            ],
            false,
            true,
            true,
        ),
        TOKEN_KEEPER => (
            &[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM],
            &[
                LINK_PREFIX,
                APP_TOKEN_PREFIX,
                SUBSCRIPTION_PREFIX,
                SUBSCRIPTION_OWNER_PREFIX,
            ],
            true,
            true,
            true,
        ),
        CACHE_CLEAR => (&[DELETE_ITEM], &[APP_TOKEN_PREFIX], false, true, false),
        _ => return None,
    };
    Some(Access {
        table_actions,
        key_prefixes,
        queries_keeper_index,
        reads_settings,
        publishes_events,
    })
}

/// The items the change feed's subscription work touches: links and application tokens (Graph
/// calls as the owner), subscriptions and owners' lists.
const SUBSCRIPTION_KEYS: &[&str] = &[
    LINK_PREFIX,
    APP_TOKEN_PREFIX,
    SUBSCRIPTION_PREFIX,
    SUBSCRIPTION_OWNER_PREFIX,
];

/// The access of the change feed's functions (`None` for any other name).
fn change_feed_access(name: &str) -> Option<Access> {
    let access = |table_actions| Access {
        table_actions,
        key_prefixes: SUBSCRIPTION_KEYS,
        queries_keeper_index: false,
        reads_settings: true,
        publishes_events: true,
    };
    match name {
        // Stores a subscription and lists it under its owner (taking back a subscription whose
        // record could not be stored is a Graph call only); deletes; verifies, renews, replaces and
        // retires; and, as every Graph operation, forgets the subscriptions of a link it marks
        // invalid.
        SUBSCRIPTIONS_CREATE | SUBSCRIPTIONS_DELETE | GRAPH_NOTIFICATIONS => {
            Some(access(&[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM]))
        }
        SUBSCRIPTIONS_LIST => Some(GRAPH_OPERATION),
        _ => None,
    }
}
