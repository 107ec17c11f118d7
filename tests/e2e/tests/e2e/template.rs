//! `template.yaml` is what the generator makes, and it deploys exactly the catalog: one function per
//! binary with JSON logs and the chosen tracing, one route per operation and sign-in function (SAM
//! `HttpApi` events), only `auth-callback` and `graph-notifications` public and throttled, one role per function allowing only
//! what that function calls (and writing traces only under active tracing), the table the adapters
//! expect, keeper schedules covering every shard, an environment the functions accept, and alarms and
//! a dashboard on the metrics the functions really emit.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use e2e::paths::repo_root;
use serde_yaml_ng::Value;
use shared::adapters::dynamodb_table::{
    KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY, TTL_ATTRIBUTE,
};
use shared::change_feed::functions::{
    CHANGE_FEED_FUNCTIONS, GRAPH_NOTIFICATIONS, SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE,
};
use shared::error::{ApiError, ErrorCode};
use shared::operations::catalog::CATALOG;
use shared::runtime::config::{Config, DEFAULT_SERVICE, DirectErrors};
use shared::runtime::event::EventStyle;
use shared::runtime::invocation_summary::InvocationSummary;
use shared::runtime::keeper_event::keeper_shards;
use shared::runtime::outcome::Outcome;
use shared::settings::product_settings::Settings;
use shared::sign_in::functions::{RouteAccess, SIGN_IN_FUNCTIONS};
use shared::support::upstream_record::UpstreamRecord;
use xtask::template::alarms::ALARMS;
use xtask::template::committed::{
    allowed_by, allowed_by_when, committed_template, defined_operations, functions_by_binary,
    get_att_target, leading_keys_of, of_type, resolve_conditions, resources, role_of,
    routes_by_key, table_grants_of,
};
use xtask::template::metrics::{INVOCATION_METRICS, KEEPER_METRICS, NAMESPACE};
use xtask::template::permissions::{XRAY_WRITE, access_of};
use xtask::template::storage::SETTINGS_PLACEHOLDER;
use xtask::template::{template_path, template_yaml};

/// `{"Ref": name}`.
fn reference(name: &str) -> Value {
    serde_yaml_ng::from_str(&format!("Ref: {name}")).unwrap()
}

/// `text` as YAML.
fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap()
}

/// The names of the conditions in `names`, as a set for [`resolve_conditions`].
fn holding<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

