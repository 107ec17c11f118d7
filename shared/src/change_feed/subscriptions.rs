//! Creating, renewing, recreating and deleting Graph subscriptions for their owners, through the
//! operations executor (tokens, retries and Graph's answers as every operation gets them), and
//! keeping the table's records in step.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::change_feed::client_state::{new_client_state, seal};
use crate::change_feed::functions::{LIST_CALL, calls_for};
use crate::change_feed::store::SubscriptionStore;
use crate::change_feed::subscription::{Owner, ResourceKind, SubscriptionRecord};
use crate::change_feed::subscription_request::CreateSubscription;
use crate::error::{ApiError, ErrorCode};
use crate::operations::executor::Executor;
use crate::operations::graph_api::GraphResponse;
use crate::operations::graph_path::encode_segment;
use crate::operations::operation::Operation;
use crate::operations::request::{Caller, OperationRequest, Target};
use crate::settings::product_settings::Settings;
use crate::support::clock::{now_epoch, rfc3339};
use crate::support::deadline::Deadline;
use crate::support::table_keys::subscription_key;
use crate::tokens::store::TokenStore;

/// How long one invocation holds the replacement of a subscription (Graph creates a subscription,
/// validation included, within seconds).
pub const REPLACEMENT_CLAIM_SECS: i64 = 60;

/// What renewing a subscription found.
#[derive(Debug, Clone, PartialEq)]
pub enum Renewal {
    /// Graph extended it; the record holds the new expiry.
    Renewed,
    /// Graph no longer has it (404): it must be created again.
    Gone,
}

/// The subscriptions of the bundle, at Graph and in the table.
pub struct Subscriptions {
    executor: Arc<Executor>,
    store: Arc<dyn SubscriptionStore>,
    links: Arc<dyn TokenStore>,
    notification_url: Option<String>,
}

/// The caller whose permissions act for `owner`.
fn caller_of(owner: &Owner) -> Caller {
    match owner {
        Owner::AppUser(id) => Caller::Delegated(id.clone()),
        Owner::Application => Caller::Application,
    }
}

/// The owner a caller's subscriptions belong to.
pub fn owner_of(caller: &Caller) -> Owner {
    match caller {
        Caller::Delegated(id) => Owner::AppUser(id.clone()),
        Caller::Application => Owner::Application,
    }
}

/// A request for `caller` with `body` and path parameters `params`.
fn request(caller: Caller, params: &[(&str, &str)], body: Option<Value>) -> OperationRequest {
    OperationRequest {
        target: Target::None,
        caller,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        query: Vec::new(),
        all_pages: false,
        body,
        continuation: None,
        window: None,
        time_zone: None,
    }
}

/// Graph's 404 (the subscription is gone).
fn is_not_found(error: &ApiError) -> bool {
    matches!(error, ApiError::Graph { status: 404, .. })
}

/// Removes every `clientState` from a subscription or a list of them: it is a secret between Graph
/// and the bundle, never shown to callers.
pub fn redact(mut body: Value) -> Value {
    fn strip(item: &mut Value) {
        if let Value::Object(fields) = item {
            fields.remove("clientState");
        }
    }
    strip(&mut body);
    if let Some(Value::Array(items)) = body.get_mut("value") {
        items.iter_mut().for_each(strip);
    }
    body
}

/// `expirationDateTime` for a subscription of `kind` created or renewed now.
fn expiration(kind: ResourceKind) -> (i64, String) {
    let at = now_epoch() + kind.requested_lifetime_secs();
    (at, rfc3339(at).unwrap_or_default())
}

impl Subscriptions {
    /// Subscriptions over the executor (Graph, tokens), their table records and the links (a
    /// delegated owner's Microsoft user and tenant); `notification_url` is the bundle's public
    /// notification route (`NOTIFICATION_URL`).
    pub fn new(
        executor: Arc<Executor>,
        store: Arc<dyn SubscriptionStore>,
        links: Arc<dyn TokenStore>,
        notification_url: Option<String>,
    ) -> Self {
        Self {
            executor,
            store,
            links,
            notification_url,
        }
    }

    /// The table's subscription records.
    pub fn store(&self) -> &Arc<dyn SubscriptionStore> {
        &self.store
    }

    /// The settings (the keys `clientState`s are encrypted with).
    pub async fn settings(&self) -> Result<Arc<Settings>, ApiError> {
        self.executor.settings.get().await
    }

    async fn send(
        &self,
        operation: &Operation,
        request: OperationRequest,
        deadline: Deadline,
    ) -> Result<GraphResponse, ApiError> {
        self.executor
            .execute(
                operation,
                request,
                uuid::Uuid::new_v4().to_string(),
                deadline,
            )
            .await
    }

