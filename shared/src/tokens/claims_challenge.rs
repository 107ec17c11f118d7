//! Continuous Access Evaluation (CAE): the claims challenge a resource (Graph) sends with a 401 when
//! it revoked a token early, and the `claims` parameter of token requests, which declares this
//! client CAE-capable (`cp1`) and carries a challenge's claims back to the token endpoint.
//!
//! Microsoft identity platform, "Claims challenges, claims requests and client capabilities"
//! (learn.microsoft.com/entra/identity-platform/claims-challenge) and "How to use Continuous Access
//! Evaluation enabled APIs in your applications"
//! (learn.microsoft.com/entra/identity-platform/app-resilience-continuous-access-evaluation):
//! the challenge is `WWW-Authenticate: Bearer realm="", authorization_uri="...",
//! error="insufficient_claims", claims="<base64 of a claims request>"` on a 401, its fields
//! unordered and all in one header; the client drops the token, and asks for a new one with the
//! decoded claims. A client declares it can handle challenges with
//! `{"access_token":{"xms_cc":{"values":["cp1"]}}}`, merged into any challenge's claims
//! (`{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{...}}}`), as MSAL does with
//! `WithClientCapabilities(["cp1"])`. Notes: docs/reference/microsoft-identity-and-graph-facts.md §3.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

/// The client capability this bundle declares: it handles claims challenges.
pub const CLIENT_CAPABILITY: &str = "cp1";

/// The claims request (JSON object text) of the claims challenge among `WWW-Authenticate` header
/// values: a `Bearer` challenge with `error="insufficient_claims"` and a `claims` parameter holding
/// base64 of a JSON object.
pub fn claims_challenge<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values.into_iter().find_map(|value| {
        let rest = strip_scheme(value.trim())?;
        let params = auth_params(rest);
        let error = params.iter().find(|(k, _)| k.eq_ignore_ascii_case("error"));
        if error.is_none_or(|(_, v)| v != "insufficient_claims") {
            return None;
        }
        let (_, encoded) = params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("claims"))?;
        let bytes = STANDARD
            .decode(encoded)
            .or_else(|_| URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')))
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        matches!(serde_json::from_str::<Value>(&text), Ok(Value::Object(_))).then_some(text)
    })
}

/// `Bearer <params>` → `<params>` (the scheme is case-insensitive).
fn strip_scheme(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    scheme.eq_ignore_ascii_case("bearer").then_some(rest)
}

/// The `name=value` / `name="quoted value"` parameters of a challenge (RFC 9110 §11.2).
fn auth_params(mut rest: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some((name, after)) = rest.split_once('=') else {
            return params;
        };
        let name = name.trim().to_string();
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.push((name, value));
        rest = remainder;
    }
}

/// The `claims` parameter of a token request: the `cp1` client capability, merged with the
/// challenge's claims request when there is one (the challenge's own members kept, `xms_cc` added
/// to its `access_token` object).
pub fn claims_parameter(challenge: Option<&str>) -> String {
    let mut request: Map<String, Value> = challenge
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let access_token = request
        .entry("access_token")
        .or_insert_with(|| Value::Object(Map::new()));
    if !access_token.is_object() {
        *access_token = Value::Object(Map::new());
    }
    if let Value::Object(access_token) = access_token {
        access_token.insert("xms_cc".into(), json!({ "values": [CLIENT_CAPABILITY] }));
    }
    Value::Object(request).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_challenges_of_microsofts_documentation() {
        // The claims challenge article's example (claims-challenge.md).
        let header = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ==""#;
        assert_eq!(
            claims_challenge([header]).unwrap(),
            r#"{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}"#
        );
        // The CAE article's example: no realm, another order of fields, an `nbf` request.
        let header = r#"Bearer authorization_uri="https://login.windows.net/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=""#;
        let challenge = claims_challenge(["Basic realm=\"x\"", header])
            .expect("the Bearer header among several");
        assert_eq!(
            serde_json::from_str::<Value>(&challenge).unwrap(),
            json!({"access_token": {"nbf": {"essential": true, "value": "1604106651"}}})
        );
    }

    #[test]
    fn other_challenges_are_not_claims_challenges() {
        for header in [
            r#"Bearer realm="", error="invalid_token""#,
            r#"Bearer error="insufficient_claims""#,
            r#"Bearer error="insufficient_claims", claims="not base64!""#,
            r#"Bearer error="insufficient_claims", claims="WzFd""#, // `[1]`: not an object
            r#"Basic error="insufficient_claims", claims="e30=""#,
            "Bearer",
            "",
        ] {
            assert_eq!(claims_challenge([header]), None, "{header}");
        }
    }

    #[test]
    fn the_claims_parameter_declares_cp1_and_keeps_the_challenge() {
        assert_eq!(
            serde_json::from_str::<Value>(&claims_parameter(None)).unwrap(),
            json!({"access_token": {"xms_cc": {"values": ["cp1"]}}})
        );
        // The merge Microsoft shows: cp1 beside the challenge's `acrs`.
        let challenge = r#"{"access_token":{"acrs":{"essential":true,"value":"c25"}}}"#;
        assert_eq!(
            serde_json::from_str::<Value>(&claims_parameter(Some(challenge))).unwrap(),
            json!({"access_token": {"xms_cc": {"values": ["cp1"]}, "acrs": {"essential": true, "value": "c25"}}})
        );
        let id_token_too = r#"{"id_token":{"auth_time":{"essential":true}}}"#;
        assert_eq!(
            serde_json::from_str::<Value>(&claims_parameter(Some(id_token_too))).unwrap(),
            json!({"id_token": {"auth_time": {"essential": true}}, "access_token": {"xms_cc": {"values": ["cp1"]}}})
        );
    }
}
