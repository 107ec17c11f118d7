//! The keeper index on DynamoDB: a Query on the sparse GSI `keeper-due`
//! (`keeperShard = :shard AND keeperDueAt <= :now`), never a Scan. The index needs only the keys
//! (projection `KEYS_ONLY`): the keeper reads each due link itself, strongly consistently.

use crate::support::table_keys::{app_user_of_link_key, link_key};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;

use crate::adapters::dynamodb_attributes::{Item, corrupt, get_n, get_s, n, s, unavailable};
use crate::adapters::dynamodb_table::{KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY};
use crate::error::ApiError;
use crate::keeper::due_links::{DueLink, DueLinks, DuePage};

/// [`DueLinks`] on the keeper index of one DynamoDB table.
pub struct DynamoDueLinks {
    client: Client,
    table: String,
}

/// The due link an index entry stands for.
fn due_link(item: &Item) -> Result<DueLink, ApiError> {
    let app_user_id =
        app_user_of_link_key(get_s(item, PARTITION_KEY)?).ok_or_else(|| corrupt(PARTITION_KEY))?;
    Ok(DueLink {
        app_user_id: app_user_id.to_string(),
        due_at: get_n(item, KEEPER_DUE_AT)?,
    })
}

/// The index key of `link` in `shard`, where the next page starts after it.
fn start_key(shard: &str, link: &DueLink) -> Item {
    Item::from([
        (PARTITION_KEY.to_string(), s(&link_key(&link.app_user_id))),
        (KEEPER_SHARD.to_string(), s(shard)),
        (KEEPER_DUE_AT.to_string(), n(link.due_at)),
    ])
}

impl DynamoDueLinks {
    /// The keeper index of `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

#[async_trait]
impl DueLinks for DynamoDueLinks {
    async fn due_page(
        &self,
        shard: &str,
        now: i64,
        after: Option<&DueLink>,
        limit: u32,
    ) -> Result<DuePage, ApiError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(KEEPER_INDEX)
            .key_condition_expression("#shard = :shard AND #dueAt <= :now")
            .expression_attribute_names("#shard", KEEPER_SHARD)
            .expression_attribute_names("#dueAt", KEEPER_DUE_AT)
            .expression_attribute_values(":shard", s(shard))
            .expression_attribute_values(":now", n(now))
            .set_exclusive_start_key(after.map(|link| start_key(shard, link)))
            .limit(limit.max(1) as i32)
            .send()
            .await
            .map_err(|error| unavailable("Query of the keeper index", error))?;
        Ok(DuePage {
            links: output
                .items()
                .iter()
                .map(due_link)
                .collect::<Result<_, _>>()?,
            more: output.last_evaluated_key().is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_and_start_keys_round_trip() {
        let link = DueLink {
            app_user_id: "user#7".into(),
            due_at: 1_700_000_000,
        };
        let key = start_key("shard#03", &link);
        assert_eq!(key[KEEPER_SHARD].as_s().unwrap(), "shard#03");
        assert_eq!(due_link(&key).unwrap(), link);
        assert!(due_link(&Item::new()).is_err());
    }
}
