//! The one request type every entry point decodes into, and its validation. Nothing reaches Microsoft
//! or DynamoDB until [`RawRequest::validate`] has accepted it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::operations::body_schema::validate_body;
use crate::operations::operation::{BodyRule, Operation, QueryOption};
use crate::operations::time_window::{TimeWindow, validate_time_zone};

/// The optional parameter naming a calendar other than the default one.
pub const CALENDAR_PARAMETER: &str = "calendarId";
/// Query keys that carry a link Graph returned earlier (on collections only).
const CONTINUATION_KEYS: [&str; 2] = ["nextLink", "deltaLink"];
/// Largest accepted request body, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest accepted query option value, in characters.
pub const MAX_QUERY_VALUE_CHARS: usize = 4096;
/// Longest accepted Graph id or userPrincipalName, in characters.
pub const MAX_ID_CHARS: usize = 1024;
/// Longest accepted application user id, in characters.
pub const MAX_APP_USER_ID_CHARS: usize = 128;

/// A request as decoded from an event, not yet validated.
#[derive(Debug, Default, Clone)]
pub struct RawRequest {
    /// Whose resource (`userId`).
    pub user_id: Option<String>,
    /// Who is asking (`authUserId`).
    pub auth_user_id: Option<String>,
    /// Subject the API's authorizer verified, if any: the only `authUserId` the caller may use.
    pub verified_subject: Option<String>,
    /// Who called, as the API's authorizer knows them (IAM principal ARN, or `jwt:<subject>`), for
    /// the logs.
    pub caller_identity: Option<String>,
    /// Path parameters other than `userId`.
    pub params: BTreeMap<String, String>,
    /// Query options (OData options, plus `all`).
    pub query: BTreeMap<String, String>,
    /// The request body as raw text, if any.
    pub body: Option<String>,
}

/// The prefix that marks a `userId` as an application user id.
pub const APP_USER_PREFIX: &str = "app:";

/// Whose resource the request is about. Each form says which kind of id it is, so a value can never
/// silently reach a different Microsoft user than the one the caller meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// No user in the path (e.g. `users-list`).
    None,
    /// `me`: the signed-in user (delegated only).
    Me,
    /// `app:<id>`: an application user who linked a Microsoft account through this bundle.
    AppUser(String),
    /// A Microsoft object id (GUID) or userPrincipalName (`name@domain`), sent to Graph as it is.
    Microsoft(String),
}

/// Which permissions the request runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Application permissions (no `authUserId`).
    Application,
    /// Delegated permissions as this application user.
    Delegated(String),
}

/// A validated request, ready to be executed.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRequest {
    /// Whose resource.
    pub target: Target,
    /// Which permissions.
    pub caller: Caller,
    /// Path parameters other than `userId`, by name.
    pub params: BTreeMap<String, String>,
    /// OData query options with canonical `$` names, in a stable order.
    pub query: Vec<(QueryOption, String)>,
    /// Whether to follow `@odata.nextLink` pages (bounded).
    pub all_pages: bool,
    /// The JSON body, if the operation takes one.
    pub body: Option<Value>,
    /// A `nextLink` / `deltaLink` Graph returned earlier, to continue from (checked against Graph's
    /// host and the operation's path before it is followed).
    pub continuation: Option<String>,
    /// `startDateTime`/`endDateTime`, for operations that need a time window.
    pub window: Option<TimeWindow>,
    /// Time zone for returned date-times (`Prefer: outlook.timezone`).
    pub time_zone: Option<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message)
}

fn has_control_chars(value: &str) -> bool {
    value.chars().any(char::is_control)
}

/// Validates a Graph id or userPrincipalName used as one path segment. Every character is later
/// percent-encoded; only `.` and `..` are refused since URL normalisation would treat them as path steps.
pub fn validate_graph_id(name: &str, value: &str) -> Result<String, ApiError> {
    if value.is_empty() {
        return Err(invalid(format!("`{name}` must not be empty")));
    }
    if value.chars().count() > MAX_ID_CHARS {
        return Err(invalid(format!(
            "`{name}` is longer than {MAX_ID_CHARS} characters"
        )));
    }
    if has_control_chars(value) || value.trim() != value {
        return Err(invalid(format!(
            "`{name}` must not contain control characters or surrounding spaces"
        )));
    }
    if value == "." || value == ".." {
        return Err(invalid(format!("`{name}` is not a valid id")));
    }
    Ok(value.to_string())
}

