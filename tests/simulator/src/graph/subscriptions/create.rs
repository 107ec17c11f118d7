//! `POST /v1.0/subscriptions`: checks the body and the caller's access to the resource, makes
//! the validation request to `notificationUrl` (and `lifecycleNotificationUrl`), then creates
//! the subscription (`201 Created`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use super::invalid_request;
use super::resource::{max_minutes, resolve};
use crate::change_feed::subscriptions::{ChangeKind, Subscription, SubscriptionFaults, Target};
use crate::change_feed::validation::validate;
use crate::graph::auth::Caller;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::context_url;
use crate::ids::new_guid;
use crate::state::SharedState;

/// The longest `clientState`: "The maximum length is 128 characters." (subscription resource type).
const CLIENT_STATE_MAX: usize = 128;

/// `latestSupportedTlsVersion` values (subscription resource type).
const TLS_VERSIONS: &[&str] = &["v1_0", "v1_1", "v1_2", "v1_3"];

/// The property `name` of the body (names match case-insensitively).
pub fn property<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .filter(|value| !value.is_null())
}

fn string_property<'a>(
    body: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, GraphError> {
    property(body, name)
        .map(|value| {
            value
                .as_str()
                .ok_or_else(|| invalid_request(format!("{name} must be a string.")))
        })
        .transpose()
}

fn required<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, GraphError> {
    string_property(body, name)?
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| {
            invalid_request(format!(
                "{name} is a required property for subscription creation."
            ))
        })
}

/// The request body as a JSON object.
pub fn json_object(body: &Bytes) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(GraphError::unreadable_json()),
    }
}

/// A notification URL: absolute `https`, or `http` on a loopback host (the simulator's
/// concession, so that tests need no TLS; Graph itself requires HTTPS).
pub fn notification_url(name: &str, value: &str) -> Result<String, GraphError> {
    let url = url::Url::parse(value)
        .map_err(|_| invalid_request(format!("{name} '{value}' must be an absolute HTTPS URL.")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(value.to_string()),
        "http" if loopback => Ok(value.to_string()),
        _ => Err(invalid_request(format!(
            "{name} '{value}' must be an absolute HTTPS URL."
        ))),
    }
}

/// `expirationDateTime`: ISO 8601 with an offset, or without one (UTC).
pub fn expiration(value: &str) -> Result<DateTime<Utc>, GraphError> {
    DateTime::parse_from_rfc3339(value)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").map(|time| time.and_utc())
        })
        .map_err(|_| {
            invalid_request(format!(
                "expirationDateTime '{value}' is not a valid date and time."
            ))
        })
}

/// Refuses an expiration in the past or beyond the resource's maximum: 400 `ExtensionError`
/// "Subscription expiration can only be 4230 minutes in the future." (Graph's wording,
/// microsoftgraph/microsoft-graph-docs-contrib#7726).
pub fn check_expiration(target: &Target, expiration: DateTime<Utc>) -> Result<(), GraphError> {
    let max = max_minutes(target);
    let now = Utc::now();
    if expiration <= now || expiration > now + chrono::Duration::minutes(max) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ExtensionError",
            format!("Subscription expiration can only be {max} minutes in the future."),
        ));
    }
    Ok(())
}

fn change_types(value: &str) -> Result<Vec<ChangeKind>, GraphError> {
    let mut kinds = Vec::new();
    for name in value.split(',') {
        let kind = ChangeKind::parse(name).ok_or_else(|| {
            invalid_request(format!(
                "changeType '{name}' is not supported; use created, updated and deleted, comma-separated."
            ))
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// The `@odata.context` of one subscription.
pub fn entity_context(base_url: &str) -> String {
    context_url(base_url, "subscriptions/$entity")
}

/// A subscription's JSON with its `@odata.context`.
pub fn with_context(base_url: &str, subscription: &Subscription) -> Value {
    let mut entity = subscription.entity();
    if let Value::Object(map) = &mut entity {
        map.insert(
            "@odata.context".into(),
            Value::String(entity_context(base_url)),
        );
    }
    entity
}

/// Creates a subscription.
pub async fn create(
    State(state): State<SharedState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, GraphError> {
    let body = json_object(&body)?;
    let change_types = change_types(required(&body, "changeType")?)?;
    let notification = notification_url("notificationUrl", required(&body, "notificationUrl")?)?;
    let lifecycle = string_property(&body, "lifecycleNotificationUrl")?
        .map(|url| notification_url("lifecycleNotificationUrl", url))
        .transpose()?;
    let resource = required(&body, "resource")?.to_string();
    let expires = expiration(required(&body, "expirationDateTime")?)?;
    let client_state = string_property(&body, "clientState")?.map(str::to_string);
    if client_state
        .as_ref()
        .is_some_and(|state| state.chars().count() > CLIENT_STATE_MAX)
    {
        return Err(invalid_request(format!(
            "clientState must be at most {CLIENT_STATE_MAX} characters."
        )));
    }
    let tls = string_property(&body, "latestSupportedTlsVersion")?.unwrap_or("v1_2");
    if !TLS_VERSIONS.contains(&tls) {
        return Err(invalid_request(format!(
            "latestSupportedTlsVersion '{tls}' is not one of {}.",
            TLS_VERSIONS.join(", ")
        )));
    }
    if property(&body, "includeResourceData").is_some_and(|value| value != &Value::Bool(false)) {
        return Err(invalid_request(
            "includeResourceData is not supported by the simulator (no encryption certificate).",
        ));
    }
    let target = resolve(&state.world(), &caller, &resource)?;
    check_expiration(&target, expires)?;
    validate(&state, &notification).await?;
    if let Some(url) = &lifecycle {
        validate(&state, url).await?;
    }
    let subscription = Subscription {
        id: new_guid(),
        tenant_id: caller.tenant_id.clone(),
        application_id: caller.application_id.clone(),
        creator_id: caller
            .user_id()
            .unwrap_or(&caller.application_id)
            .to_string(),
        resource,
        target,
        change_types,
        notification_url: notification,
        lifecycle_notification_url: lifecycle,
        expiration: expires,
        client_state,
        latest_supported_tls_version: tls.to_string(),
        faults: SubscriptionFaults::default(),
    };
    let body = with_context(&state.base_url, &subscription);
    let mut guard = state.world();
    let world = &mut *guard;
    world.change_feed.observed.start_watching(
        &subscription.target,
        &world.directory,
        &world.mailboxes,
    );
    world.change_feed.subscriptions.insert(subscription);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
