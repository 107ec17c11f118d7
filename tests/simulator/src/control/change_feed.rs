//! Control endpoints of the change feed: read subscriptions and the delivery log, send lifecycle
//! notifications, lose or pause change notifications, remove subscriptions silently, tune
//! delivery timings and expire delta sync states. See `CHANGE_FEED.md`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{ControlError, ControlJson};
use crate::change_feed::delivery::send;
use crate::change_feed::notify::{LifecycleEvent, lifecycle};
use crate::change_feed::settings::{FeedSettings, FeedSettingsUpdate};
use crate::state::SharedState;

/// Routes of the change feed's control endpoints.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/_control/subscriptions", get(list_subscriptions))
        .route(
            "/_control/subscriptions/{id}/lifecycle",
            post(send_lifecycle),
        )
        .route("/_control/subscriptions/{id}/lose", post(lose))
        .route("/_control/subscriptions/{id}/remove", post(remove))
        .route(
            "/_control/notifications",
            get(list_notifications).delete(clear_notifications),
        )
        .route("/_control/change-feed/settings", post(update_settings))
        .route("/_control/delta-tokens/expire", post(expire_delta_tokens))
}

/// `/_control/subscriptions/{id}`.
#[derive(Debug, Deserialize)]
struct IdPath {
    id: String,
}

fn unknown(id: &str) -> ControlError {
    ControlError::not_found(format!("no subscription {id}"))
}

/// `GET /_control/subscriptions`: every subscription of every tenant, expired ones too.
async fn list_subscriptions(State(state): State<SharedState>) -> Json<Value> {
    let world = state.world();
    let subscriptions: Vec<Value> = world
        .change_feed
        .subscriptions
        .all()
        .iter()
        .map(|subscription| {
            let mut entity = subscription.entity();
            entity["tenantId"] = json!(subscription.tenant_id);
            entity
        })
        .collect();
    Json(json!({ "subscriptions": subscriptions }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LifecycleRequest {
    lifecycle_event: String,
    #[serde(default)]
    pause_delivery: bool,
}

/// `POST /_control/subscriptions/{id}/lifecycle`: sends a lifecycle notification, with its effect.
async fn send_lifecycle(
    State(state): State<SharedState>,
    Path(path): Path<IdPath>,
    ControlJson(request): ControlJson<LifecycleRequest>,
) -> Result<StatusCode, ControlError> {
    let event = LifecycleEvent::parse(&request.lifecycle_event).ok_or_else(|| {
        ControlError::bad_request(format!(
            "lifecycleEvent must be reauthorizationRequired, subscriptionRemoved or missed, not {}",
            request.lifecycle_event
        ))
    })?;
    if request.pause_delivery && event != LifecycleEvent::ReauthorizationRequired {
        return Err(ControlError::bad_request(
            "pauseDelivery goes with reauthorizationRequired only",
        ));
    }
    let delivery = {
        let mut world = state.world();
        let subscriptions = &mut world.change_feed.subscriptions;
        let subscription = match event {
            LifecycleEvent::SubscriptionRemoved => subscriptions.remove(&path.id),
            _ => subscriptions.get(&path.id).cloned(),
        }
        .ok_or_else(|| unknown(&path.id))?;
        if request.pause_delivery
            && let Some(live) = subscriptions.get_mut(&path.id)
        {
            live.faults.paused = true;
        }
        lifecycle(&subscription, event)
    };
    if let Some(delivery) = delivery {
        send(&state, delivery);
    }
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LoseRequest {
    count: u32,
    #[serde(default = "announce_by_default")]
    announce: bool,
}

fn announce_by_default() -> bool {
    true
}

/// `POST /_control/subscriptions/{id}/lose`: drop the next `count` change notifications.
async fn lose(
    State(state): State<SharedState>,
    Path(path): Path<IdPath>,
    ControlJson(request): ControlJson<LoseRequest>,
) -> Result<StatusCode, ControlError> {
    if request.count == 0 {
        return Err(ControlError::bad_request("count must be at least 1"));
    }
    let mut world = state.world();
    let subscription = world
        .change_feed
        .subscriptions
        .get_mut(&path.id)
        .ok_or_else(|| unknown(&path.id))?;
    subscription.faults.lose_next = request.count;
    subscription.faults.announce_loss = request.announce;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_control/subscriptions/{id}/remove`: the subscription is gone, without a notification.
async fn remove(
    State(state): State<SharedState>,
    Path(path): Path<IdPath>,
) -> Result<StatusCode, ControlError> {
    state
        .world()
        .change_feed
        .subscriptions
        .remove(&path.id)
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or_else(|| unknown(&path.id))
}

/// `GET /_control/notifications`: every delivery attempt, in order.
async fn list_notifications(State(state): State<SharedState>) -> Json<Value> {
    let world = state.world();
    Json(json!({ "deliveries": world.change_feed.log.records() }))
}

/// `DELETE /_control/notifications`.
async fn clear_notifications(State(state): State<SharedState>) -> StatusCode {
    state.world().change_feed.log.clear();
    StatusCode::NO_CONTENT
}

/// `POST /_control/change-feed/settings`.
async fn update_settings(
    State(state): State<SharedState>,
    ControlJson(update): ControlJson<FeedSettingsUpdate>,
) -> Result<Json<FeedSettings>, ControlError> {
    let mut world = state.world();
    world
        .change_feed
        .settings
        .apply(update)
        .map_err(ControlError::bad_request)?;
    Ok(Json(world.change_feed.settings))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExpireRequest {
    user_id: Option<String>,
}

/// `POST /_control/delta-tokens/expire`: every sync state (of one user) is forgotten.
async fn expire_delta_tokens(
    State(state): State<SharedState>,
    ControlJson(request): ControlJson<ExpireRequest>,
) -> Json<Value> {
    let expired = state
        .world()
        .change_feed
        .sync_states
        .expire(request.user_id.as_deref());
    Json(json!({ "expired": expired }))
}