/// The binaries of `functions/src/bin`.
fn function_binaries() -> BTreeSet<String> {
    std::fs::read_dir(repo_root().join("functions/src/bin"))
        .expect("functions/src/bin exists")
        .map(|entry| {
            let path = entry.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn template_yaml_is_what_the_generator_makes() {
    let text = std::fs::read_to_string(template_path()).expect("template.yaml exists");
    assert!(
        text == template_yaml(),
        "template.yaml is stale: run `cargo xtask generate-template`"
    );
}

#[test]
fn every_binary_is_one_arm64_function_and_nothing_else_is() {
    let template = committed_template();
    let functions = functions_by_binary(&template);
    let deployed: BTreeSet<String> = functions.keys().cloned().collect();
    assert_eq!(deployed, function_binaries());
    let mut expected: BTreeSet<String> = CATALOG.iter().map(|op| op.name.to_string()).collect();
    expected.extend(SIGN_IN_FUNCTIONS.iter().map(|f| f.name.to_string()));
    expected.extend(CHANGE_FEED_FUNCTIONS.iter().map(|f| f.name.to_string()));
    expected.extend(["token-keeper".to_string(), "cache-clear".to_string()]);
    assert_eq!(deployed, expected);

    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"], "provided.al2023");
    assert_eq!(
        globals["Architectures"],
        serde_yaml_ng::from_str::<Value>("[arm64]").unwrap()
    );
    assert_eq!(globals["Handler"], "bootstrap");
    assert_eq!(globals["MemorySize"], 128);
    assert_eq!(globals["Tracing"], reference("Tracing"));
    assert_eq!(
        globals["LoggingConfig"],
        yaml("{LogFormat: JSON, ApplicationLogLevel: {Ref: LogLevel}, SystemLogLevel: WARN}")
    );
    for (binary, (id, function)) in &functions {
        let properties = &function["Properties"];
        assert_eq!(
            properties["FunctionName"]["Fn::Sub"],
            format!("${{AWS::StackName}}-{binary}").as_str(),
            "{id}"
        );
        for global in [
            "Runtime",
            "Architectures",
            "CodeUri",
            "MemorySize",
            "Tracing",
            "LoggingConfig",
        ] {
            assert!(properties.get(global).is_none(), "{id} overrides {global}");
        }
    }
    assert_eq!(
        functions["token-keeper"].1["Properties"]["Timeout"], 300,
        "the keeper's timeout (docs/keeper.md)"
    );
}

#[test]
fn the_log_level_keeps_the_metrics_and_tracing_is_a_choice() {
    let template = committed_template();
    let parameters = &template["Parameters"];
    // Lambda gives a JSON line without `level` the level INFO, and the metrics documents have none:
    // at WARN or above Lambda would drop every metric.
    assert_eq!(parameters["LogLevel"]["Default"], "INFO");
    assert_eq!(
        parameters["LogLevel"]["AllowedValues"],
        yaml("[TRACE, DEBUG, INFO]")
    );
    assert_eq!(parameters["Tracing"]["Default"], "PassThrough");
    assert_eq!(
        parameters["Tracing"]["AllowedValues"],
        yaml("[PassThrough, Active]")
    );
    assert_eq!(
        template["Conditions"]["TracingActive"],
        yaml("Fn::Equals: [{Ref: Tracing}, Active]")
    );
}

#[test]
fn every_operation_and_platform_function_has_one_route_and_nothing_else_has() {
    let template = committed_template();
    let routes = routes_by_key(&template);
    let mut expected: BTreeMap<String, String> = CATALOG
        .iter()
        .map(|op| {
            (
                format!("{} {}", op.method.as_str(), op.route),
                op.name.to_string(),
            )
        })
        .collect();
    expected.extend(SIGN_IN_FUNCTIONS.iter().map(|f| {
        (
            format!("{} {}", f.method.as_str(), f.route),
            f.name.to_string(),
        )
    }));
    expected.extend(CHANGE_FEED_FUNCTIONS.iter().map(|f| {
        (
            format!("{} {}", f.method.as_str(), f.route),
            f.name.to_string(),
        )
    }));
    let actual: BTreeMap<String, String> = routes
        .iter()
        .map(|(key, (binary, _))| (key.clone(), binary.clone()))
        .collect();
    assert_eq!(actual, expected);
    for (key, (_, event)) in &routes {
        assert_eq!(event["PayloadFormatVersion"], "2.0", "{key}");
        assert_eq!(event["TimeoutInMillis"], 30_000, "{key}");
        assert!(
            event.get("Auth").is_none(),
            "{key}: authorization is in the API's definition"
        );
    }

    // The API's definition names exactly these routes, each with its function; SAM adds their
    // integrations and invoke permissions, so no raw route, integration or permission is written.
    let operations = defined_operations(&template);
    let defined: BTreeMap<String, String> = operations
        .iter()
        .map(|(key, operation)| {
            let id = operation["operationId"].as_str().unwrap().to_string();
            (key.clone(), id)
        })
        .collect();
    assert_eq!(defined, expected);
    for raw in [
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Route",
        "AWS::ApiGatewayV2::Integration",
        "AWS::ApiGatewayV2::Stage",
        "AWS::Lambda::Permission",
    ] {
        assert!(of_type(&template, raw).is_empty(), "SAM makes the {raw}");
    }
    let api = &of_type(&template, "AWS::Serverless::HttpApi")["HttpApi"]["Properties"];
    assert!(api.get("StageName").is_none(), "the $default stage");
    assert!(
        api.get("Auth").is_none(),
        "SAM's Auth would replace the definition's security schemes"
    );
    let access_logs = get_att_target(&api["AccessLogSettings"]["DestinationArn"], "Arn");
    assert_eq!(
        resources(&template)[access_logs]["Type"],
        "AWS::Logs::LogGroup"
    );
}

#[test]
fn only_the_callback_and_the_notification_endpoint_are_public_and_every_other_route_uses_iam_or_the_jwt_authorizer()
 {
    let template = committed_template();
    let iam_or_jwt = yaml("Fn::If: [JwtAuthorizerEnabled, [{JwtAuthorizer: []}], [{AWS_IAM: []}]]");
    let mut public = Vec::new();
    for (key, operation) in defined_operations(&template) {
        let binary = operation["operationId"].as_str().unwrap();
        match operation.get("security") {
            None => public.push(binary.to_string()),
            Some(security) => {
                assert_eq!(security, &iam_or_jwt, "{key}");
                // Whichever way the condition goes, exactly one scheme guards the route.
                for mode in [holding(&[]), holding(&["JwtAuthorizerEnabled"])] {
                    let resolved = resolve_conditions(security, &mode).unwrap();
                    assert_eq!(resolved.as_sequence().unwrap().len(), 1, "{key}");
                }
            }
        }
    }
    let mut public_in_catalog: Vec<&str> = SIGN_IN_FUNCTIONS
        .iter()
        .filter(|f| f.access == RouteAccess::Public)
        .map(|f| f.name)
        .collect();
    public_in_catalog.extend(
        CHANGE_FEED_FUNCTIONS
            .iter()
            .filter(|f| f.access == RouteAccess::Public)
            .map(|f| f.name),
    );
    public.sort();
    assert_eq!(public, ["auth-callback", GRAPH_NOTIFICATIONS]);
    assert_eq!(public, public_in_catalog);

    let definition = &resources(&template)["HttpApi"]["Properties"]["DefinitionBody"];
    let schemes = &definition["components"]["securitySchemes"];
    assert_eq!(
        schemes["AWS_IAM"],
        yaml(
            "{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}"
        )
    );
    assert!(
        resolve_conditions(&schemes["JwtAuthorizer"], &holding(&[])).is_none(),
        "no JWT authorizer without JwtIssuer"
    );
    let jwt = resolve_conditions(
        &schemes["JwtAuthorizer"],
        &holding(&["JwtAuthorizerEnabled"]),
    )
    .unwrap();
    assert_eq!(jwt["type"], "oauth2");
    let authorizer = &jwt["x-amazon-apigateway-authorizer"];
    assert_eq!(authorizer["type"], "jwt");
    assert_eq!(
        authorizer["jwtConfiguration"]["issuer"],
        reference("JwtIssuer")
    );
    assert_eq!(
        authorizer["jwtConfiguration"]["audience"],
        reference("JwtAudience")
    );
    assert_eq!(
        authorizer["identitySource"],
        "$request.header.Authorization"
    );
    assert_eq!(
        template["Conditions"]["JwtAuthorizerEnabled"],
        yaml("Fn::Not: [{Fn::Equals: [{Ref: JwtIssuer}, '']}]")
    );
}

#[test]
fn the_public_routes_are_throttled_and_their_concurrency_reserved() {
    let template = committed_template();
    for (key, (binary, event)) in routes_by_key(&template) {
        let function = &functions_by_binary(&template)[&binary].1["Properties"];
        let stem = match binary.as_str() {
            "auth-callback" => Some("AuthCallback"),
            GRAPH_NOTIFICATIONS => Some("GraphNotifications"),
            _ => None,
        };
        if let Some(stem) = stem {
            assert_eq!(
                event["RouteSettings"],
                yaml(&format!(
                    "{{ThrottlingBurstLimit: {{Ref: {stem}ThrottlingBurstLimit}}, \
                     ThrottlingRateLimit: {{Ref: {stem}ThrottlingRateLimit}}}}"
                )),
                "{key}"
            );
            let reserved = &function["ReservedConcurrentExecutions"];
            let condition = format!("{stem}ConcurrencyReserved");
            assert_eq!(
                resolve_conditions(reserved, &holding(&[condition.as_str()])),
                Some(reference(&format!("{stem}ReservedConcurrency")))
            );
            assert_eq!(resolve_conditions(reserved, &holding(&[])), None);
        } else {
            assert!(event.get("RouteSettings").is_none(), "{key}");
            assert!(
                function.get("ReservedConcurrentExecutions").is_none(),
                "{binary}"
            );
        }
    }
    let parameters = &template["Parameters"];
    assert_eq!(parameters["AuthCallbackReservedConcurrency"]["Default"], 10);
    assert_eq!(
        template["Conditions"]["AuthCallbackConcurrencyReserved"],
        yaml("Fn::Not: [{Fn::Equals: [{Ref: AuthCallbackReservedConcurrency}, '0']}]")
    );
    assert_eq!(
        parameters["GraphNotificationsReservedConcurrency"]["Default"],
        10
    );
    assert_eq!(
        template["Conditions"]["GraphNotificationsConcurrencyReserved"],
        yaml("Fn::Not: [{Fn::Equals: [{Ref: GraphNotificationsReservedConcurrency}, '0']}]")
    );
}

/// What function `binary` must be allowed, besides writing its own logs: the adapters' calls it makes
/// (see xtask/src/template/permissions.rs).
fn expected_access(binary: &str) -> Vec<(&'static str, &'static str)> {
    const TABLE: &str = "Table.Arn";
    const SECRET: &str = "Ref SettingsSecret";
    const INDEX: &str = "${Table.Arn}/index/keeper-due";
    const BUS: &str = "EventBus.Arn";
    // A Graph operation (and each change feed function) reads and writes links and application
    // tokens, publishes link events and forgets the subscriptions of a link it marks invalid; the
    // change feed functions also store, verify, renew, replace and delete subscriptions.
    let graph_operation = vec![
        ("dynamodb:GetItem", TABLE),
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),
        ("secretsmanager:GetSecretValue", SECRET),
        ("events:PutEvents", BUS),
    ];
    match binary {
        "auth-start" => vec![
            ("dynamodb:PutItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
        ],
        "auth-callback" => vec![
            ("dynamodb:PutItem", TABLE),
            ("dynamodb:DeleteItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
        ],
        "auth-complete" => vec![
            ("dynamodb:GetItem", TABLE),
            ("dynamodb:PutItem", TABLE),
            ("dynamodb:DeleteItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
            ("events:PutEvents", BUS),
        ],
        "auth-status" => vec![("dynamodb:GetItem", TABLE)],
        "auth-revoke" => vec![
            ("dynamodb:GetItem", TABLE),
            ("dynamodb:PutItem", TABLE),
            ("dynamodb:UpdateItem", TABLE),
            ("dynamodb:DeleteItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
            ("events:PutEvents", BUS),
        ],
        "token-keeper" => vec![
            ("dynamodb:GetItem", TABLE),
            ("dynamodb:PutItem", TABLE),
            ("dynamodb:UpdateItem", TABLE),
            ("dynamodb:DeleteItem", TABLE),
            ("dynamodb:Query", INDEX),
            ("secretsmanager:GetSecretValue", SECRET),
            ("events:PutEvents", "EventBus.Arn"),
        ],
        "cache-clear" => vec![
            ("dynamodb:DeleteItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
        ],
        operation => {
            assert!(
                CATALOG.iter().any(|op| op.name == operation)
                    || CHANGE_FEED_FUNCTIONS.iter().any(|f| f.name == operation),
                "{operation} is no function"
            );
            graph_operation
        }
    }
}

#[test]
fn each_function_has_its_own_role_allowing_only_what_it_calls() {
    let template = committed_template();
    let roles = of_type(&template, "AWS::IAM::Role");
    let log_groups = of_type(&template, "AWS::Logs::LogGroup");
    let mut roles_used = BTreeSet::new();
    for (binary, (id, function)) in functions_by_binary(&template) {
        let role_id = get_att_target(&function["Properties"]["Role"], "Arn");
        assert!(roles_used.insert(role_id), "{id} shares role {role_id}");
        let role = role_of(&template, function);
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "lambda.amazonaws.com"
        );

        let mut allowed = allowed_by(role);
        let logs: Vec<_> = allowed
            .iter()
            .filter(|(action, _)| action.starts_with("logs:"))
            .cloned()
            .collect();
        let log_group_id = logs[0].1.strip_suffix(".Arn").unwrap().to_string();
        assert_eq!(
            logs,
            [
                (
                    "logs:CreateLogStream".to_string(),
                    format!("{log_group_id}.Arn")
                ),
                (
                    "logs:PutLogEvents".to_string(),
                    format!("{log_group_id}.Arn")
                ),
            ],
            "{binary} writes only its own log group"
        );
        assert_eq!(
            log_groups[log_group_id.as_str()]["Properties"]["LogGroupName"]["Fn::Sub"],
            format!("/aws/lambda/${{AWS::StackName}}-{binary}").as_str(),
            "{binary}'s log group is the one Lambda writes to"
        );
        allowed.retain(|(action, _)| !action.starts_with("logs:"));
        let expected: BTreeSet<(String, String)> = expected_access(&binary)
            .into_iter()
            .map(|(action, resource)| (action.to_string(), resource.to_string()))
            .collect();
        assert_eq!(allowed, expected, "{binary}");

        // Active tracing adds writing traces (SAM adds nothing to a role the template names).
        let traced = allowed_by_when(role, &holding(&["TracingActive"]));
        let added: BTreeSet<(String, String)> =
            traced.difference(&allowed_by(role)).cloned().collect();
        let xray: BTreeSet<(String, String)> = XRAY_WRITE
            .iter()
            .map(|action| (action.to_string(), "*".to_string()))
            .collect();
        assert_eq!(
            added, xray,
            "{binary} writes traces only when tracing is Active"
        );
    }

    let scheduler = allowed_by(roles["KeeperSchedulerRole"]);
    assert_eq!(
        allowed_by_when(roles["KeeperSchedulerRole"], &holding(&["TracingActive"])),
        scheduler
    );
    let keeper_id = functions_by_binary(&template)["token-keeper"].0.to_string();
    assert_eq!(
        scheduler,
        BTreeSet::from([(
            "lambda:InvokeFunction".to_string(),
            format!("{keeper_id}.Arn")
        )])
    );
    assert_eq!(
        roles.len(),
        roles_used.len() + 1,
        "no role but the functions' and the scheduler's"
    );
}

#[test]
fn the_table_has_the_layout_the_adapters_use() {
    let template = committed_template();
    let table = &of_type(&template, "AWS::DynamoDB::Table")["Table"];
    assert_eq!(table["DeletionPolicy"], "Retain");
    let properties = &table["Properties"];
    let expected: Value = serde_yaml_ng::from_str(&format!(
        r#"
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions:
          - {{AttributeName: {PARTITION_KEY}, AttributeType: S}}
          - {{AttributeName: {KEEPER_SHARD}, AttributeType: S}}
          - {{AttributeName: {KEEPER_DUE_AT}, AttributeType: N}}
        KeySchema: [{{AttributeName: {PARTITION_KEY}, KeyType: HASH}}]
        GlobalSecondaryIndexes:
          - IndexName: {KEEPER_INDEX}
            KeySchema:
              - {{AttributeName: {KEEPER_SHARD}, KeyType: HASH}}
              - {{AttributeName: {KEEPER_DUE_AT}, KeyType: RANGE}}
            Projection: {{ProjectionType: KEYS_ONLY}}
        TimeToLiveSpecification: {{AttributeName: {TTL_ATTRIBUTE}, Enabled: true}}
        PointInTimeRecoverySpecification: {{PointInTimeRecoveryEnabled: true}}
        DeletionProtectionEnabled: true
        "#
    ))
    .unwrap();
    assert_eq!(properties, &expected);
}

#[test]
fn the_settings_secret_starts_as_a_placeholder_the_functions_refuse() {
    let template = committed_template();
    let secret = &of_type(&template, "AWS::SecretsManager::Secret")["SettingsSecret"];
    assert_eq!(secret["DeletionPolicy"], "Retain");
    assert_eq!(secret["Properties"]["SecretString"], SETTINGS_PLACEHOLDER);
    let error = Settings::parse(SETTINGS_PLACEHOLDER).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::ConfigurationInvalid));
    assert!(
        error.to_string().contains("replaceWithTheSettings"),
        "{error}"
    );
}

#[test]
fn keeper_schedules_cover_every_shard_once_for_every_shard_count() {
    let template = committed_template();
    let keeper_id = functions_by_binary(&template)["token-keeper"].0.to_string();
    let schedules = of_type(&template, "AWS::Scheduler::Schedule");
    assert!(!schedules.is_empty());
    let minutes: BTreeSet<&str> = schedules
        .values()
        .map(|s| s["Properties"]["ScheduleExpression"].as_str().unwrap())
        .collect();
    assert_eq!(
        minutes.len(),
        schedules.len(),
        "each schedule at its own minute"
    );

    let shard_counts = template["Parameters"]["KeeperShards"]["AllowedValues"]
        .as_sequence()
        .unwrap();
    assert!(shard_counts.contains(&template["Parameters"]["KeeperShards"]["Default"]));
    for count in shard_counts {
        let count = count.as_u64().unwrap() as u32;
        let condition = format!("KeeperShards{count}");
        let holding = holding(&[condition.as_str()]);
        if let Some(defined) = template["Conditions"].get(&condition) {
            assert_eq!(
                defined,
                &serde_yaml_ng::from_str::<Value>(&format!(
                    "Fn::Equals: [{{Ref: KeeperShards}}, '{count}']"
                ))
                .unwrap()
            );
        }
        let mut covered = Vec::new();
        for (id, schedule) in &schedules {
            let target = &schedule["Properties"]["Target"];
            assert_eq!(get_att_target(&target["Arn"], "Arn"), keeper_id, "{id}");
            assert_eq!(
                get_att_target(&target["RoleArn"], "Arn"),
                "KeeperSchedulerRole"
            );
            let input = resolve_conditions(&target["Input"], &holding).unwrap();
            let event: serde_json::Value = serde_json::from_str(input.as_str().unwrap()).unwrap();
            let shards = keeper_shards(event, count)
                .unwrap_or_else(|error| panic!("{id} at {count} shards: {error}"));
            covered.extend(shards);
        }
        covered.sort_unstable();
        assert_eq!(covered, (0..count).collect::<Vec<_>>(), "{count} shards");
    }
}

#[test]
fn the_environment_at_default_parameters_is_the_functions_default_configuration() {
    let template = committed_template();
    let parameters = &template["Parameters"];
    let variables = template["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .unwrap();
    let environment: BTreeMap<String, String> = variables
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().unwrap().to_string();
            let referenced = value["Ref"].as_str().unwrap();
            let text = match parameters.get(referenced) {
                Some(parameter) => match &parameter["Default"] {
                    Value::Number(number) => number.to_string(),
                    other => other.as_str().unwrap().to_string(),
                },
                None => {
                    assert!(
                        resources(&template).contains_key(referenced),
                        "{name} refers to {referenced}"
                    );
                    format!("value-of-{referenced}")
                }
            };
            (name, text)
        })
        .collect();
    let asked = std::cell::RefCell::new(BTreeSet::new());
    let config = Config::from_lookup(|name| {
        asked.borrow_mut().insert(name.to_string());
        environment.get(name).cloned()
    })
    .expect("the template's environment is a valid configuration");
    let set: BTreeSet<String> = environment.keys().cloned().collect();
    assert_eq!(
        set,
        asked.into_inner(),
        "every variable read is set, and only those"
    );
    assert!(
        !set.contains("RUST_LOG"),
        "the level comes from LoggingConfig (AWS_LAMBDA_LOG_LEVEL): RUST_LOG would override it"
    );

    let defaults = Config::from_lookup(|name| match name {
        "TABLE_NAME" | "SETTINGS_SECRET_ID" => Some("x".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(config.table_name, "value-of-Table");
    assert_eq!(config.settings_secret_id, "value-of-SettingsSecret");
    assert_eq!(config.graph_base_url, defaults.graph_base_url);
    assert_eq!(config.login_base_url, defaults.login_base_url);
    assert_eq!(config.settings_ttl, defaults.settings_ttl);
    assert_eq!(config.token_cache_ttl, defaults.token_cache_ttl);
    assert_eq!(config.keeper_schedule, defaults.keeper_schedule);
    assert_eq!(config.keeper_concurrency, defaults.keeper_concurrency);
    assert_eq!(config.jwt_rules, defaults.jwt_rules);
    assert_eq!(config.service, DEFAULT_SERVICE);
    assert_eq!(config.direct_errors, DirectErrors::Answer);
    assert_eq!(
        template["Parameters"]["DirectInvocationErrors"]["AllowedValues"],
        yaml("[answer, function-error]")
    );
    let function_errors = Config::from_lookup(|name| match name {
        "DIRECT_INVOCATION_ERRORS" => Some("function-error".into()),
        other => environment.get(other).cloned(),
    })
    .unwrap();
    assert_eq!(function_errors.direct_errors, DirectErrors::FunctionError);
}

/// A metric as `Name Dimension=value ...`, dimensions sorted.
fn metric_text(name: &str, dimensions: &[(&str, &str)]) -> String {
    let mut dimensions: Vec<String> = dimensions
        .iter()
        .map(|(dimension, value)| format!("{dimension}={value}"))
        .collect();
    dimensions.sort();
    std::iter::once(name.to_string())
        .chain(dimensions)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every metric the functions emit, as `(name, dimension names)`: the metrics document of a failed
/// invocation (which also publishes `Errors` by code), and the token keeper's counts, which its
/// handler (`shared/src/runtime/keeper_handler.rs`) adds to that document.
fn emitted_metrics() -> BTreeSet<(String, BTreeSet<String>)> {
    let error = ApiError::new(ErrorCode::UpstreamUnavailable, "Graph kept failing");
    let outcome = Outcome::answered(EventStyle::Direct, serde_json::json!({}), 503, Some(&error));
    let upstream = UpstreamRecord::default();
    let document = InvocationSummary {
        service: DEFAULT_SERVICE,
        operation: "users-get",
        function_name: "stack-users-get",
        function_request_id: "request-1",
        xray_trace_id: None,
        cold_start: true,
        duration: Duration::from_millis(3),
        upstream: &upstream,
        outcome: &outcome,
    }
    .metrics_document();
    let mut emitted = BTreeSet::new();
    for directive in document["_aws"]["CloudWatchMetrics"].as_array().unwrap() {
        assert_eq!(directive["Namespace"], NAMESPACE);
        for dimensions in directive["Dimensions"].as_array().unwrap() {
            let dimensions: BTreeSet<String> = dimensions
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect();
            for metric in directive["Metrics"].as_array().unwrap() {
                let name = metric["Name"].as_str().unwrap().to_string();
                emitted.insert((name, dimensions.clone()));
            }
        }
    }
    let per_function: BTreeSet<&str> = emitted
        .iter()
        .filter(|(_, dimensions)| dimensions.len() == 1 && dimensions.contains("Function"))
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        per_function,
        INVOCATION_METRICS.into_iter().collect(),
        "xtask's list of invocation metrics"
    );
    let keeper_handler =
        std::fs::read_to_string(repo_root().join("shared/src/runtime/keeper_handler.rs")).unwrap();
    for name in KEEPER_METRICS {
        assert!(
            keeper_handler.contains(&format!("count(\"{name}\"")),
            "the keeper emits {name}"
        );
        emitted.insert((name.to_string(), BTreeSet::from(["Function".to_string()])));
    }
    emitted
}

/// Checks that `metric` (`Namespace`, `MetricName`, `Dimensions`) is emitted by a deployed function
/// and returns it as [`metric_text`].
fn checked_metric(
    metric: &Value,
    emitted: &BTreeSet<(String, BTreeSet<String>)>,
    functions: &BTreeSet<String>,
) -> String {
    assert_eq!(metric["Namespace"], NAMESPACE);
    let name = metric["MetricName"].as_str().unwrap();
    let dimensions: Vec<(&str, &str)> = metric["Dimensions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| (d["Name"].as_str().unwrap(), d["Value"].as_str().unwrap()))
        .collect();
    let names: BTreeSet<String> = dimensions.iter().map(|(d, _)| d.to_string()).collect();
    assert!(
        emitted.contains(&(name.to_string(), names.clone())),
        "{name} by {names:?} is not emitted"
    );
    for (dimension, value) in &dimensions {
        if *dimension == "Function" {
            assert!(functions.contains(*value), "{value} is no function");
        }
    }
    metric_text(name, &dimensions)
}

#[test]
fn the_alarms_watch_metrics_the_functions_emit_and_notify_the_optional_topic() {
    let template = committed_template();
    let emitted = emitted_metrics();
    let functions: BTreeSet<String> = functions_by_binary(&template).keys().cloned().collect();
    let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
    assert_eq!(
        alarms.keys().copied().collect::<BTreeSet<_>>(),
        ALARMS.into_iter().collect()
    );
    let actions =
        yaml("Fn::If: [AlarmActionsEnabled, [{Ref: AlarmTopicArn}], {Ref: AWS::NoValue}]");
    let parameters = &template["Parameters"];
    let mut watched: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (id, alarm) in &alarms {
        let properties = &alarm["Properties"];
        assert_eq!(properties["AlarmActions"], actions, "{id}");
        assert_eq!(properties["TreatMissingData"], "notBreaching", "{id}");
        assert_eq!(
            properties["ComparisonOperator"], "GreaterThanThreshold",
            "{id}"
        );
        match properties["Threshold"].get("Ref") {
            Some(parameter) => assert_eq!(
                parameters[parameter.as_str().unwrap()]["Type"],
                "Number",
                "{id}"
            ),
            None => assert_eq!(properties["Threshold"], 0, "{id}"),
        }
        let metrics: Vec<&Value> = match properties.get("Metrics") {
            Some(queries) => queries
                .as_sequence()
                .unwrap()
                .iter()
                .filter_map(|query| query.get("MetricStat"))
                .map(|stat| &stat["Metric"])
                .collect(),
            None => vec![properties],
        };
        watched.insert(
            id,
            metrics
                .into_iter()
                .map(|metric| checked_metric(metric, &emitted, &functions))
                .collect(),
        );
    }
    let expected = |metrics: &[&str]| metrics.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        watched["KeeperFailuresAlarm"],
        expected(&[
            "Errors Function=token-keeper",
            "Failed Function=token-keeper"
        ])
    );
    assert_eq!(
        watched["KeeperInvalidationsAlarm"],
        expected(&["Invalidated Function=token-keeper"])
    );
    assert_eq!(
        watched["UpstreamUnavailableAlarm"],
        expected(&[&format!(
            "Errors ErrorCode={}",
            ErrorCode::UpstreamUnavailable.as_str()
        )])
    );
    assert_eq!(
        watched["SignInCallbackErrorsAlarm"],
        expected(&["Errors Function=auth-callback"])
    );
    let keeper_failures = &alarms["KeeperFailuresAlarm"]["Properties"]["Metrics"];
    assert_eq!(
        keeper_failures[2]["Expression"],
        "FILL(errors, 0) + FILL(failed, 0)"
    );

    assert_eq!(parameters["AlarmTopicArn"]["Default"], "");
    assert_eq!(
        template["Conditions"]["AlarmActionsEnabled"],
        yaml("Fn::Not: [{Fn::Equals: [{Ref: AlarmTopicArn}, '']}]")
    );
}

#[test]
fn the_dashboard_graphs_every_function_and_the_keeper_from_emitted_metrics() {
    let template = committed_template();
    let emitted = emitted_metrics();
    let functions: BTreeSet<String> = functions_by_binary(&template).keys().cloned().collect();
    let dashboard = &of_type(&template, "AWS::CloudWatch::Dashboard")["Dashboard"]["Properties"];
    let mut body = dashboard["DashboardBody"]["Fn::Sub"]
        .as_str()
        .unwrap()
        .to_string();
    // Every substitution is the region or an alarm's ARN.
    let mut alarms_shown = BTreeSet::new();
    while let Some(start) = body.find("${") {
        let end = start + body[start..].find('}').unwrap();
        let name = body[start + 2..end].to_string();
        if name != "AWS::Region" {
            let alarm = name.strip_suffix(".Arn").unwrap();
            assert!(ALARMS.contains(&alarm), "{name}");
            alarms_shown.insert(alarm.to_string());
        }
        body.replace_range(start..=end, "x");
    }
    assert_eq!(alarms_shown, ALARMS.iter().map(|a| a.to_string()).collect());
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();

    let mut graphed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut searches = Vec::new();
    for widget in body["widgets"].as_array().unwrap() {
        let right = widget["x"].as_u64().unwrap() + widget["width"].as_u64().unwrap();
        assert!(right <= 24, "{widget}");
        if widget["type"] != "metric" {
            continue;
        }
        for entry in widget["properties"]["metrics"].as_array().unwrap() {
            let entry = entry.as_array().unwrap();
            if let Some(expression) = entry[0].get("expression") {
                searches.push(expression.as_str().unwrap().to_string());
                continue;
            }
            let texts: Vec<&str> = entry.iter().filter_map(|e| e.as_str()).collect();
            let dimensions: Vec<Value> = texts[2..]
                .chunks(2)
                .map(|pair| yaml(&format!("{{Name: {}, Value: {}}}", pair[0], pair[1])))
                .collect();
            let metric = serde_yaml_ng::to_value(BTreeMap::from([
                ("Namespace", Value::from(texts[0])),
                ("MetricName", Value::from(texts[1])),
                ("Dimensions", Value::Sequence(dimensions)),
            ]))
            .unwrap();
            checked_metric(&metric, &emitted, &functions);
            graphed
                .entry(texts[1].to_string())
                .or_default()
                .insert(texts[3].to_string());
        }
    }
    for name in ["Invocations", "Errors", "Duration", "UpstreamLatency"] {
        assert_eq!(graphed[name], functions, "{name} of every function");
    }
    for name in KEEPER_METRICS {
        assert_eq!(graphed[name], BTreeSet::from(["token-keeper".to_string()]));
    }
    assert!(emitted.contains(&(
        "Errors".to_string(),
        BTreeSet::from(["ErrorCode".to_string()])
    )));
    assert_eq!(
        searches,
        [format!(
            "SEARCH('{{{NAMESPACE},ErrorCode}} MetricName=\"Errors\"', 'Sum', 300)"
        )]
    );
}

#[test]
fn each_role_reaches_only_the_table_key_prefixes_its_function_needs() {
    let template = committed_template();
    let patterns_of = |binary: &str| {
        let (_, function) = functions_by_binary(&template)[binary];
        leading_keys_of(role_of(&template, function))
    };
    for (binary, _) in functions_by_binary(&template) {
        let expected: Vec<String> = access_of(&binary)
            .expect("every function has an access entry")
            .key_prefixes()
            .iter()
            .map(|prefix| format!("{prefix}*"))
            .collect();
        assert!(!expected.is_empty(), "{binary} names its prefixes");
        assert_eq!(patterns_of(&binary), expected, "{binary}");
    }
    // The public callback and sign-in start never reach a link; Graph operations never reach
    // pending sign-ins or account claims (the subscription records they reach are those of a link
    // they mark invalid).
    assert_eq!(patterns_of("auth-start"), ["state#*"]);
    assert_eq!(patterns_of("auth-callback"), ["state#*", "completion#*"]);
    assert_eq!(
        patterns_of("users-get"),
        ["link#*", "apptoken#*", "subowner#*", "sub#*"]
    );
    assert_eq!(patterns_of("cache-clear"), ["apptoken#*"]);
    // Each action only on the items it is needed on: a Graph operation may delete a subscription
    // record (of a link it marks invalid) but never read or write one, and never delete a link.
    let (_, users_get) = functions_by_binary(&template)["users-get"];
    let actions_on = |pattern: &str| -> BTreeSet<String> {
        table_grants_of(role_of(&template, users_get))
            .into_iter()
            .filter(|(_, patterns)| patterns.iter().any(|p| p == pattern))
            .flat_map(|(actions, _)| actions)
            .collect()
    };
    assert_eq!(
        actions_on("sub#*"),
        BTreeSet::from(["dynamodb:DeleteItem".to_string()])
    );
    assert_eq!(
        actions_on("link#*"),
        BTreeSet::from([
            "dynamodb:GetItem".to_string(),
            "dynamodb:PutItem".to_string()
        ])
    );
}

#[test]
fn functions_that_write_need_the_write_scopes_of_a_jwt_caller() {
    let template = committed_template();
    for (binary, (_, function)) in functions_by_binary(&template) {
        let variables = &function["Properties"]["Environment"]["Variables"];
        let writes = CATALOG.iter().any(|op| op.name == binary && op.writes)
            || [SUBSCRIPTIONS_CREATE, SUBSCRIPTIONS_DELETE].contains(&binary.as_str());
        if writes {
            assert_eq!(
                variables["JWT_REQUIRED_SCOPES"]["Fn::If"][0], "JwtWriteScopesSet",
                "{binary}"
            );
            assert_eq!(
                variables["JWT_REQUIRED_SCOPES"]["Fn::If"][1]["Ref"], "JwtWriteScopes",
                "{binary}"
            );
        } else {
            assert!(
                variables.get("JWT_REQUIRED_SCOPES").is_none(),
                "{binary} keeps the global JwtRequiredScopes"
            );
        }
    }
    assert_eq!(
        template["Conditions"]["JwtWriteScopesSet"]["Fn::Not"][0]["Fn::Equals"][0]["Ref"],
        "JwtWriteScopes"
    );
}
