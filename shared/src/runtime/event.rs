//! Decodes the events a function is invoked with (API Gateway HTTP API payload v2, or a direct
//! invocation's JSON) into one [`RawRequest`], and encodes the answer in the same style.

use std::collections::BTreeMap;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::operations::graph_api::{GraphBody, GraphResponse};
use crate::operations::request::{MAX_BODY_BYTES, RawRequest};
use crate::runtime::jwt_rules::JwtRules;
use crate::runtime::query_string::parse_query_string;

/// How the function was invoked, which decides the response shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStyle {
    /// API Gateway HTTP API (payload format 2.0).
    ApiGateway,
    /// Direct invocation with `{"userId", "authUserId", "params", "query", "body"}`.
    Direct,
}

/// The direct invocation event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DirectEvent {
    user_id: Option<String>,
    auth_user_id: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    query: BTreeMap<String, Value>,
    #[serde(default)]
    body: Value,
}

/// The query-string parameter carrying `authUserId` on API Gateway routes.
const AUTH_USER_PARAMETER: &str = "authUserId";

fn is_api_gateway(event: &Value) -> bool {
    event
        .get("requestContext")
        .and_then(|c| c.get("http"))
        .is_some()
}

fn scalar_to_string(key: &str, value: Value) -> Result<String, ApiError> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ApiError::invalid(format!(
            "query option `{key}` must be a string, number or boolean"
        ))),
    }
}

fn decode_direct(event: Value) -> Result<RawRequest, ApiError> {
    let event: DirectEvent = serde_json::from_value(event).map_err(|e| {
        let text = e.to_string();
        // Name unknown or mistyped fields, but never quote values.
        let hint = if text.starts_with("unknown field") {
            text
        } else {
            "a field has the wrong type".into()
        };
        ApiError::invalid(format!(
            "the event is not a valid direct invocation: {hint}"
        ))
    })?;
    let query = event
        .query
        .into_iter()
        .map(|(key, value)| scalar_to_string(&key, value).map(|v| (key, v)))
        .collect::<Result<_, _>>()?;
    let body = match event.body {
        Value::Null => None,
        other => Some(other.to_string()),
    };
    Ok(RawRequest {
        user_id: event.user_id,
        auth_user_id: event.auth_user_id,
        verified_subject: None,
        caller_identity: None,
        params: event.params,
        query,
        body,
    })
}

