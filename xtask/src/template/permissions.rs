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

/// The `Sid` of every table statement starts with this, followed by its grant's name.
pub const TABLE_ITEMS_SID: &str = "TableItems";

/// Item actions on the table limited to keys of some prefixes (an IAM `dynamodb:LeadingKeys`
/// condition): one statement of a role. A function cannot read or write another kind of item
/// (`auth-start` a link), nor use an action on a kind of item it only needs another action on
/// (a Graph operation reads subscription owners' lists but never writes a subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableGrant {
    /// Names the statement: its `Sid` is `TableItems<name>`.
    pub name: &'static str,
    /// Item actions.
    pub actions: &'static [&'static str],
    /// The key prefixes they are limited to.
    pub key_prefixes: &'static [&'static str],
}

/// A function's access to the table, its keeper index, the settings secret and the event bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Item actions on the table, each limited to the kinds of item it is needed on.
    pub table_grants: &'static [TableGrant],
    /// Whether it queries the keeper index.
    pub queries_keeper_index: bool,
    /// Whether it reads the settings secret.
    pub reads_settings: bool,
    /// Whether it publishes to the event bus.
    pub publishes_events: bool,
}

impl Access {
    /// Every key prefix its table statements reach, in statement order.
    pub fn key_prefixes(&self) -> Vec<&'static str> {
        let mut prefixes = Vec::new();
        for prefix in self.table_grants.iter().flat_map(|g| g.key_prefixes) {
            if !prefixes.contains(prefix) {
                prefixes.push(*prefix);
            }
        }
        prefixes
    }
}

const fn grant(
    name: &'static str,
    actions: &'static [&'static str],
    key_prefixes: &'static [&'static str],
) -> TableGrant {
    TableGrant {
        name,
        actions,
        key_prefixes,
    }
}

/// Reads links and cached application tokens, writes rotated refresh tokens, invalid links and new
/// application tokens (every function that calls Graph).
const TOKENS: TableGrant = grant(
    "Tokens",
    &[GET_ITEM, PUT_ITEM],
    &[LINK_PREFIX, APP_TOKEN_PREFIX],
);
/// Forgets the subscriptions of a link it marks invalid: reads the owner's list, deletes each record
/// and takes it off the list.
const FORGET_SUBSCRIPTIONS: [TableGrant; 2] = [
    grant(
        "OwnersLists",
        &[GET_ITEM, UPDATE_ITEM],
        &[SUBSCRIPTION_OWNER_PREFIX],
    ),
    grant("Subscriptions", &[DELETE_ITEM], &[SUBSCRIPTION_PREFIX]),
];

/// Every Graph operation: its tokens, and forgetting the subscriptions of a link it marks invalid;
/// publishes the link events a refresh causes.
const GRAPH_OPERATION: Access = Access {
    table_grants: &[TOKENS, FORGET_SUBSCRIPTIONS[0], FORGET_SUBSCRIPTIONS[1]],
    queries_keeper_index: false,
    reads_settings: true,
    publishes_events: true,
};

/// The change feed's functions that store, verify, renew, replace and delete subscriptions.
const SUBSCRIPTION_WRITER: Access = Access {
    table_grants: &[
        TOKENS,
        grant(
            "OwnersLists",
            &[GET_ITEM, UPDATE_ITEM],
            &[SUBSCRIPTION_OWNER_PREFIX],
        ),
        grant(
            "Subscriptions",
            &[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM],
            &[SUBSCRIPTION_PREFIX],
        ),
    ],
    queries_keeper_index: false,
    reads_settings: true,
    publishes_events: true,
};

/// A function that reaches only the tables items of `table_grants`, reads the settings and
/// publishes nothing.
const fn reading_settings(table_grants: &'static [TableGrant]) -> Access {
    Access {
        table_grants,
        queries_keeper_index: false,
        reads_settings: true,
        publishes_events: false,
    }
}

const AUTH_START: Access =
    reading_settings(&[grant("SignIns", &[PUT_ITEM], &[SIGN_IN_STATE_PREFIX])]);
/// Takes the pending sign-in, parks the redeemed one under its handle.
const AUTH_CALLBACK: Access = reading_settings(&[
    grant("SignIns", &[DELETE_ITEM], &[SIGN_IN_STATE_PREFIX]),
    grant("Completions", &[PUT_ITEM], &[SIGN_IN_COMPLETION_PREFIX]),
]);
const AUTH_COMPLETE: Access = Access {
    publishes_events: true,
    ..reading_settings(&[grant(
        "Links",
        &[GET_ITEM, PUT_ITEM, DELETE_ITEM],
        &[SIGN_IN_COMPLETION_PREFIX, LINK_PREFIX, ACCOUNT_CLAIM_PREFIX],
    )])
};
const AUTH_STATUS: Access = Access {
    reads_settings: false,
    ..reading_settings(&[grant("Links", &[GET_ITEM], &[LINK_PREFIX])])
};
/// Also deletes the link's subscriptions at Graph (settings, the user's token, refreshed if need
/// be) and in the table.
const AUTH_REVOKE: Access = Access {
    publishes_events: true,
    ..reading_settings(&[
        grant(
            "Links",
            &[GET_ITEM, PUT_ITEM, DELETE_ITEM],
            &[LINK_PREFIX, ACCOUNT_CLAIM_PREFIX],
        ),
        FORGET_SUBSCRIPTIONS[0],
        grant(
            "Subscriptions",
            &[GET_ITEM, DELETE_ITEM],
            &[SUBSCRIPTION_PREFIX],
        ),
    ])
};
const KEEPER: Access = Access {
    queries_keeper_index: true,
    publishes_events: true,
    ..reading_settings(&[
        grant(
            "Tokens",
            &[GET_ITEM, PUT_ITEM, UPDATE_ITEM],
            &[LINK_PREFIX, APP_TOKEN_PREFIX],
        ),
        grant(
            "OwnersLists",
            &[GET_ITEM, UPDATE_ITEM],
            &[SUBSCRIPTION_OWNER_PREFIX],
        ),
        grant(
            "Subscriptions",
            &[GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM],
            &[SUBSCRIPTION_PREFIX],
        ),
    ])
};
const CACHE_CLEARING: Access =
    reading_settings(&[grant("AppTokens", &[DELETE_ITEM], &[APP_TOKEN_PREFIX])]);

/// The access of function `name`; `None` for a name no function has.
pub fn access_of(name: &str) -> Option<Access> {
    if catalog::find(name).is_some() {
        return Some(GRAPH_OPERATION);
    }
    Some(match name {
        SUBSCRIPTIONS_LIST => GRAPH_OPERATION,
        SUBSCRIPTIONS_CREATE | SUBSCRIPTIONS_DELETE | GRAPH_NOTIFICATIONS => SUBSCRIPTION_WRITER,
        "auth-start" => AUTH_START,
        "auth-callback" => AUTH_CALLBACK,
        "auth-complete" => AUTH_COMPLETE,
        "auth-status" => AUTH_STATUS,
        "auth-revoke" => AUTH_REVOKE,
        TOKEN_KEEPER => KEEPER,
        CACHE_CLEAR => CACHE_CLEARING,
        _ => return None,
    })
}