/// Whether `value` has the shape of a Microsoft object id (a GUID, 8-4-4-4-12 hex digits).
fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The target a `userId` other than `me` names: `app:<id>` is an application user; a GUID or a
/// value with `@` is a Microsoft object id or userPrincipalName; anything else is refused, since it
/// could be meant either way.
pub fn parse_user_target(value: &str) -> Result<Target, ApiError> {
    if let Some(app_user) = value.strip_prefix(APP_USER_PREFIX) {
        return Ok(Target::AppUser(validate_app_user_id("userId", app_user)?));
    }
    let id = validate_graph_id("userId", value)?;
    if is_guid(&id) || id.contains('@') {
        Ok(Target::Microsoft(id))
    } else {
        Err(invalid(
            "`userId` must be `me`, `app:<application user id>`, a Microsoft object id (GUID) or \
             a userPrincipalName (name@domain)",
        ))
    }
}

/// Validates an application user id: 1 to 128 characters of `A-Z a-z 0-9 - _ . @ : + = |`.
pub fn validate_app_user_id(name: &str, value: &str) -> Result<String, ApiError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.@:+=|".contains(c);
    if value.is_empty() || value.len() > MAX_APP_USER_ID_CHARS || !value.chars().all(allowed) {
        return Err(invalid(format!(
            "`{name}` must be 1 to {MAX_APP_USER_ID_CHARS} characters of letters, digits and - _ . @ : + = |"
        )));
    }
    Ok(value.to_string())
}

/// The application user a request acts as: the asked `authUserId`, or the subject an authorizer
/// verified; when both are present they must agree (`Forbidden` otherwise).
pub fn acting_user<'a>(
    asked: Option<&'a str>,
    verified: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    match (asked, verified) {
        (Some(asked), Some(verified)) if asked != verified => Err(ApiError::new(
            ErrorCode::Forbidden,
            "`authUserId` differs from the authenticated caller",
        )),
        (asked, verified) => Ok(asked.or(verified)),
    }
}

fn parse_option_name(key: &str) -> Option<QueryOption> {
    let canonical = if key.starts_with('$') {
        key.to_ascii_lowercase()
    } else {
        format!("${}", key.to_ascii_lowercase())
    };
    QueryOption::ALL
        .into_iter()
        .find(|option| option.name() == canonical)
}

fn validate_option_value(option: QueryOption, value: &str) -> Result<String, ApiError> {
    let name = option.name();
    if value.is_empty() || value.chars().count() > MAX_QUERY_VALUE_CHARS || has_control_chars(value)
    {
        return Err(invalid(format!(
            "`{name}` must be 1 to {MAX_QUERY_VALUE_CHARS} characters with no control characters"
        )));
    }
    let identifier_list = |v: &str| {
        v.split(',').all(|item| {
            let item = item.trim();
            !item.is_empty()
                && item
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_./@".contains(c))
        })
    };
    match option {
        QueryOption::Top => match value.parse::<u32>() {
            Ok(n) if (1..=999).contains(&n) => Ok(n.to_string()),
            _ => Err(invalid("`$top` must be an integer from 1 to 999")),
        },
        QueryOption::Skip => match value.parse::<u32>() {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Err(invalid("`$skip` must be a non-negative integer")),
        },
        QueryOption::Count => match value {
            "true" | "false" => Ok(value.to_string()),
            _ => Err(invalid("`$count` must be true or false")),
        },
        QueryOption::Select if !identifier_list(value) => Err(invalid(
            "`$select` must be a comma-separated list of property names",
        )),
        _ => Ok(value.to_string()),
    }
}

fn parse_all(value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid("`all` must be true or false")),
    }
}

