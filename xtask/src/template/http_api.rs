//! The HTTP API (payload 2.0), in SAM's shorthand: one `AWS::Serverless::HttpApi` and, on each
//! function that has a route, an `HttpApi` event naming its method and path, from which SAM makes the
//! route, its integration and the permission letting the API invoke the function.
//!
//! Who may call a route is written in the API's OpenAPI definition (`DefinitionBody`), which SAM
//! completes with the events' integrations: IAM authorization (`AWS_IAM`, SigV4) unless the operator
//! configures a JWT authorizer, which then replaces IAM on those routes; the public route
//! routes (`auth-callback`, where Microsoft sends the browser back, and `graph-notifications`, where
//! Graph posts change notifications) need neither. The switch is an `Fn::If`
//! on the `JwtAuthorizerEnabled` condition in each route's `security`. The events cannot carry it: SAM
//! reads an event's `Auth.Authorizer` as a fixed name while it transforms the template, before the
//! parameters' values are known. Each public route is throttled on its own (its event's
//! `RouteSettings`, which SAM puts on the stage). Access logs name the route, the caller and the
//! status — never the path, which may carry a user's id.

use serde_yaml_ng::Value;

use super::cfn::{get_att, if_condition, list, map, no_value, reference};
use super::deployed_functions::{DeployedFunction, Route};
use super::functions::log_group;
use super::parameters::{JWT_AUDIENCE, JWT_AUTHORIZER_ENABLED, JWT_ISSUER, public_limits};
use shared::sign_in::functions::RouteAccess;

/// Logical id of the HTTP API.
pub const HTTP_API: &str = "HttpApi";
/// The name of each function's `HttpApi` event.
pub const ROUTE_EVENT: &str = "Route";
/// The security scheme of IAM authorization (SigV4), named as SAM names it.
pub const IAM_SCHEME: &str = "AWS_IAM";
/// The security scheme of the optional JWT authorizer (present only when it is enabled).
pub const JWT_SCHEME: &str = "JwtAuthorizer";
/// Logical id of the API's access log group.
const ACCESS_LOGS: &str = "HttpApiAccessLogs";
/// The API's description (its name is the stack's).
const API_DESCRIPTION: &str = "Microsoft Graph functions: one route per function";
/// Milliseconds API Gateway waits for a function: the HTTP API's maximum.
const INTEGRATION_TIMEOUT_MILLIS: u32 = 30_000;
/// Where callers put their credentials: the SigV4 signature or the bearer token.
const AUTHORIZATION_HEADER: &str = "Authorization";

/// One access log line (JSON) per request.
const ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","#,
    r#""routeKey":"$context.routeKey","status":"$context.status","#,
    r#""caller":"$context.identity.userArn","subject":"$context.authorizer.claims.sub","#,
    r#""sourceIp":"$context.identity.sourceIp","responseLatency":"$context.responseLatency","#,
    r#""integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}"#
);

/// The security requirement of `route`: `None` for a public route, else the JWT authorizer when it
/// is enabled and IAM authorization otherwise.
fn security(route: &Route) -> Option<Value> {
    match route.access {
        RouteAccess::Public => None,
        RouteAccess::Iam => Some(if_condition(
            JWT_AUTHORIZER_ENABLED,
            list([map([(JWT_SCHEME, list(Vec::<Value>::new()))])]),
            list([map([(IAM_SCHEME, list(Vec::<Value>::new()))])]),
        )),
    }
}

/// The security schemes: SigV4 always, the JWT authorizer only when it is enabled.
fn security_schemes() -> Value {
    let iam = map([
        ("type", "apiKey".into()),
        ("name", AUTHORIZATION_HEADER.into()),
        ("in", "header".into()),
        ("x-amazon-apigateway-authtype", "awsSigv4".into()),
    ]);
    let jwt = map([
        ("type", "oauth2".into()),
        (
            "x-amazon-apigateway-authorizer",
            map([
                ("type", "jwt".into()),
                (
                    "identitySource",
                    format!("$request.header.{AUTHORIZATION_HEADER}").into(),
                ),
                (
                    "jwtConfiguration",
                    map([
                        ("issuer", reference(JWT_ISSUER)),
                        ("audience", reference(JWT_AUDIENCE)),
                    ]),
                ),
            ]),
        ),
    ]);
    map([
        (IAM_SCHEME, iam),
        (
            JWT_SCHEME,
            if_condition(JWT_AUTHORIZER_ENABLED, jwt, no_value()),
        ),
    ])
}

/// The OpenAPI definition SAM starts from: the API's name and description, every route with its operation id (the function) and
/// who may call it; SAM adds each route's integration from the function's event.
fn definition(functions: &[DeployedFunction]) -> Value {
    let mut paths: Vec<(&str, Vec<(String, Value)>)> = Vec::new();
    for function in functions {
        let Some(route) = &function.route else {
            continue;
        };
        let mut operation = vec![("operationId", function.name.into())];
        operation.extend(security(route).map(|security| ("security", security)));
        let entry = (route.method.as_str().to_ascii_lowercase(), map(operation));
        match paths.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, operations)) => operations.push(entry),
            None => paths.push((route.path, vec![entry])),
        }
    }
    map([
        ("openapi", "3.0.1".into()),
        (
            "info",
            map([
                ("title", reference("AWS::StackName")),
                ("description", API_DESCRIPTION.into()),
                ("version", "1.0".into()),
            ]),
        ),
        (
            "paths",
            map(paths
                .into_iter()
                .map(|(path, operations)| (path, map(operations)))),
        ),
        ("components", map([("securitySchemes", security_schemes())])),
    ])
}

/// The API (SAM makes its `$default` stage, auto-deployed, with the access logs and the routes'
/// throttling) and its access log group.
pub fn api_resources(functions: &[DeployedFunction]) -> Vec<(String, Value)> {
    let api = map([
        ("Type", "AWS::Serverless::HttpApi".into()),
        (
            "Properties",
            map([
                ("DefinitionBody", definition(functions)),
                (
                    "AccessLogSettings",
                    map([
                        ("DestinationArn", get_att(ACCESS_LOGS, "Arn")),
                        ("Format", ACCESS_LOG_FORMAT.into()),
                    ]),
                ),
            ]),
        ),
    ]);
    vec![
        (HTTP_API.to_string(), api),
        (ACCESS_LOGS.to_string(), log_group(None)),
    ]
}

/// The `Events` of function `name`: its route on the API. A public route gets its own throttling.
pub fn route_events(name: &str, route: &Route) -> Value {
    let mut properties = vec![
        ("ApiId", reference(HTTP_API)),
        ("Method", route.method.as_str().into()),
        ("Path", route.path.into()),
        ("PayloadFormatVersion", "2.0".into()),
        ("TimeoutInMillis", INTEGRATION_TIMEOUT_MILLIS.into()),
    ];
    if route.access == RouteAccess::Public {
        let limits = public_limits(name);
        properties.push((
            "RouteSettings",
            map([
                ("ThrottlingBurstLimit", reference(limits.burst)),
                ("ThrottlingRateLimit", reference(limits.rate)),
            ]),
        ));
    }
    map([(
        ROUTE_EVENT,
        map([("Type", "HttpApi".into()), ("Properties", map(properties))]),
    )])
}
