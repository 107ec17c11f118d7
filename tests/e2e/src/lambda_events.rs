//! Events as the Lambda service delivers them to a function, for tests to invoke functions with.

use serde_json::{Value, json};

/// An API Gateway HTTP API (payload format 2.0) event for `method route` (e.g. `GET /users/{userId}`)
/// requested at `path`, with path parameters, query-string parameters (a JSON object of strings, also
/// encoded into `rawQueryString`) and an optional text body.
pub fn api_gateway_event(
    method: &str,
    route: &str,
    path: &str,
    path_parameters: Value,
    query: Value,
    body: Option<&str>,
) -> Value {
    let route_key = format!("{method} {route}");
    let mut url = reqwest::Url::parse("http://localhost/").expect("a valid URL");
    for (name, value) in query.as_object().into_iter().flatten() {
        url.query_pairs_mut()
            .append_pair(name, value.as_str().unwrap_or_default());
    }
    let raw_query = url.query().unwrap_or_default().to_string();
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": {"accept": "application/json"},
        "pathParameters": path_parameters,
        "queryStringParameters": query,
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "localhost", "domainPrefix": "localhost",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "gw-request", "routeKey": route_key, "stage": "$default",
            "time": "22/Nov/2026:05:00:00 +0000", "timeEpoch": 0
        },
        "body": body,
        "isBase64Encoded": false
    })
}
