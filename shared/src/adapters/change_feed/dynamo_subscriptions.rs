//! Subscription records on DynamoDB: one item per subscription (`sub#<id>`, its `clientState`
//! encrypted), one list per owner (`subowner#<owner>`, a string set of ids, so revoking a link finds
//! its subscriptions without a scan), and the renewal time in the keeper's sparse index under the
//! shard key `subs#NN` (beside the links' `shard#NN`: no second index).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::dynamodb_attributes::{
    Item, corrupt, get_n, get_s, get_sealed, n, s, unavailable,
};
use crate::adapters::dynamodb_table::{KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY};
use crate::change_feed::store::SubscriptionStore;
use crate::change_feed::subscription::{Owner, ResourceKind, SubscriptionRecord, renewal_shard};
use crate::error::ApiError;
use crate::support::table_keys::{SUBSCRIPTION_PREFIX, subscription_key, subscription_owner_key};

/// The string set of an owner's subscription ids.
const IDS: &str = "ids";

/// [`SubscriptionStore`] on one DynamoDB table.
pub struct DynamoSubscriptions {
    client: Client,
    table: String,
    shards: u32,
}

impl DynamoSubscriptions {
    /// The subscriptions of `table`, spread over the keeper's `shards`.
    pub fn new(client: Client, table: impl Into<String>, shards: u32) -> Self {
        Self {
            client,
            table: table.into(),
            shards,
        }
    }

    fn item(&self, record: &SubscriptionRecord) -> Item {
        Item::from([
            (PARTITION_KEY.to_string(), s(&subscription_key(&record.id))),
            ("subscriptionId".to_string(), s(&record.id)),
            ("owner".to_string(), s(&record.owner.stored())),
            ("tenantId".to_string(), s(&record.tenant_id)),
            ("kind".to_string(), s(record.kind.as_str())),
            ("resource".to_string(), s(&record.resource)),
            ("changeType".to_string(), s(&record.change_type)),
            (
                "clientState".to_string(),
                AttributeValue::B(Blob::new(record.client_state.bytes.clone())),
            ),
            (
                "clientStateKeyId".to_string(),
                s(&record.client_state.key_id),
            ),
            ("subscriptionExpiresAt".to_string(), n(record.expires_at)),
            (
                KEEPER_SHARD.to_string(),
                s(&renewal_shard(&record.id, self.shards)),
            ),
            (KEEPER_DUE_AT.to_string(), n(record.renew_at())),
        ])
    }

    /// The record of subscription `id` in `item`; an item naming another id is refused as corrupt.
    fn parse(item: &Item, id: &str) -> Result<SubscriptionRecord, ApiError> {
        if get_s(item, "subscriptionId")? != id {
            return Err(corrupt("subscriptionId"));
        }
        Ok(SubscriptionRecord {
            id: id.to_string(),
            owner: Owner::from_stored(get_s(item, "owner")?).ok_or_else(|| corrupt("owner"))?,
            tenant_id: get_s(item, "tenantId")?.to_string(),
            kind: ResourceKind::parse(get_s(item, "kind")?).ok_or_else(|| corrupt("kind"))?,
            resource: get_s(item, "resource")?.to_string(),
            change_type: get_s(item, "changeType")?.to_string(),
            client_state: get_sealed(item, "clientState", "clientStateKeyId")?,
            expires_at: get_n(item, "subscriptionExpiresAt")?,
        })
    }

    async fn owner_list(&self, owner: &Owner, action: &str, id: &str) -> Result<(), ApiError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_owner_key(&owner.stored())))
            .update_expression(format!("{action} #ids :id"))
            .expression_attribute_names("#ids", IDS)
            .expression_attribute_values(":id", AttributeValue::Ss(vec![id.to_string()]))
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem of a subscription owner", e))?;
        Ok(())
    }
}

#[async_trait]
impl SubscriptionStore for DynamoSubscriptions {
    async fn put(&self, record: &SubscriptionRecord) -> Result<(), ApiError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.item(record)))
            .send()
            .await
            .map_err(|e| unavailable("PutItem of a subscription", e))?;
        self.owner_list(&record.owner, "ADD", &record.id).await
    }

    async fn get(&self, id: &str) -> Result<Option<SubscriptionRecord>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem of a subscription", e))?;
        output
            .item
            .as_ref()
            .map(|item| Self::parse(item, id))
            .transpose()
    }

    async fn delete(&self, id: &str, owner: &Owner) -> Result<(), ApiError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_key(id)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem of a subscription", e))?;
        self.owner_list(owner, "DELETE", id).await
    }

    async fn ids_of(&self, owner: &Owner) -> Result<Vec<String>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_owner_key(&owner.stored())))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem of a subscription owner", e))?;
        let mut ids: Vec<String> = output
            .item
            .as_ref()
            .and_then(|item| item.get(IDS))
            .and_then(|ids| ids.as_ss().ok())
            .cloned()
            .unwrap_or_default();
        ids.sort();
        Ok(ids)
    }

    async fn due(&self, shard: &str, now: i64, limit: u32) -> Result<Vec<String>, ApiError> {
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
            .limit(limit.max(1) as i32)
            .send()
            .await
            .map_err(|e| unavailable("Query of the renewal index", e))?;
        output
            .items()
            .iter()
            .map(|item| {
                get_s(item, PARTITION_KEY)?
                    .strip_prefix(SUBSCRIPTION_PREFIX)
                    .map(String::from)
                    .ok_or_else(|| corrupt(PARTITION_KEY))
            })
            .collect()
    }

    async fn defer(&self, id: &str, at: i64) -> Result<(), ApiError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_key(id)))
            .update_expression("SET #dueAt = :at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#dueAt", KEEPER_DUE_AT)
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(unavailable("UpdateItem of a subscription", e)),
        }
    }

    async fn claim_replacement(&self, id: &str, now: i64, until: i64) -> Result<bool, ApiError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&subscription_key(id)))
            .update_expression("SET #until = :until")
            .condition_expression(
                "attribute_exists(#pk) AND (attribute_not_exists(#until) OR #until < :now)",
            )
            .expression_attribute_names("#until", REPLACING_UNTIL)
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(unavailable("UpdateItem of a subscription", e)),
        }
    }
}

/// The attribute holding an unexpired replacement claim's end (epoch seconds).
const REPLACING_UNTIL: &str = "replacingUntil";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::cipher::Sealed;

    #[test]
    fn records_round_trip_and_sit_in_the_renewal_shards() {
        let store = DynamoSubscriptions::new(
            Client::from_conf(
                aws_sdk_dynamodb::Config::builder()
                    .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
                    .build(),
            ),
            "t",
            16,
        );
        let record = SubscriptionRecord {
            id: "s-1".into(),
            owner: Owner::AppUser("alice".into()),
            tenant_id: "t-1".into(),
            kind: ResourceKind::Events,
            resource: "users/u/events".into(),
            change_type: "created".into(),
            client_state: Sealed {
                key_id: "k1".into(),
                bytes: vec![1, 2, 3],
            },
            expires_at: 1_000_000,
        };
        let item = store.item(&record);
        assert_eq!(DynamoSubscriptions::parse(&item, "s-1").unwrap(), record);
        assert!(DynamoSubscriptions::parse(&item, "s-2").is_err());
        assert!(item[KEEPER_SHARD].as_s().unwrap().starts_with("subs#"));
        assert_eq!(
            item[KEEPER_DUE_AT].as_n().unwrap(),
            &record.renew_at().to_string()
        );
        assert!(!item.contains_key(crate::adapters::dynamodb_table::TTL_ATTRIBUTE));
    }
}
