//! Server-driven paging: opaque `$skiptoken`s, `@odata.nextLink` / `@odata.deltaLink`
//! built on the simulator's own base URL, and the collection response body.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::ODataError;

/// Characters escaped in query values of generated links.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'=');

/// Query options that carry paging state and are never copied into a new link.
const PAGING_OPTIONS: &[&str] = &["$skiptoken", "$deltatoken"];

/// An opaque token carrying `state`.
pub fn encode_token(state: &str) -> String {
    URL_SAFE_NO_PAD.encode(state)
}

/// The state carried by a token from [`encode_token`].
pub fn decode_token(token: &str) -> Result<String, ODataError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(ODataError::InvalidSkipToken)
}

/// `{base}/v1.0/$metadata#{fragment}`.
pub fn context_url(base_url: &str, fragment: &str) -> String {
    format!("{base_url}/v1.0/$metadata#{fragment}")
}

/// The URL of the current request, from which follow-up links are made.
pub struct Links<'a> {
    base_url: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Links<'a> {
    /// Links for a request to `path?query` on the simulator at `base_url`.
    pub fn new(base_url: &'a str, path: &'a str, query: Option<&'a str>) -> Self {
        Links {
            base_url,
            path,
            query,
        }
    }

    /// This request's URL with its query options, minus paging state, plus `option=value`.
    pub fn with(&self, option: &str, value: &str) -> String {
        let mut query: Vec<String> =
            url::form_urlencoded::parse(self.query.unwrap_or_default().as_bytes())
                .filter(|(name, _)| !PAGING_OPTIONS.contains(&name.as_ref()) && name != option)
                .map(|(name, value)| format!("{name}={}", utf8_percent_encode(&value, QUERY_VALUE)))
                .collect();
        query.push(format!(
            "{option}={}",
            utf8_percent_encode(value, QUERY_VALUE)
        ));
        format!("{}{}?{}", self.base_url, self.path, query.join("&"))
    }
}

/// A collection response: `@odata.context`, optional `@odata.count`, the values, and the
/// link to the next page or (for delta) to the next round.
pub fn collection_body(
    context: String,
    values: Vec<Value>,
    count: Option<usize>,
    link: Option<(&str, String)>,
) -> Value {
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context));
    if let Some(count) = count {
        body.insert("@odata.count".into(), json!(count));
    }
    if let Some((name, url)) = link {
        body.insert(name.into(), Value::String(url));
    }
    body.insert("value".into(), Value::Array(values));
    Value::Object(body)
}