impl RawRequest {
    /// Validates the request against the operation: ids, permission mode, query options and body.
    pub fn validate(self, operation: &Operation) -> Result<OperationRequest, ApiError> {
        let caller = match acting_user(
            self.auth_user_id.as_deref(),
            self.verified_subject.as_deref(),
        )? {
            Some(id) => Caller::Delegated(validate_app_user_id("authUserId", id)?),
            None => Caller::Application,
        };
        match &caller {
            Caller::Delegated(_) if !operation.allows_delegated() => {
                return Err(invalid(format!(
                    "{} does not support delegated permissions: omit `authUserId`",
                    operation.name
                )));
            }
            Caller::Application if !operation.allows_application() => {
                return Err(invalid(format!(
                    "{} needs delegated permissions: `authUserId` is required",
                    operation.name
                )));
            }
            _ => {}
        }

        let takes_user = operation.path_parameters().any(|p| p == "userId");
        let target = match (takes_user, self.user_id) {
            (false, None) => Target::None,
            (false, Some(_)) => {
                return Err(invalid(format!("{} takes no `userId`", operation.name)));
            }
            (true, None) => return Err(invalid("`userId` is required")),
            (true, Some(id)) if id.eq_ignore_ascii_case("me") => match caller {
                Caller::Delegated(_) => Target::Me,
                Caller::Application => {
                    return Err(invalid("`userId` may be `me` only with `authUserId`"));
                }
            },
            (true, Some(id)) => parse_user_target(&id)?,
        };

        let mut raw_params = self.params;
        let mut raw_query = self.query;
        if let Some(calendar) = raw_query.remove(CALENDAR_PARAMETER) {
            raw_params
                .entry(CALENDAR_PARAMETER.to_string())
                .or_insert(calendar);
        }
        let mut params = BTreeMap::new();
        if operation.accepts_calendar()
            && let Some(calendar) = raw_params.get(CALENDAR_PARAMETER)
        {
            params.insert(
                CALENDAR_PARAMETER.to_string(),
                validate_graph_id(CALENDAR_PARAMETER, calendar)?,
            );
        }
        for name in operation.path_parameters().filter(|p| *p != "userId") {
            let value = raw_params
                .get(name)
                .ok_or_else(|| invalid(format!("`{name}` is required")))?;
            params.insert(name.to_string(), validate_graph_id(name, value)?);
        }
        if let Some(unknown) = raw_params.keys().find(|k| !params.contains_key(k.as_str())) {
            return Err(invalid(format!("unknown parameter `{unknown}`")));
        }

        let window = if operation.time_window {
            let start = raw_query.remove("startDateTime");
            let end = raw_query.remove("endDateTime");
            // A `nextLink` / `deltaLink` carries its window: then none is needed.
            let continues = CONTINUATION_KEYS.iter().any(|k| raw_query.contains_key(*k));
            if continues && start.is_none() && end.is_none() {
                None
            } else {
                Some(TimeWindow::parse(start.as_deref(), end.as_deref())?)
            }
        } else {
            None
        };
        let time_zone = match raw_query.remove("timeZone") {
            Some(zone) if operation.time_zone => Some(validate_time_zone(&zone)?),
            Some(_) => {
                return Err(invalid(format!(
                    "{} does not accept `timeZone`",
                    operation.name
                )));
            }
            None => None,
        };

        let mut all_pages = false;
        let mut continuation = None;
        let mut query = Vec::new();
        for (key, value) in &raw_query {
            if CONTINUATION_KEYS.contains(&key.as_str()) {
                if !operation.pageable || continuation.is_some() {
                    return Err(invalid(format!(
                        "{} accepts at most one of `nextLink`, `deltaLink`",
                        operation.name
                    )));
                }
                if value.len() > MAX_QUERY_VALUE_CHARS || has_control_chars(value) {
                    return Err(invalid(format!("`{key}` is not a valid link")));
                }
                continuation = Some(value.clone());
                continue;
            }
            if key == "all" {
                if !operation.pageable {
                    return Err(invalid(format!(
                        "{} returns no pages: `all` is not accepted",
                        operation.name
                    )));
                }
                all_pages = parse_all(value)?;
                continue;
            }
            let option = parse_option_name(key)
                .filter(|option| operation.query_options.contains(option))
                .ok_or_else(|| {
                    let accepted: Vec<_> =
                        operation.query_options.iter().map(|o| o.name()).collect();
                    invalid(format!(
                        "query option `{key}` is not accepted by {}; accepted: {}",
                        operation.name,
                        if accepted.is_empty() {
                            "none".to_string()
                        } else {
                            accepted.join(", ")
                        }
                    ))
                })?;
            if query.iter().any(|(seen, _)| *seen == option) {
                return Err(invalid(format!(
                    "query option `{}` is given twice",
                    option.name()
                )));
            }
            query.push((option, validate_option_value(option, value)?));
        }
        query.sort_by_key(|(option, _)| option.name());
        if continuation.is_some() && !query.is_empty() {
            return Err(invalid(
                "a `nextLink` or `deltaLink` carries its own query options: give no others",
            ));
        }

        let body = match (operation.body, self.body) {
            (BodyRule::None, None) => None,
            (BodyRule::None, Some(text)) if text.trim().is_empty() => None,
            (BodyRule::None, Some(_)) => {
                return Err(invalid(format!("{} takes no request body", operation.name)));
            }
            (BodyRule::Required, None) => return Err(invalid("a JSON object body is required")),
            (BodyRule::Optional, None) => Some(Value::Object(Default::default())),
            (BodyRule::Required | BodyRule::Optional, Some(text)) => {
                let body = parse_body(&text)?;
                validate_body(operation, &body)?;
                Some(body)
            }
        };

        Ok(OperationRequest {
            target,
            caller,
            params,
            query,
            all_pages,
            continuation,
            body,
            window,
            time_zone,
        })
    }
}

