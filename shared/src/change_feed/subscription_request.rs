//! The requests of `subscriptions-create` and `subscriptions-delete`, validated before anything is
//! sent to Microsoft or written to the table.
//!
//! `subscriptions-create` takes a JSON body `{"resource": "events" | "users", "userId", "calendarId",
//! "changeType"}`: `events` watches the events of `userId` (`me`, `app:<id>`, a GUID or a
//! userPrincipalName) in the default calendar or in `calendarId`; `users` watches the tenant's users.
//! `changeType` is a comma-separated subset of `created,updated,deleted` (default: all three).

use serde::Deserialize;

use crate::change_feed::subscription::ResourceKind;
use crate::error::ApiError;
use crate::operations::request::{
    Caller, MAX_BODY_BYTES, RawRequest, Target, acting_user, parse_user_target,
    validate_app_user_id, validate_graph_id,
};

/// The change types the bundle subscribes to when none are named.
pub const ALL_CHANGE_TYPES: &str = "created,updated,deleted";

/// A validated `subscriptions-create` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSubscription {
    /// Whose permissions create (and later renew) it; its owner.
    pub caller: Caller,
    /// What kind of resource it watches.
    pub kind: ResourceKind,
    /// Whose events (`Target::None` for users).
    pub target: Target,
    /// A named calendar, for events.
    pub calendar_id: Option<String>,
    /// Graph's `changeType`.
    pub change_type: String,
}

/// A validated `subscriptions-delete` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteSubscription {
    /// Who asks: only the owner may delete.
    pub caller: Caller,
    /// Graph's subscription id.
    pub subscription_id: String,
}

/// The body of `subscriptions-create`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    resource: String,
    user_id: Option<String>,
    calendar_id: Option<String>,
    change_type: Option<String>,
}

/// The caller of a change feed request: `authUserId` (delegated) or none (application).
pub fn caller_of(raw: &RawRequest) -> Result<Caller, ApiError> {
    Ok(
        match acting_user(raw.auth_user_id.as_deref(), raw.verified_subject.as_deref())? {
            Some(id) => Caller::Delegated(validate_app_user_id("authUserId", id)?),
            None => Caller::Application,
        },
    )
}

/// Refuses a request carrying inputs the function does not take.
fn nothing_else(raw: &RawRequest, params: &[&str]) -> Result<(), ApiError> {
    if raw.user_id.is_some() {
        return Err(ApiError::invalid(
            "`userId` goes in the body (`subscriptions-create`) or is not taken",
        ));
    }
    if let Some(key) = raw.query.keys().next() {
        return Err(ApiError::invalid(format!(
            "query option `{key}` is not accepted"
        )));
    }
    if let Some(key) = raw.params.keys().find(|k| !params.contains(&k.as_str())) {
        return Err(ApiError::invalid(format!("unknown parameter `{key}`")));
    }
    Ok(())
}

fn change_types(value: Option<&str>) -> Result<String, ApiError> {
    let Some(value) = value else {
        return Ok(ALL_CHANGE_TYPES.to_string());
    };
    let mut seen: Vec<&str> = Vec::new();
    for kind in value.split(',').map(str::trim) {
        if !["created", "updated", "deleted"].contains(&kind) || seen.contains(&kind) {
            return Err(ApiError::invalid(
                "`changeType` must be a comma-separated subset of created, updated, deleted",
            ));
        }
        seen.push(kind);
    }
    Ok(seen.join(","))
}

/// Validates a `subscriptions-create` request.
pub fn create_request(raw: RawRequest) -> Result<CreateSubscription, ApiError> {
    let caller = caller_of(&raw)?;
    nothing_else(&raw, &[])?;
    let text = raw
        .body
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("a JSON object body is required"))?;
    if text.len() > MAX_BODY_BYTES {
        return Err(ApiError::invalid("the request body is too large"));
    }
    let body: CreateBody = serde_json::from_str(text).map_err(|error| {
        let text = error.to_string();
        ApiError::invalid(if text.starts_with("unknown field") || text.starts_with("missing field") {
            format!("the body is not a subscription request: {text}")
        } else {
            "the body must be {\"resource\": \"events\" | \"users\", \"userId\", \"calendarId\", \"changeType\"}"
                .to_string()
        })
    })?;
    let change_type = change_types(body.change_type.as_deref())?;
    match body.resource.as_str() {
        "events" => {
            let user = body
                .user_id
                .ok_or_else(|| ApiError::invalid("`userId` is required for events"))?;
            let target = if user.eq_ignore_ascii_case("me") {
                match caller {
                    Caller::Delegated(_) => Target::Me,
                    Caller::Application => {
                        return Err(ApiError::invalid(
                            "`userId` may be `me` only with `authUserId`",
                        ));
                    }
                }
            } else {
                parse_user_target(&user)?
            };
            let calendar_id = body
                .calendar_id
                .map(|id| validate_graph_id("calendarId", &id))
                .transpose()?;
            Ok(CreateSubscription {
                caller,
                kind: ResourceKind::Events,
                target,
                calendar_id,
                change_type,
            })
        }
        "users" => {
            if body.user_id.is_some() || body.calendar_id.is_some() {
                return Err(ApiError::invalid(
                    "a `users` subscription takes no `userId` or `calendarId`",
                ));
            }
            Ok(CreateSubscription {
                caller,
                kind: ResourceKind::Users,
                target: Target::None,
                calendar_id: None,
                change_type,
            })
        }
        _ => Err(ApiError::invalid("`resource` must be `events` or `users`")),
    }
}

