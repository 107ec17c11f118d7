//! Seeds many links fast, for the token keeper's tests and benchmark: the simulator issues each
//! user a real refresh token through its control API, and the link is written through the shared
//! crate's DynamoDB token store (encrypted, versioned, placed in the keeper index by the given
//! schedule) as if the user had signed in at a chosen time, without a sign-in's token redemption
//! and profile read.

use futures::stream::{self, StreamExt, TryStreamExt};
use shared::adapters::tokens::dynamo_token_store::DynamoTokenStore;
use shared::keeper::schedule::KeeperSchedule;
use shared::support::clock::{now_epoch, now_micros};
use shared::support::secret::Secret;
use shared::support::table_keys::link_key;
use shared::tokens::cipher::TokenCipher;
use shared::tokens::delegated_tokens::REFRESH_PURPOSE;
use shared::tokens::store::{Link, LinkStatus, TokenStore};

use crate::demo_directory::{DEMO_CLIENT_ID, DEMO_TENANT_ID};
use crate::sign_in::parsed_settings;
use crate::stack::TestStack;

/// Links written at a time.
const SEEDING_CONCURRENCY: usize = 16;
/// Seconds in a day.
const DAY_SECS: i64 = 24 * 3600;

/// Application users `{prefix}-0` to `{prefix}-{count - 1}`, all linked to one Microsoft user.
#[derive(Clone, Debug)]
pub struct LinkBatch<'a> {
    /// Prefix of the application user ids.
    pub prefix: &'a str,
    /// How many users.
    pub count: usize,
    /// The Microsoft object id every link belongs to (a user of the demo directory).
    pub ms_user_id: &'a str,
    /// Delegated scopes granted.
    pub scopes: &'a [&'a str],
    /// How many days ago the users signed in (and their tokens were last refreshed).
    pub days_ago: i64,
}

impl LinkBatch<'_> {
    /// The application user ids of the batch, in order.
    pub fn app_user_ids(&self) -> Vec<String> {
        (0..self.count)
            .map(|i| format!("{}-{i}", self.prefix))
            .collect()
    }
}

/// The stack's token store, placing valid links in the keeper index by `schedule` (which must be
/// the schedule the functions under test are configured with).
pub fn token_store(stack: &TestStack, schedule: KeeperSchedule) -> DynamoTokenStore {
    DynamoTokenStore::new(
        stack.dynamodb().clone(),
        &stack.function_env().table_name,
        schedule,
    )
}

/// Writes the links of `batch` and returns them, in no particular order.
///
/// # Panics
/// When the simulator or the table refuses.
pub async fn seed_links(
    stack: &TestStack,
    schedule: KeeperSchedule,
    batch: &LinkBatch<'_>,
) -> Vec<Link> {
    let store = token_store(stack, schedule);
    let settings = parsed_settings(stack);
    let cipher = TokenCipher::new(&settings.encryption_keys);
    let signed_in_at = now_epoch() - batch.days_ago * DAY_SECS;
    stream::iter(batch.app_user_ids())
        .map(|app_user_id| {
            let (store, cipher) = (&store, &cipher);
            async move {
                let refresh_token = stack
                    .simulator()
                    .issue_refresh_token(DEMO_CLIENT_ID, batch.ms_user_id, batch.scopes)
                    .await?;
                let link = Link {
                    refresh_token: cipher.seal(
                        &Secret::new(refresh_token),
                        REFRESH_PURPOSE,
                        &link_key(&app_user_id),
                    ),
                    app_user_id,
                    ms_user_id: batch.ms_user_id.to_string(),
                    ms_tenant_id: Some(DEMO_TENANT_ID.to_string()),
                    user_principal_name: None,
                    access_token: None,
                    access_expires_at: 0,
                    scopes: batch.scopes.iter().map(|scope| scope.to_string()).collect(),
                    version: now_micros(),
                    status: LinkStatus::Valid,
                    linked_at: signed_in_at,
                    last_refresh_at: signed_in_at,
                    health: Default::default(),
                };
                store
                    .put_link(&link)
                    .await
                    .map_err(|error| error.to_string())?;
                Ok::<Link, String>(link)
            }
        })
        .buffer_unordered(SEEDING_CONCURRENCY)
        .try_collect()
        .await
        .unwrap_or_else(|error| panic!("seeding links: {error}"))
}
