//! The `Prefer` request header (`odata.maxpagesize=N`, `outlook.timezone="..."`) and the
//! `Preference-Applied` answer.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The preferences of one request that the simulator honours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preferences {
    /// `odata.maxpagesize`, when 1..=999.
    pub max_page_size: Option<usize>,
    /// `outlook.timezone`, unquoted.
    pub time_zone: Option<String>,
}

/// Splits a header value at commas outside double quotes.
fn split_preferences(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (at, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&value[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

impl Preferences {
    /// Reads every `Prefer` header; unknown preferences are ignored, as at Microsoft.
    pub fn from_headers(headers: &HeaderMap) -> Preferences {
        let mut preferences = Preferences::default();
        let all = headers
            .get_all("prefer")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(split_preferences);
        for preference in all {
            let Some((name, value)) = preference.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"').trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "odata.maxpagesize" => {
                    preferences.max_page_size =
                        value.parse().ok().filter(|size| (1..=999).contains(size));
                }
                "outlook.timezone" if !value.is_empty() => {
                    preferences.time_zone = Some(value.to_string());
                }
                _ => {}
            }
        }
        preferences
    }

    /// Adds `Preference-Applied` for the page size and for `time_zone` when given (the time
    /// zone the response used, which the caller resolved).
    pub fn apply_to(&self, response: &mut Response, time_zone: Option<&str>) {
        let applied: Vec<String> = self
            .max_page_size
            .map(|size| format!("odata.maxpagesize={size}"))
            .into_iter()
            .chain(time_zone.map(|zone| format!("outlook.timezone=\"{zone}\"")))
            .collect();
        if let Ok(value) = HeaderValue::from_str(&applied.join(", "))
            && !applied.is_empty()
        {
            response.headers_mut().insert("preference-applied", value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_page_size_and_time_zone_from_one_or_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            "prefer",
            HeaderValue::from_static(
                "outlook.timezone=\"Pacific Standard Time\", odata.maxpagesize=5",
            ),
        );
        let preferences = Preferences::from_headers(&headers);
        assert_eq!(preferences.max_page_size, Some(5));
        assert_eq!(
            preferences.time_zone.as_deref(),
            Some("Pacific Standard Time")
        );
        let mut separate = HeaderMap::new();
        separate.append("prefer", HeaderValue::from_static("odata.maxpagesize=0"));
        separate.append(
            "prefer",
            HeaderValue::from_static("outlook.timezone=\"a, b\""),
        );
        let preferences = Preferences::from_headers(&separate);
        assert_eq!(preferences.max_page_size, None);
        assert_eq!(preferences.time_zone.as_deref(), Some("a, b"));
    }
}