    /// The Microsoft user whose events `target` names, for `caller`, and the tenant of the owner.
    async fn user_and_tenant(
        &self,
        caller: &Caller,
        target: &Target,
    ) -> Result<(Option<String>, String), ApiError> {
        let settings = self.executor.settings.get().await?;
        let link = match caller {
            Caller::Delegated(id) => Some(self.links.get_link(id).await?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::RefreshTokenInvalid,
                    "no stored sign-in for `authUserId`: the user must sign in",
                )
            })?),
            Caller::Application => None,
        };
        let tenant = match &link {
            Some(link) => link
                .ms_tenant_id
                .clone()
                .unwrap_or_else(|| settings.tenant_id.clone()),
            None => settings.require_app_tenant()?.to_string(),
        };
        let user = match (target, &link) {
            (Target::None, _) => None,
            (Target::Me, Some(link)) => Some(link.ms_user_id.clone()),
            (Target::AppUser(id), Some(link)) if *id == link.app_user_id => {
                Some(link.ms_user_id.clone())
            }
            (Target::AppUser(id), _) => Some(self.executor.resolver.ms_user_id(id).await?),
            (Target::Microsoft(id), _) => Some(id.clone()),
            (Target::Me, None) => {
                return Err(ApiError::invalid(
                    "`userId` may be `me` only with `authUserId`",
                ));
            }
        };
        Ok((user, tenant))
    }

    /// Creates the subscription a caller asked for; Graph's answer without its `clientState`.
    pub async fn create(
        &self,
        request: CreateSubscription,
        deadline: Deadline,
    ) -> Result<(GraphResponse, SubscriptionRecord), ApiError> {
        let (user, tenant) = self
            .user_and_tenant(&request.caller, &request.target)
            .await?;
        let resource = match (request.kind, user, &request.calendar_id) {
            (ResourceKind::Users, _, _) => "users".to_string(),
            (ResourceKind::Events, Some(user), None) => {
                format!("users/{}/events", encode_segment(&user))
            }
            (ResourceKind::Events, Some(user), Some(calendar)) => format!(
                "users/{}/calendars/{}/events",
                encode_segment(&user),
                encode_segment(calendar)
            ),
            (ResourceKind::Events, None, _) => {
                return Err(ApiError::invalid("`userId` is required for events"));
            }
        };
        self.subscribe(
            owner_of(&request.caller),
            tenant,
            request.kind,
            resource,
            request.change_type,
            deadline,
        )
        .await
    }

    /// Creates a subscription at Graph and stores its record.
    async fn subscribe(
        &self,
        owner: Owner,
        tenant_id: String,
        kind: ResourceKind,
        resource: String,
        change_type: String,
        deadline: Deadline,
    ) -> Result<(GraphResponse, SubscriptionRecord), ApiError> {
        let url = self.notification_url.as_deref().ok_or_else(|| {
            ApiError::new(
                ErrorCode::ConfigurationInvalid,
                "NOTIFICATION_URL is not set: the change feed needs the public notification route",
            )
        })?;
        let settings = self.executor.settings.get().await?;
        let client_state = new_client_state();
        let (expires_at, expiration) = expiration(kind);
        let body = json!({
            "changeType": change_type,
            "notificationUrl": url,
            "lifecycleNotificationUrl": url,
            "resource": resource,
            "expirationDateTime": expiration,
            "clientState": client_state.expose(),
            "latestSupportedTlsVersion": "v1_2",
        });
        let response = self
            .send(
                &calls_for(kind).create,
                request(caller_of(&owner), &[], Some(body)),
                deadline,
            )
            .await?;
        let id = response
            .json_body()
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty() && id.len() <= 256)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UpstreamUnavailable,
                    "Graph created a subscription without an id",
                )
            })?
            .to_string();
        let record = SubscriptionRecord {
            client_state: seal(
                &settings.encryption_keys,
                &client_state,
                &subscription_key(&id),
            ),
            id,
            owner,
            tenant_id,
            kind,
            resource,
            change_type,
            expires_at,
        };
        if let Err(error) = self.store.put(&record).await {
            // Without its record every notification would be dropped: take it back at Graph.
            let _ = self.delete_at_graph(&record, deadline).await;
            return Err(error);
        }
        let answer = GraphResponse::json(response.status, redact(response.json_body().clone()));
        Ok((answer, record))
    }

    /// The caller's subscriptions as Graph lists them, without `clientState`.
    pub async fn list(
        &self,
        caller: Caller,
        deadline: Deadline,
    ) -> Result<GraphResponse, ApiError> {
        let response = self
            .send(&LIST_CALL, request(caller, &[], None), deadline)
            .await?;
        Ok(GraphResponse::json(
            response.status,
            redact(response.json_body().clone()),
        ))
    }

    async fn delete_at_graph(
        &self,
        record: &SubscriptionRecord,
        deadline: Deadline,
    ) -> Result<(), ApiError> {
        let result = self
            .send(
                &calls_for(record.kind).delete,
                request(
                    caller_of(&record.owner),
                    &[("subscriptionId", &record.id)],
                    None,
                ),
                deadline,
            )
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_not_found(&error) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Deletes subscription `id` for `caller`, who must own it; gone at Graph already is fine.
    pub async fn delete(
        &self,
        caller: &Caller,
        id: &str,
        deadline: Deadline,
    ) -> Result<(), ApiError> {
        let record = self.store.get(id).await?.ok_or_else(|| {
            ApiError::invalid("no subscription with this id was made through the bundle")
        })?;
        if record.owner != owner_of(caller) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "the subscription belongs to someone else",
            ));
        }
        self.remove(&record, deadline).await
    }

    /// Deletes `record`'s subscription at Graph and in the table.
    pub async fn remove(
        &self,
        record: &SubscriptionRecord,
        deadline: Deadline,
    ) -> Result<(), ApiError> {
        self.delete_at_graph(record, deadline).await?;
        self.store.delete(&record.id, &record.owner).await
    }

    /// Deletes every subscription of `owner` (its link was revoked); the count deleted.
    pub async fn remove_all_of(
        &self,
        owner: &Owner,
        deadline: Deadline,
    ) -> Result<usize, ApiError> {
        let mut removed = 0;
        for id in self.store.ids_of(owner).await? {
            match self.store.get(&id).await? {
                Some(record) => self.remove(&record, deadline).await?,
                None => self.store.delete(&id, owner).await?,
            }
            removed += 1;
        }
        Ok(removed)
    }

    /// Extends `record`'s subscription to Graph's maximum (which also reauthorizes it).
    pub async fn renew(
        &self,
        record: &SubscriptionRecord,
        deadline: Deadline,
    ) -> Result<Renewal, ApiError> {
        let (expires_at, expiration) = expiration(record.kind);
        let result = self
            .send(
                &calls_for(record.kind).renew,
                request(
                    caller_of(&record.owner),
                    &[("subscriptionId", &record.id)],
                    Some(json!({ "expirationDateTime": expiration })),
                ),
                deadline,
            )
            .await;
        match result {
            Ok(_) => {
                let renewed = SubscriptionRecord {
                    expires_at,
                    ..record.clone()
                };
                self.store.put(&renewed).await?;
                Ok(Renewal::Renewed)
            }
            Err(error) if is_not_found(&error) => Ok(Renewal::Gone),
            Err(error) => Err(error),
        }
    }

    /// A new subscription with `record`'s owner, resource and change types (Graph removed the old
    /// one). The old record stays until [`Self::retire`]; the caller publishes `Resync Needed`.
    /// Only one invocation at a time replaces a subscription (a claim on its record for
    /// [`REPLACEMENT_CLAIM_SECS`]); another gets `UpstreamUnavailable`, so Graph delivers the
    /// lifecycle notification again, by when the record is retired and the redelivery dropped.
    pub async fn recreate(
        &self,
        record: &SubscriptionRecord,
        deadline: Deadline,
    ) -> Result<SubscriptionRecord, ApiError> {
        let now = now_epoch();
        if !self
            .store
            .claim_replacement(&record.id, now, now + REPLACEMENT_CLAIM_SECS)
            .await?
        {
            return Err(ApiError::unavailable(
                "the subscription is being replaced by another invocation",
                Some(REPLACEMENT_CLAIM_SECS as u64),
            ));
        }
        let (_, created) = self
            .subscribe(
                record.owner.clone(),
                record.tenant_id.clone(),
                record.kind,
                record.resource.clone(),
                record.change_type.clone(),
                deadline,
            )
            .await?;
        Ok(created)
    }

    /// Forgets the record of a subscription Graph no longer has (after its replacement was announced).
    pub async fn retire(&self, record: &SubscriptionRecord) -> Result<(), ApiError> {
        self.store.delete(&record.id, &record.owner).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_states_never_leave_the_bundle() {
        let one = json!({"id": "s", "clientState": "secret", "resource": "users"});
        assert_eq!(redact(one), json!({"id": "s", "resource": "users"}));
        let list = json!({"value": [{"id": "a", "clientState": "x"}, {"id": "b"}]});
        assert_eq!(redact(list), json!({"value": [{"id": "a"}, {"id": "b"}]}));
        assert_eq!(
            owner_of(&caller_of(&Owner::Application)),
            Owner::Application
        );
    }
}
