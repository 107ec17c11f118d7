//! The token store on DynamoDB: one item per link (`link#<appUserId>`) and per cached application
//! token (`apptoken#current`). Link writes that rotate tokens are conditional on the
//! stored `version`.

use crate::support::table_keys::link_key;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::adapters::dynamodb_attributes::{
    Item, corrupt, get_n, get_opt_s, get_s, get_sealed, n, s, unavailable,
};
use crate::adapters::dynamodb_table::{KEEPER_DUE_AT, KEEPER_SHARD, PARTITION_KEY, TTL_ATTRIBUTE};
use crate::error::ApiError;
use crate::keeper::schedule::KeeperSchedule;
use crate::link_health::health::LinkHealth;
use crate::link_health::link_event::{LinkEventKind, LinkEventRecord};
use crate::link_health::reason::LinkReason;
use crate::tokens::store::{AppTokenRecord, Link, LinkStatus, TokenStore};

/// [`TokenStore`] on one DynamoDB table (layout in [`crate::adapters::dynamodb_table`]).
pub struct DynamoTokenStore {
    client: Client,
    table: String,
    schedule: KeeperSchedule,
}

impl DynamoTokenStore {
    /// A store on `table`; `schedule` decides when the keeper must next refresh each link.
    pub fn new(client: Client, table: impl Into<String>, schedule: KeeperSchedule) -> Self {
        Self {
            client,
            table: table.into(),
            schedule,
        }
    }

    fn link_item(&self, link: &Link) -> Item {
        let mut item = Item::from([
            (PARTITION_KEY.to_string(), s(&link_key(&link.app_user_id))),
            ("appUserId".to_string(), s(&link.app_user_id)),
            ("msUserId".to_string(), s(&link.ms_user_id)),
            (
                "refreshToken".to_string(),
                AttributeValue::B(Blob::new(link.refresh_token.bytes.clone())),
            ),
            ("refreshKeyId".to_string(), s(&link.refresh_token.key_id)),
            ("accessExpiresAt".to_string(), n(link.access_expires_at)),
            (
                "scopes".to_string(),
                AttributeValue::L(link.scopes.iter().map(|x| s(x)).collect()),
            ),
            ("version".to_string(), n(link.version)),
            ("linkedAt".to_string(), n(link.linked_at)),
            ("lastRefreshAt".to_string(), n(link.last_refresh_at)),
        ]);
        if let Some(tenant) = &link.ms_tenant_id {
            item.insert("msTenantId".into(), s(tenant));
        }
        if let Some(upn) = &link.user_principal_name {
            item.insert("userPrincipalName".into(), s(upn));
        }
        if let Some(access) = &link.access_token {
            item.insert(
                "accessToken".into(),
                AttributeValue::B(Blob::new(access.bytes.clone())),
            );
            item.insert("accessKeyId".into(), s(&access.key_id));
        }
        // Valid links are in the keeper's sparse index, and so is any link with a link event
        // still to publish (due when it happened), so the keeper's next run publishes it.
        let pending_since = link
            .health
            .last_event
            .as_ref()
            .filter(|_| link.health.event_pending)
            .map(|event| event.at);
        let due_at = match &link.status {
            LinkStatus::Valid => {
                item.insert("status".into(), s("valid"));
                let due_at = self.schedule.due_at(link.last_refresh_at);
                Some(pending_since.map_or(due_at, |since| since.min(due_at)))
            }
            LinkStatus::Invalid { reason } => {
                item.insert("status".into(), s("invalid"));
                item.insert("invalidReason".into(), s(reason));
                pending_since
            }
        };
        if let Some(due_at) = due_at {
            item.insert(
                KEEPER_SHARD.into(),
                s(&self.schedule.shard_of(&link.app_user_id)),
            );
            item.insert(KEEPER_DUE_AT.into(), n(due_at));
        }
        Self::put_health(&mut item, &link.health);
        item
    }

    /// The attributes of a link's health: `failingSince`, the last event (`lastEventType`,
    /// `lastEventReason`, `lastEventAt`, `lastEventId`) and `eventPending` while it waits to be
    /// published.
    fn put_health(item: &mut Item, health: &LinkHealth) {
        if let Some(since) = health.failing_since {
            item.insert("failingSince".into(), n(since));
        }
        if let Some(event) = &health.last_event {
            item.insert("lastEventType".into(), s(event.kind.detail_type()));
            item.insert("lastEventReason".into(), s(event.reason.as_str()));
            item.insert("lastEventAt".into(), n(event.at));
            item.insert("lastEventId".into(), s(&event.id));
            if health.event_pending {
                item.insert("eventPending".into(), AttributeValue::Bool(true));
            }
        }
    }

