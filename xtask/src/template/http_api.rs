//! The HTTP API (payload 2.0): one route per function that has one, IAM-authorized unless the
//! operator configures a JWT authorizer, which then replaces IAM on those routes; the public route
//! (`auth-callback`, where Microsoft sends the browser back) never needs either. Access logs name the
//! route, the caller and the status — never the path, which may carry a user's id.

use serde_yaml_ng::Value;

use super::cfn::{get_att, if_condition, list, map, no_value, reference, sub};
use super::deployed_functions::{DeployedFunction, Route};
use super::functions::{function_id, log_group};
use super::parameters::{JWT_AUDIENCE, JWT_AUTHORIZER_ENABLED, JWT_ISSUER};
use shared::sign_in::functions::RouteAccess;

/// Logical id of the HTTP API.
pub const HTTP_API: &str = "HttpApi";
/// Logical id of the JWT authorizer (present only when it is enabled).
const JWT_AUTHORIZER: &str = "JwtAuthorizer";
/// Logical id of the API's stage.
const STAGE: &str = "HttpApiStage";
/// Logical id of the API's access log group.
const ACCESS_LOGS: &str = "HttpApiAccessLogs";
/// Milliseconds API Gateway waits for a function: the HTTP API's maximum.
const INTEGRATION_TIMEOUT_MILLIS: u32 = 30_000;

/// One access log line (JSON) per request.
const ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","requestTime":"$context.requestTime","#,
    r#""routeKey":"$context.routeKey","status":"$context.status","#,
    r#""caller":"$context.identity.userArn","subject":"$context.authorizer.claims.sub","#,
    r#""sourceIp":"$context.identity.sourceIp","responseLatency":"$context.responseLatency","#,
    r#""integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}"#
);

/// Logical id of a function's integration.
fn integration_id(function: &DeployedFunction) -> String {
    format!("{}Integration", function.logical_id())
}

/// Logical id of a function's route.
fn route_id(function: &DeployedFunction) -> String {
    format!("{}Route", function.logical_id())
}

/// Logical id of the permission letting the API invoke a function.
fn api_permission_id(function: &DeployedFunction) -> String {
    format!("{}ApiPermission", function.logical_id())
}

/// The API, its stage, access logs and the optional JWT authorizer.
pub fn api_resources() -> Vec<(String, Value)> {
    let api = map([
        ("Type", "AWS::ApiGatewayV2::Api".into()),
        (
            "Properties",
            map([
                ("Name", reference("AWS::StackName")),
                (
                    "Description",
                    "Microsoft Graph functions: one route per function".into(),
                ),
                ("ProtocolType", "HTTP".into()),
            ]),
        ),
    ]);
    let access_logs = log_group(None);
    let stage = map([
        ("Type", "AWS::ApiGatewayV2::Stage".into()),
        (
            "Properties",
            map([
                ("ApiId", reference(HTTP_API)),
                ("StageName", "$default".into()),
                ("AutoDeploy", true.into()),
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
    let authorizer = map([
        ("Type", "AWS::ApiGatewayV2::Authorizer".into()),
        ("Condition", JWT_AUTHORIZER_ENABLED.into()),
        (
            "Properties",
            map([
                ("ApiId", reference(HTTP_API)),
                ("Name", "jwt".into()),
                ("AuthorizerType", "JWT".into()),
                ("IdentitySource", list(["$request.header.Authorization"])),
                (
                    "JwtConfiguration",
                    map([
                        ("Issuer", reference(JWT_ISSUER)),
                        ("Audience", reference(JWT_AUDIENCE)),
                    ]),
                ),
            ]),
        ),
    ]);
    vec![
        (HTTP_API.to_string(), api),
        (ACCESS_LOGS.to_string(), access_logs),
        (STAGE.to_string(), stage),
        (JWT_AUTHORIZER.to_string(), authorizer),
    ]
}

/// How a route is authorized: its `AuthorizationType` and, for the JWT authorizer, its
/// `AuthorizerId`.
fn authorization(route: &Route) -> Vec<(&'static str, Value)> {
    match route.access {
        RouteAccess::Public => vec![("AuthorizationType", "NONE".into())],
        RouteAccess::Iam => vec![
            (
                "AuthorizationType",
                if_condition(JWT_AUTHORIZER_ENABLED, "JWT".into(), "AWS_IAM".into()),
            ),
            (
                "AuthorizerId",
                if_condition(
                    JWT_AUTHORIZER_ENABLED,
                    reference(JWT_AUTHORIZER),
                    no_value(),
                ),
            ),
        ],
    }
}

/// The integration, route and invoke permission of `function`'s route.
pub fn route_resources(function: &DeployedFunction, route: &Route) -> Vec<(String, Value)> {
    let integration = map([
        ("Type", "AWS::ApiGatewayV2::Integration".into()),
        (
            "Properties",
            map([
                ("ApiId", reference(HTTP_API)),
                ("IntegrationType", "AWS_PROXY".into()),
                ("IntegrationUri", get_att(&function_id(function), "Arn")),
                ("PayloadFormatVersion", "2.0".into()),
                ("TimeoutInMillis", INTEGRATION_TIMEOUT_MILLIS.into()),
            ]),
        ),
    ]);
    let mut route_properties = vec![
        ("ApiId", reference(HTTP_API)),
        ("RouteKey", route.key().into()),
        (
            "Target",
            sub(format!("integrations/${{{}}}", integration_id(function))),
        ),
    ];
    route_properties.extend(authorization(route));
    let route_resource = map([
        ("Type", "AWS::ApiGatewayV2::Route".into()),
        ("Properties", map(route_properties)),
    ]);
    let permission = map([
        ("Type", "AWS::Lambda::Permission".into()),
        (
            "Properties",
            map([
                ("Action", "lambda:InvokeFunction".into()),
                ("FunctionName", reference(&function_id(function))),
                ("Principal", "apigateway.amazonaws.com".into()),
                (
                    "SourceArn",
                    sub(format!(
                        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{HTTP_API}}}/*/{}{}",
                        route.method.as_str(),
                        route.path
                    )),
                ),
            ]),
        ),
    ]);
    vec![
        (integration_id(function), integration),
        (route_id(function), route_resource),
        (api_permission_id(function), permission),
    ]
}