fn parse_body(text: &str) -> Result<Value, ApiError> {
    if text.len() > MAX_BODY_BYTES {
        return Err(invalid(format!(
            "the request body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(invalid("the request body must be a JSON object")),
        Err(e) => Err(invalid(format!(
            "the request body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::catalog::find;

    fn raw(user: Option<&str>, auth: Option<&str>) -> RawRequest {
        RawRequest {
            user_id: user.map(String::from),
            auth_user_id: auth.map(String::from),
            ..Default::default()
        }
    }

    fn code(result: Result<OperationRequest, ApiError>) -> ErrorCode {
        result.unwrap_err().code().unwrap()
    }

    #[test]
    fn picks_the_permission_mode() {
        let get = find("users-get").unwrap();
        let app = raw(Some("adele@contoso.com"), None).validate(get).unwrap();
        assert_eq!(app.caller, Caller::Application);
        assert_eq!(app.target, Target::Microsoft("adele@contoso.com".into()));
        let delegated = raw(Some("me"), Some("app-user-1")).validate(get).unwrap();
        assert_eq!(delegated.caller, Caller::Delegated("app-user-1".into()));
        assert_eq!(delegated.target, Target::Me);
    }

    #[test]
    fn me_needs_an_auth_user() {
        let get = find("users-get").unwrap();
        assert_eq!(
            code(raw(Some("me"), None).validate(get)),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(raw(None, None).validate(get)),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn refuses_ids_that_could_change_the_path() {
        let get = find("users-get").unwrap();
        for bad in ["", ".", "..", "a\nb", " x", "x\u{0}"] {
            assert_eq!(
                code(raw(Some(bad), None).validate(get)),
                ErrorCode::InvalidRequest,
                "{bad:?}"
            );
        }
        for auth in ["a/b", "", "a b", "../x", &"x".repeat(129)] {
            assert_eq!(
                code(raw(Some("u"), Some(auth)).validate(get)),
                ErrorCode::InvalidRequest,
                "{auth:?}"
            );
        }
        // Any other userPrincipalName-shaped value is valid: it is percent-encoded as one segment later.
        assert!(
            raw(Some("../../groups?x#y@contoso.com"), None)
                .validate(get)
                .is_ok()
        );
    }

    #[test]
    fn a_user_id_says_which_kind_of_id_it_is() {
        let get = find("users-get").unwrap();
        let target = |user: &str| raw(Some(user), None).validate(get).map(|r| r.target);
        assert_eq!(
            target("app:alice").unwrap(),
            Target::AppUser("alice".into())
        );
        assert_eq!(
            target("app:alice@example.com").unwrap(),
            Target::AppUser("alice@example.com".into())
        );
        assert_eq!(
            target("adele@contoso.com").unwrap(),
            Target::Microsoft("adele@contoso.com".into())
        );
        let guid = "6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40";
        assert_eq!(target(guid).unwrap(), Target::Microsoft(guid.into()));
        // Could be an application user or a Microsoft id: refused rather than guessed.
        for ambiguous in ["alice", "6f1c3a52", "app-user-42", "app:", "app:a b"] {
            assert_eq!(
                target(ambiguous).unwrap_err().code(),
                Some(ErrorCode::InvalidRequest),
                "{ambiguous}"
            );
        }
    }

    #[test]
    fn a_verified_subject_fixes_the_auth_user() {
        let get = find("users-get").unwrap();
        let mut request = raw(Some("me"), Some("mallory"));
        request.verified_subject = Some("alice".into());
        assert_eq!(code(request.validate(get)), ErrorCode::Forbidden);
        let mut request = raw(Some("me"), None);
        request.verified_subject = Some("alice".into());
        assert_eq!(
            request.validate(get).unwrap().caller,
            Caller::Delegated("alice".into())
        );
    }

    #[test]
    fn validates_query_options() {
        let list = find("users-list").unwrap();
        let mut request = raw(None, None);
        request
            .query
            .insert("select".into(), "id,displayName".into());
        request.query.insert("$top".into(), "5".into());
        request.query.insert("all".into(), "true".into());
        let valid = request.validate(list).unwrap();
        assert!(valid.all_pages);
        assert_eq!(
            valid.query,
            vec![
                (QueryOption::Select, "id,displayName".into()),
                (QueryOption::Top, "5".into())
            ]
        );

        for (key, value) in [
            ("$top", "0"),
            ("$top", "1000"),
            ("$count", "yes"),
            ("$select", "id;drop"),
            ("$format", "json"),
            ("$skip", "5"),
            ("all", "maybe"),
            ("$filter", ""),
        ] {
            let mut request = raw(None, None);
            request.query.insert(key.into(), value.into());
            assert_eq!(
                code(request.validate(list)),
                ErrorCode::InvalidRequest,
                "{key}={value}"
            );
        }
        let mut request = raw(Some("u"), None);
        request.query.insert("$top".into(), "5".into());
        assert_eq!(
            code(request.validate(find("users-get").unwrap())),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn refuses_bodies_where_none_is_taken() {
        let get = find("users-get").unwrap();
        let mut request = raw(Some("u"), None);
        request.body = Some("{\"a\":1}".into());
        assert_eq!(code(request.validate(get)), ErrorCode::InvalidRequest);
    }

    #[test]
    fn checks_bodies_against_the_graph_schema() {
        let create = find("users-create").unwrap();
        let mut request = raw(None, None);
        request.body = Some(r#"{"displayName": "Adele Vance", "accountEnabled": true}"#.into());
        assert!(request.validate(create).unwrap().body.is_some());
        let mut request = raw(None, None);
        request.body = Some(r#"{"displayNam": "Adele Vance"}"#.into());
        assert_eq!(code(request.validate(create)), ErrorCode::InvalidRequest);
    }

    #[test]
    fn parses_bodies() {
        assert!(parse_body("{\"a\": 1}").is_ok());
        assert!(parse_body("[1]").is_err());
        assert!(parse_body("{").is_err());
        let huge = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert!(parse_body(&huge).is_err());
    }

    #[test]
    fn calendar_windows_time_zones_and_calendars() {
        let view = find("calendar-view").unwrap();
        let mut request = raw(Some("me"), Some("alice"));
        request
            .query
            .insert("startDateTime".into(), "2026-12-01T00:00:00Z".into());
        request
            .query
            .insert("endDateTime".into(), "2026-12-08T00:00:00Z".into());
        request
            .query
            .insert("timeZone".into(), "Pacific Standard Time".into());
        request.query.insert("calendarId".into(), "AAMkAGI2".into());
        let valid = request.clone().validate(view).unwrap();
        assert_eq!(valid.window.as_ref().unwrap().end, "2026-12-08T00:00:00Z");
        assert_eq!(valid.time_zone.as_deref(), Some("Pacific Standard Time"));
        assert_eq!(valid.params["calendarId"], "AAMkAGI2");
        assert!(
            valid.query.is_empty(),
            "window and zone are not OData options"
        );

        request.query.remove("endDateTime");
        assert_eq!(code(request.validate(view)), ErrorCode::InvalidRequest);

        let mut no_zone = raw(Some("me"), Some("alice"));
        no_zone.query.insert("timeZone".into(), "UTC".into());
        assert_eq!(
            code(no_zone.validate(find("users-get").unwrap())),
            ErrorCode::InvalidRequest
        );

        let mut no_calendar = raw(Some("me"), Some("alice"));
        no_calendar.params.insert("calendarId".into(), "x".into());
        assert_eq!(
            code(no_calendar.validate(find("users-get").unwrap())),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn optional_bodies_default_to_an_empty_object() {
        let accept = find("events-accept").unwrap();
        let mut request = raw(Some("me"), Some("alice"));
        request.params.insert("eventId".into(), "AAMkE1".into());
        assert_eq!(
            request.clone().validate(accept).unwrap().body,
            Some(serde_json::json!({}))
        );
        request.body = Some(r#"{"comment": "yes", "sendResponse": true}"#.into());
        assert!(request.clone().validate(accept).is_ok());
        request.body = Some(r#"{"sendResponse": "yes"}"#.into());
        assert_eq!(code(request.validate(accept)), ErrorCode::InvalidRequest);
    }

    #[test]
    fn continuation_links_come_alone_and_only_on_collections() {
        let delta = find("users-delta").unwrap();
        let mut request = raw(None, None);
        request.query.insert(
            "deltaLink".into(),
            "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x".into(),
        );
        assert!(
            request
                .clone()
                .validate(delta)
                .unwrap()
                .continuation
                .is_some()
        );
        request.query.insert("$select".into(), "id".into());
        assert_eq!(code(request.validate(delta)), ErrorCode::InvalidRequest);
        let mut get = raw(Some("u"), None);
        get.query.insert(
            "nextLink".into(),
            "https://graph.microsoft.com/v1.0/users/u".into(),
        );
        assert_eq!(
            code(get.validate(find("users-get").unwrap())),
            ErrorCode::InvalidRequest
        );
    }
}