    /// The health recorded in `item`; an event of a kind or reason this version does not know is
    /// corrupt.
    fn parse_health(item: &Item) -> Result<LinkHealth, ApiError> {
        let failing_since = if item.contains_key("failingSince") {
            Some(get_n(item, "failingSince")?)
        } else {
            None
        };
        let last_event = if item.contains_key("lastEventType") {
            Some(LinkEventRecord {
                kind: LinkEventKind::parse(get_s(item, "lastEventType")?)
                    .ok_or_else(|| corrupt("lastEventType"))?,
                reason: LinkReason::parse(get_s(item, "lastEventReason")?)
                    .ok_or_else(|| corrupt("lastEventReason"))?,
                at: get_n(item, "lastEventAt")?,
                id: get_s(item, "lastEventId")?.to_string(),
            })
        } else {
            None
        };
        Ok(LinkHealth {
            failing_since,
            event_pending: last_event.is_some()
                && matches!(item.get("eventPending"), Some(AttributeValue::Bool(true))),
            last_event,
        })
    }

    /// The link of `app_user_id` stored in `item`. Its owner is the key that was asked for, so the
    /// tokens decrypt only with that key as associated data; an item whose own `appUserId` says
    /// otherwise (copied from another user's key) is refused as corrupt.
    fn parse_link(item: &Item, app_user_id: &str) -> Result<Link, ApiError> {
        if get_s(item, "appUserId")? != app_user_id {
            return Err(corrupt("appUserId"));
        }
        let status = match get_s(item, "status")? {
            "valid" => LinkStatus::Valid,
            _ => LinkStatus::Invalid {
                reason: get_opt_s(item, "invalidReason").unwrap_or_else(|| "unknown".into()),
            },
        };
        let scopes = item
            .get("scopes")
            .and_then(|v| v.as_l().ok())
            .map(|list| list.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
            .unwrap_or_default();
        Ok(Link {
            app_user_id: app_user_id.to_string(),
            ms_user_id: get_s(item, "msUserId")?.to_string(),
            ms_tenant_id: get_opt_s(item, "msTenantId"),
            user_principal_name: get_opt_s(item, "userPrincipalName"),
            refresh_token: get_sealed(item, "refreshToken", "refreshKeyId")?,
            access_token: if item.contains_key("accessToken") {
                Some(get_sealed(item, "accessToken", "accessKeyId")?)
            } else {
                None
            },
            access_expires_at: get_n(item, "accessExpiresAt")?,
            scopes,
            version: get_n(item, "version")?,
            status,
            linked_at: get_n(item, "linkedAt")?,
            last_refresh_at: get_n(item, "lastRefreshAt")?,
            health: Self::parse_health(item)?,
        })
    }

    async fn get_item(&self, key: &str) -> Result<Option<Item>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        Ok(output.item)
    }
}

#[async_trait]
impl TokenStore for DynamoTokenStore {
    async fn get_link(&self, app_user_id: &str) -> Result<Option<Link>, ApiError> {
        self.get_item(&link_key(app_user_id))
            .await?
            .as_ref()
            .map(|item| Self::parse_link(item, app_user_id))
            .transpose()
    }

    async fn put_link(&self, link: &Link) -> Result<(), ApiError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.link_item(link)))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn replace_link_if_version(
        &self,
        link: &Link,
        expected_version: u64,
    ) -> Result<bool, ApiError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.link_item(link)))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", n(expected_version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(unavailable("conditional PutItem", e)),
        }
    }

    async fn delete_link(&self, app_user_id: &str) -> Result<(), ApiError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&link_key(app_user_id)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }

    async fn defer_link(
        &self,
        app_user_id: &str,
        expected_version: u64,
        due_at: i64,
    ) -> Result<bool, ApiError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&link_key(app_user_id)))
            .update_expression("SET #dueAt = :dueAt")
            // Only links in the keeper index (valid ones) carry a shard.
            .condition_expression("#version = :expected AND attribute_exists(#shard)")
            .expression_attribute_names("#dueAt", KEEPER_DUE_AT)
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#shard", KEEPER_SHARD)
            .expression_attribute_values(":dueAt", n(due_at))
            .expression_attribute_values(":expected", n(expected_version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(unavailable("conditional UpdateItem", e)),
        }
    }

    async fn get_app_token(&self, key: &str) -> Result<Option<AppTokenRecord>, ApiError> {
        let Some(item) = self.get_item(key).await? else {
            return Ok(None);
        };
        Ok(Some(AppTokenRecord {
            access_token: get_sealed(&item, "accessToken", "accessKeyId")?,
            expires_at: get_n(&item, TTL_ATTRIBUTE)?,
            acquired_at: if item.contains_key("acquiredAt") {
                get_n(&item, "acquiredAt")?
            } else {
                0
            },
        }))
    }

    async fn put_app_token(&self, key: &str, record: &AppTokenRecord) -> Result<(), ApiError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PARTITION_KEY, s(key))
            .item(
                "accessToken",
                AttributeValue::B(Blob::new(record.access_token.bytes.clone())),
            )
            .item("accessKeyId", s(&record.access_token.key_id))
            .item(TTL_ATTRIBUTE, n(record.expires_at))
            .item("acquiredAt", n(record.acquired_at))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn delete_app_token(&self, key: &str) -> Result<(), ApiError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(key))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }
}