fn decode_api_gateway(event: Value, rules: &JwtRules) -> Result<RawRequest, ApiError> {
    let event: ApiGatewayV2httpRequest = serde_json::from_value(event)
        .map_err(|_| ApiError::invalid("the API Gateway event could not be read"))?;
    let mut params: BTreeMap<String, String> = event.path_parameters.into_iter().collect();
    let user_id = params.remove("userId");
    let mut query = match event.raw_query_string.as_deref() {
        Some(raw) if !raw.is_empty() => parse_query_string(raw)?,
        // Only hand-built events lack `rawQueryString`; API Gateway always sends it. The event
        // type splits every value of `queryStringParameters` on commas: join them back, or
        // `$select=id,displayName` would arrive as `displayName`.
        _ => {
            let mut query = BTreeMap::<String, String>::new();
            for (key, value) in event.query_string_parameters.iter() {
                query
                    .entry(key.to_string())
                    .and_modify(|joined| {
                        joined.push(',');
                        joined.push_str(value);
                    })
                    .or_insert_with(|| value.to_string());
            }
            query
        }
    };
    let auth_user_id = query.remove(AUTH_USER_PARAMETER);
    // A JWT authorizer vouches for an end user: with no subject (or without a required scope)
    // there is nobody the caller may act as, not even the application.
    let authorizer = event.request_context.authorizer;
    let verified_subject = match authorizer.as_ref().and_then(|a| a.jwt.as_ref()) {
        None => None,
        Some(jwt) => Some(rules.subject(jwt)?),
    };
    let caller_identity = match (&verified_subject, authorizer.and_then(|a| a.iam)) {
        (Some(subject), _) => Some(format!("jwt:{subject}")),
        (None, Some(iam)) => iam.user_arn.or(iam.caller_id),
        (None, None) => None,
    };
    let body = match event.body {
        None => None,
        Some(text) if event.is_base64_encoded => {
            if text.len() > MAX_BODY_BYTES * 4 / 3 + 4 {
                return Err(ApiError::invalid(format!(
                    "the request body is larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| ApiError::invalid("the request body is not valid base64"))?;
            Some(
                String::from_utf8(bytes)
                    .map_err(|_| ApiError::invalid("the request body is not UTF-8"))?,
            )
        }
        Some(text) => Some(text),
    };
    Ok(RawRequest {
        user_id,
        auth_user_id,
        verified_subject,
        caller_identity,
        params,
        query,
        body,
    })
}

/// Decodes an event under the default [`JwtRules`] (the `sub` claim, no required scope).
pub fn decode(event: Value) -> (EventStyle, Result<RawRequest, ApiError>) {
    decode_with(event, &JwtRules::default())
}

/// Decodes an event; a JWT-authorized one must meet `rules`. The style is known even when decoding
/// fails, so the error can be shaped right.
pub fn decode_with(event: Value, rules: &JwtRules) -> (EventStyle, Result<RawRequest, ApiError>) {
    if is_api_gateway(&event) {
        (EventStyle::ApiGateway, decode_api_gateway(event, rules))
    } else {
        (EventStyle::Direct, decode_direct(event))
    }
}

/// Encodes an answer: Graph's status and body on success, the error's status and body otherwise.
/// Binary media (a photo) travels base64-encoded with its content type.
pub fn encode(
    style: EventStyle,
    result: &Result<GraphResponse, ApiError>,
    request_id: &str,
) -> Value {
    let (status, body) = match result {
        Ok(response) => (response.status, response.body.clone()),
        Err(error) => (error.status(), GraphBody::Json(error.body(request_id))),
    };
    match style {
        EventStyle::Direct => match body {
            GraphBody::Json(body) => json!({ "status": status, "body": body }),
            GraphBody::Media {
                content_type,
                bytes,
            } => json!({
                "status": status,
                "contentType": content_type,
                "isBase64Encoded": true,
                "body": base64::engine::general_purpose::STANDARD.encode(bytes),
            }),
        },
        EventStyle::ApiGateway => {
            let mut response = ApiGatewayV2httpResponse::default();
            response.status_code = i64::from(status);
            let (content_type, text) = match body {
                GraphBody::Json(Value::Null) => (None, None),
                GraphBody::Json(body) => {
                    (Some("application/json".to_string()), Some(body.to_string()))
                }
                GraphBody::Media {
                    content_type,
                    bytes,
                } => {
                    response.is_base64_encoded = true;
                    (
                        Some(content_type),
                        Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    )
                }
            };
            if let Some(content_type) = content_type.and_then(|c| c.parse().ok()) {
                response.headers.insert("content-type", content_type);
            }
            let retry_after = result.as_ref().err().and_then(ApiError::retry_after_secs);
            if let Some(seconds) = retry_after.and_then(|s| s.to_string().parse().ok()) {
                response.headers.insert("retry-after", seconds);
            }
            response.body = text.map(Body::Text);
            serde_json::to_value(response).expect("API Gateway responses serialise")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn api_gateway_event(path: Value, query: Value, body: Option<&str>) -> Value {
        let raw_query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                query
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k, v.as_str().unwrap())),
            )
            .finish();
        json!({
            "version": "2.0",
            "routeKey": "GET /users/{userId}",
            "rawPath": "/users/x",
            "rawQueryString": raw_query,
            "headers": {},
            "pathParameters": path,
            "queryStringParameters": query,
            "requestContext": {
                "http": {"method": "GET", "path": "/users/x", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
                "requestId": "r", "routeKey": "GET /users/{userId}", "stage": "$default", "timeEpoch": 0
            },
            "body": body,
            "isBase64Encoded": false
        })
    }

    #[test]
    fn decodes_direct_events() {
        let (style, raw) = decode(json!({
            "userId": "me", "authUserId": "alice", "query": {"$top": 5, "all": true}
        }));
        assert_eq!(style, EventStyle::Direct);
        let raw = raw.unwrap();
        assert_eq!(raw.user_id.as_deref(), Some("me"));
        assert_eq!(raw.query["$top"], "5");
        assert_eq!(raw.query["all"], "true");
        assert!(raw.body.is_none());
    }

    #[test]
    fn refuses_malformed_direct_events_without_quoting_values() {
        let (_, raw) = decode(json!({"userId": 12345678}));
        let error = raw.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::InvalidRequest));
        assert!(!error.to_string().contains("12345678"));
        assert!(
            decode(json!({"userld": "typo"}))
                .1
                .unwrap_err()
                .to_string()
                .contains("userld")
        );
        assert!(decode(json!({"query": {"$top": [1]}})).1.is_err());
        assert!(decode(json!("text")).1.is_err());
    }

    #[test]
    fn decodes_api_gateway_events() {
        let event = api_gateway_event(
            json!({"userId": "adele@contoso.com"}),
            json!({"authUserId": "alice", "$select": "id"}),
            None,
        );
        let (style, raw) = decode(event);
        assert_eq!(style, EventStyle::ApiGateway);
        let raw = raw.unwrap();
        assert_eq!(raw.user_id.as_deref(), Some("adele@contoso.com"));
        assert_eq!(raw.auth_user_id.as_deref(), Some("alice"));
        assert_eq!(raw.query.get("$select").map(String::as_str), Some("id"));
        assert!(!raw.query.contains_key("authUserId"));
    }

    #[test]
    fn takes_the_verified_subject_from_a_jwt_authorizer() {
        let mut event = api_gateway_event(json!({"userId": "me"}), json!({}), None);
        event["requestContext"]["authorizer"] =
            json!({"jwt": {"claims": {"sub": "alice"}, "scopes": null}});
        assert_eq!(
            decode(event).1.unwrap().verified_subject.as_deref(),
            Some("alice")
        );
    }

    #[test]
    fn a_jwt_without_a_subject_is_forbidden() {
        let mut event = api_gateway_event(json!({"userId": "me"}), json!({}), None);
        event["requestContext"]["authorizer"] =
            json!({"jwt": {"claims": {"iss": "https://issuer"}, "scopes": null}});
        assert_eq!(
            decode(event).1.unwrap_err().code(),
            Some(ErrorCode::Forbidden)
        );
    }

    #[test]
    fn without_raw_query_string_comma_split_values_are_joined_back() {
        let mut event = api_gateway_event(json!({"userId": "me"}), json!({}), None);
        event.as_object_mut().unwrap().remove("rawQueryString");
        event["queryStringParameters"] = json!({"$select": "id,displayName"});
        assert_eq!(decode(event).1.unwrap().query["$select"], "id,displayName");
    }

    #[test]
    fn encodes_both_styles() {
        let ok = Ok(GraphResponse::json(200, json!({"id": "1"})));
        assert_eq!(
            encode(EventStyle::Direct, &ok, "r"),
            json!({"status": 200, "body": {"id": "1"}})
        );
        let gateway = encode(EventStyle::ApiGateway, &ok, "r");
        assert_eq!(gateway["statusCode"], 200);
        assert_eq!(gateway["body"], "{\"id\":\"1\"}");
        assert_eq!(gateway["headers"]["content-type"], "application/json");
        let photo = Ok(GraphResponse {
            status: 200,
            body: GraphBody::Media {
                content_type: "image/jpeg".into(),
                bytes: vec![0xff, 0xd8],
            },
        });
        assert_eq!(
            encode(EventStyle::Direct, &photo, "r"),
            json!({"status": 200, "contentType": "image/jpeg", "isBase64Encoded": true, "body": "/9g="})
        );
        let gateway = encode(EventStyle::ApiGateway, &photo, "r");
        assert_eq!(gateway["isBase64Encoded"], true);
        assert_eq!(gateway["headers"]["content-type"], "image/jpeg");
        let error = Err(ApiError::invalid("bad"));
        assert_eq!(
            encode(EventStyle::Direct, &error, "r")["body"]["error"]["requestId"],
            "r"
        );
    }

    #[test]
    fn reads_the_query_from_raw_query_string_not_the_comma_split_map() {
        let mut event = api_gateway_event(json!({"userId": "me"}), json!({}), None);
        event["rawQueryString"] = json!("$select=id,displayName&authUserId=alice");
        // What API Gateway puts beside it; the event type would split it on commas.
        event["queryStringParameters"] =
            json!({"$select": "id,displayName", "authUserId": "alice"});
        let raw = decode(event).1.unwrap();
        assert_eq!(raw.query["$select"], "id,displayName");
        assert_eq!(raw.auth_user_id.as_deref(), Some("alice"));
        let mut repeated = api_gateway_event(json!({"userId": "me"}), json!({}), None);
        repeated["rawQueryString"] = json!("$top=1&$top=2");
        assert_eq!(
            decode(repeated).1.unwrap_err().code(),
            Some(ErrorCode::InvalidRequest)
        );
    }
}