/// Validates a `subscriptions-delete` request.
pub fn delete_request(raw: RawRequest) -> Result<DeleteSubscription, ApiError> {
    let caller = caller_of(&raw)?;
    nothing_else(&raw, &["subscriptionId"])?;
    if raw.body.as_deref().is_some_and(|b| !b.trim().is_empty()) {
        return Err(ApiError::invalid(
            "subscriptions-delete takes no request body",
        ));
    }
    let id = raw
        .params
        .get("subscriptionId")
        .ok_or_else(|| ApiError::invalid("`subscriptionId` is required"))?;
    Ok(DeleteSubscription {
        caller,
        subscription_id: validate_graph_id("subscriptionId", id)?,
    })
}

/// Validates a `subscriptions-list` request: the caller, nothing else.
pub fn list_request(raw: RawRequest) -> Result<Caller, ApiError> {
    let caller = caller_of(&raw)?;
    nothing_else(&raw, &[])?;
    if raw.body.as_deref().is_some_and(|b| !b.trim().is_empty()) {
        return Err(ApiError::invalid(
            "subscriptions-list takes no request body",
        ));
    }
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn raw(auth: Option<&str>, body: &str) -> RawRequest {
        RawRequest {
            auth_user_id: auth.map(String::from),
            body: Some(body.to_string()),
            ..RawRequest::default()
        }
    }

    #[test]
    fn events_and_users_subscriptions() {
        let request =
            create_request(raw(Some("alice"), r#"{"resource":"events","userId":"me"}"#)).unwrap();
        assert_eq!(request.target, Target::Me);
        assert_eq!(request.change_type, ALL_CHANGE_TYPES);
        let request = create_request(raw(
            None,
            r#"{"resource":"events","userId":"app:bob","calendarId":"c1","changeType":"deleted, created"}"#,
        ))
        .unwrap();
        assert_eq!(request.target, Target::AppUser("bob".into()));
        assert_eq!(request.calendar_id.as_deref(), Some("c1"));
        assert_eq!(request.change_type, "deleted,created");
        let request = create_request(raw(None, r#"{"resource":"users"}"#)).unwrap();
        assert_eq!(
            (request.kind, request.target),
            (ResourceKind::Users, Target::None)
        );
    }

    #[test]
    fn refuses_everything_else() {
        for (auth, body) in [
            (None, r#"{"resource":"events","userId":"me"}"#),
            (None, r#"{"resource":"events"}"#),
            (None, r#"{"resource":"events","userId":"alice"}"#),
            (None, r#"{"resource":"mail","userId":"a@b.c"}"#),
            (None, r#"{"resource":"users","userId":"a@b.c"}"#),
            (
                None,
                r#"{"resource":"users","changeType":"created,created"}"#,
            ),
            (None, r#"{"resource":"users","changeType":"moved"}"#),
            (
                None,
                r#"{"resource":"users","notificationUrl":"https://evil.example"}"#,
            ),
            (None, r#"{"resource":"users","clientState":"mine"}"#),
            (None, "[]"),
            (None, ""),
            (Some("bad user"), r#"{"resource":"users"}"#),
        ] {
            let error = create_request(raw(auth, body)).unwrap_err();
            assert_eq!(error.code(), Some(ErrorCode::InvalidRequest), "{body}");
        }
        let mut with_query = raw(None, r#"{"resource":"users"}"#);
        with_query.query.insert("$top".into(), "1".into());
        assert!(create_request(with_query).is_err());
    }

    #[test]
    fn delete_needs_one_subscription_id() {
        let mut request = RawRequest::default();
        assert!(delete_request(request.clone()).is_err());
        request.params.insert("subscriptionId".into(), "s-1".into());
        assert_eq!(
            delete_request(request.clone()).unwrap().subscription_id,
            "s-1"
        );
        request.params.insert("other".into(), "x".into());
        assert!(delete_request(request).is_err());
    }
}
