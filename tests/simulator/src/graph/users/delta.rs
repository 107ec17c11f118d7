//! `GET /v1.0/users/delta`: a first round lists every user page by page and ends with an
//! `@odata.deltaLink`; following it lists only users created, changed or deleted since.
//! Items always include `id`, whatever `$select` says.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

use super::{USER_READ, user_view, users_fragment};
use crate::directory::UserChange;
use crate::directory::user_schema::PROPERTIES;
use crate::graph::auth::Caller;
use crate::graph::directory_query::directory_error;
use crate::graph::errors::GraphError;
use crate::graph::odata::paging::{
    Links, collection_body, context_url, decode_token, encode_token,
};
use crate::graph::odata::{ODataError, parse_select};
use crate::graph::prefer::Preferences;
use crate::state::SharedState;

/// Where a delta request resumes: changes after `round_start` up to `round_end`, of which
/// those up to `cursor` were already returned.
struct Position {
    round_start: u64,
    round_end: u64,
    cursor: u64,
}

impl Position {
    fn skip_token(&self) -> String {
        encode_token(&format!(
            "page:{}:{}:{}",
            self.round_start, self.round_end, self.cursor
        ))
    }

    fn from_skip_token(token: &str) -> Result<Position, ODataError> {
        let state = decode_token(token)?;
        let numbers: Vec<u64> = state
            .strip_prefix("page:")
            .ok_or(ODataError::InvalidSkipToken)?
            .split(':')
            .map(|n| n.parse().map_err(|_| ODataError::InvalidSkipToken))
            .collect::<Result<_, _>>()?;
        match numbers[..] {
            [round_start, round_end, cursor] => Ok(Position {
                round_start,
                round_end,
                cursor,
            }),
            _ => Err(ODataError::InvalidSkipToken),
        }
    }
}

fn delta_token(round_end: u64) -> String {
    encode_token(&format!("round:{round_end}"))
}

fn round_start(token: &str) -> Result<u64, ODataError> {
    decode_token(token)?
        .strip_prefix("round:")
        .and_then(|n| n.parse().ok())
        .ok_or(ODataError::InvalidSkipToken)
}

/// The forms of the `delta` function segment Graph writes in `@odata.nextLink` and
/// `@odata.deltaLink` (bare, with parentheses, namespace-qualified, percent-encoded); every one is
/// routed here.
pub const DELTA_SEGMENTS: [&str; 5] = [
    "delta",
    "delta()",
    "microsoft.graph.delta()",
    "delta%28%29",
    "microsoft.graph.delta%28%29",
];

/// One page of the users delta.
pub async fn delta(
    State(state): State<SharedState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    if !caller.holds(&USER_READ, None) {
        return Err(GraphError::insufficient_privileges());
    }
    let query_error = |error| directory_error(error, "user");
    let (mut select, mut skip_token, mut delta_token_value) = (None, None, None);
    for (name, value) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match name.to_ascii_lowercase().as_str() {
            "$select" => select = Some(parse_select(&value, PROPERTIES).map_err(query_error)?),
            "$skiptoken" => skip_token = Some(value.into_owned()),
            "$deltatoken" => delta_token_value = Some(value.into_owned()),
            other if other.starts_with('$') => {
                return Err(query_error(ODataError::UnsupportedOption(
                    name.into_owned(),
                )));
            }
            _ => {}
        }
    }
    if let Some(names) = select
        .as_mut()
        .filter(|names| !names.iter().any(|name| name == "id"))
    {
        names.insert(0, "id".to_string());
    }
    let world = state.world();
    let position = match (skip_token, delta_token_value) {
        (Some(token), _) => Position::from_skip_token(&token).map_err(query_error)?,
        (None, Some(token)) => {
            let start = round_start(&token).map_err(query_error)?;
            Position {
                round_start: start,
                round_end: world.directory.last_change(),
                cursor: start,
            }
        }
        (None, None) => Position {
            round_start: 0,
            round_end: world.directory.last_change(),
            cursor: 0,
        },
    };
    let preferences = Preferences::from_headers(&headers);
    let page_size = preferences
        .max_page_size
        .unwrap_or(world.settings.default_page_size);
    let mut pending = world
        .directory
        .user_changes(&caller.tenant_id, position.round_start, position.round_end)
        .into_iter()
        .filter(|(change, _)| *change > position.cursor)
        .peekable();
    let mut values = Vec::new();
    let mut cursor = position.cursor;
    while values.len() < page_size {
        let Some((change, entry)) = pending.next() else {
            break;
        };
        cursor = change;
        values.push(match entry {
            UserChange::Current(user) => Value::Object(user_view(user, select.as_deref())),
            UserChange::Removed(id) => json!({ "id": id, "@removed": { "reason": "changed" } }),
        });
    }
    // Graph writes the function segment in several equivalent forms; so do follow-up links here,
    // varying from page to page, so clients must accept each.
    let path = format!(
        "/v1.0/users/{}",
        DELTA_SEGMENTS[usize::try_from(cursor).unwrap_or(0) % DELTA_SEGMENTS.len()]
    );
    let links = Links::new(&state.base_url, &path, uri.query());
    let link = if pending.peek().is_some() {
        let next = Position { cursor, ..position };
        (
            "@odata.nextLink",
            links.with("$skiptoken", &next.skip_token()),
        )
    } else {
        (
            "@odata.deltaLink",
            links.with("$deltatoken", &delta_token(position.round_end)),
        )
    };
    let context = context_url(&state.base_url, &users_fragment(select.as_deref(), false));
    let mut response = Json(collection_body(context, values, None, Some(link))).into_response();
    preferences.apply_to(&mut response, None);
    Ok(response)
}
