//! One subscription: `GET`, `PATCH` (renew; "Update subscription"), `DELETE`, and
//! `POST .../reauthorize` ("subscription: reauthorize": `204`, the expiry unchanged), plus the
//! list. An app sees only its own subscriptions in the caller's tenant (a delegated caller, only
//! those created for the signed-in user); removed and expired ones are gone (`404`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use chrono::Utc;
use serde_json::{Value, json};

use super::create::{
    check_expiration, expiration, json_object, notification_url, property, with_context,
};
use super::resource::still_authorized;
use super::{Operation, SubscriptionPath, invalid_request, subscription_not_found};
use crate::change_feed::subscriptions::Subscription;
use crate::change_feed::validation::validate;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::state::{SharedState, World};

/// Whether `caller` can see `subscription`.
fn visible(subscription: &Subscription, caller: &Caller) -> bool {
    subscription
        .application_id
        .eq_ignore_ascii_case(&caller.application_id)
        && subscription
            .tenant_id
            .eq_ignore_ascii_case(&caller.tenant_id)
        && subscription.is_active(Utc::now())
        && caller
            .user_id()
            .is_none_or(|user| subscription.creator_id.eq_ignore_ascii_case(user))
}

/// The subscription `id`, if the caller can see it.
fn find<'w>(world: &'w World, caller: &Caller, id: &str) -> Result<&'w Subscription, GraphError> {
    world
        .change_feed
        .subscriptions
        .get(id)
        .filter(|subscription| visible(subscription, caller))
        .ok_or_else(subscription_not_found)
}

/// `GET /v1.0/subscriptions`.
pub async fn list(State(state): State<SharedState>, caller: Caller) -> Json<Value> {
    let world = state.world();
    let values: Vec<Value> = world
        .change_feed
        .subscriptions
        .all()
        .iter()
        .filter(|subscription| visible(subscription, &caller))
        .map(Subscription::entity)
        .collect();
    Json(json!({
        "@odata.context": context_url(&state.base_url, "subscriptions"),
        "value": values,
    }))
}

/// `GET /v1.0/subscriptions/{id}`.
pub async fn get(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<SubscriptionPath>,
) -> Result<Json<Value>, GraphError> {
    let world = state.world();
    let subscription = find(&world, &caller, &path.id)?;
    Ok(Json(with_context(&state.base_url, subscription)))
}

/// `PATCH /v1.0/subscriptions/{id}`: a new `expirationDateTime` and/or `notificationUrl`
/// (validated like at creation). Also reauthorizes the subscription.
pub async fn update(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<SubscriptionPath>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let body = json_object(&body)?;
    let string = |name: &str| -> Result<Option<String>, GraphError> {
        property(&body, name)
            .map(|value| {
                value
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid_request(format!("{name} must be a string.")))
            })
            .transpose()
    };
    let new_expiration = string("expirationDateTime")?
        .map(|value| expiration(&value))
        .transpose()?;
    let new_url = string("notificationUrl")?
        .map(|value| notification_url("notificationUrl", &value))
        .transpose()?;
    if new_expiration.is_none() && new_url.is_none() {
        // Graph's wording (microsoftgraph/msgraph-sdk-java#2323).
        return Err(invalid_request(
            "Subscription must contain either the 'expirationDateTime' or 'notificationUrl' property and its value.",
        ));
    }
    {
        let world = state.world();
        let subscription = find(&world, &caller, &path.id)?;
        still_authorized(&world, &caller, &subscription.target, Operation::Update)?;
        if let Some(expires) = new_expiration {
            check_expiration(&subscription.target, expires)?;
        }
    }
    if let Some(url) = &new_url {
        validate(&state, url).await?;
    }
    let mut world = state.world();
    find(&world, &caller, &path.id)?;
    let subscription = world
        .change_feed
        .subscriptions
        .get_mut(&path.id)
        .expect("just found");
    if let Some(expires) = new_expiration {
        subscription.expiration = expires;
    }
    if let Some(url) = new_url {
        subscription.notification_url = url;
    }
    subscription.faults.paused = false;
    Ok(Json(with_context(&state.base_url, subscription)))
}

/// `DELETE /v1.0/subscriptions/{id}`: `204`.
pub async fn delete(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<SubscriptionPath>,
) -> Result<StatusCode, GraphError> {
    let mut world = state.world();
    find(&world, &caller, &path.id)?;
    world.change_feed.subscriptions.remove(&path.id);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1.0/subscriptions/{id}/reauthorize`: `204`; delivery resumes if it was paused.
pub async fn reauthorize(
    State(state): State<SharedState>,
    caller: Caller,
    Path(path): Path<SubscriptionPath>,
) -> Result<Response, GraphError> {
    let mut world = state.world();
    let subscription = find(&world, &caller, &path.id)?;
    still_authorized(
        &world,
        &caller,
        &subscription.target,
        Operation::Reauthorize,
    )?;
    if let Some(subscription) = world.change_feed.subscriptions.get_mut(&path.id) {
        subscription.faults.paused = false;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
