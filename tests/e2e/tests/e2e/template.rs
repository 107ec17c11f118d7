//! `template.yaml` is what the generator makes, and it deploys exactly the catalog: one function per
//! binary, one route per operation and sign-in function, only `auth-callback` public, one role per
//! function allowing only what that function calls, the table the adapters expect, keeper schedules
//! covering every shard, and an environment the functions accept.

use std::collections::{BTreeMap, BTreeSet};

use e2e::paths::repo_root;
use serde_yaml_ng::Value;
use shared::adapters::dynamodb_table::{
    KEEPER_DUE_AT, KEEPER_INDEX, KEEPER_SHARD, PARTITION_KEY, TTL_ATTRIBUTE,
};
use shared::error::ErrorCode;
use shared::operations::catalog::CATALOG;
use shared::runtime::config::Config;
use shared::runtime::keeper_event::keeper_shards;
use shared::settings::product_settings::Settings;
use shared::sign_in::functions::{RouteAccess, SIGN_IN_FUNCTIONS};
use xtask::template::committed::{
    allowed_by, committed_template, functions_by_binary, get_att_target, of_type, resources,
    role_of,
};
use xtask::template::storage::SETTINGS_PLACEHOLDER;
use xtask::template::{template_path, template_yaml};

/// `{"Ref": name}`.
fn reference(name: &str) -> Value {
    serde_yaml_ng::from_str(&format!("Ref: {name}")).unwrap()
}

/// The function binary behind each route, by route key.
fn routes_by_key(template: &Value) -> BTreeMap<String, (String, &Value)> {
    let binary_of: BTreeMap<&str, String> = functions_by_binary(template)
        .into_iter()
        .map(|(binary, (id, _))| (id, binary))
        .collect();
    let integrations = of_type(template, "AWS::ApiGatewayV2::Integration");
    let mut routes = BTreeMap::new();
    for (id, route) in of_type(template, "AWS::ApiGatewayV2::Route") {
        let properties = &route["Properties"];
        let target = properties["Target"]["Fn::Sub"].as_str().unwrap();
        let integration_id = target
            .strip_prefix("integrations/${")
            .and_then(|rest| rest.strip_suffix('}'))
            .unwrap_or_else(|| panic!("{id} targets an integration: {target}"));
        let integration = &integrations[integration_id]["Properties"];
        assert_eq!(integration["IntegrationType"], "AWS_PROXY");
        assert_eq!(integration["PayloadFormatVersion"], "2.0");
        let function = get_att_target(&integration["IntegrationUri"], "Arn");
        let key = properties["RouteKey"].as_str().unwrap().to_string();
        let previous = routes.insert(key.clone(), (binary_of[function].clone(), properties));
        assert!(previous.is_none(), "route {key} is defined twice");
    }
    routes
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
    for (binary, (id, function)) in &functions {
        let properties = &function["Properties"];
        assert_eq!(
            properties["FunctionName"]["Fn::Sub"],
            format!("${{AWS::StackName}}-{binary}").as_str(),
            "{id}"
        );
        for global in ["Runtime", "Architectures", "CodeUri", "MemorySize"] {
            assert!(properties.get(global).is_none(), "{id} overrides {global}");
        }
    }
    assert_eq!(
        functions["token-keeper"].1["Properties"]["Timeout"], 300,
        "the keeper's timeout (docs/keeper.md)"
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
    let actual: BTreeMap<String, String> = routes
        .iter()
        .map(|(key, (binary, _))| (key.clone(), binary.clone()))
        .collect();
    assert_eq!(actual, expected);

    // The API may invoke each routed function through its own route only.
    let functions = functions_by_binary(&template);
    let permissions = of_type(&template, "AWS::Lambda::Permission");
    assert_eq!(permissions.len(), routes.len());
    for (key, (binary, _)) in &routes {
        let (method, path) = key.split_once(' ').unwrap();
        let function_id = functions[binary].0;
        let allowing: Vec<_> = permissions
            .values()
            .filter(|p| p["Properties"]["FunctionName"] == reference(function_id))
            .collect();
        assert_eq!(allowing.len(), 1, "{binary}");
        let properties = &allowing[0]["Properties"];
        assert_eq!(properties["Principal"], "apigateway.amazonaws.com");
        assert_eq!(properties["Action"], "lambda:InvokeFunction");
        let source = properties["SourceArn"]["Fn::Sub"].as_str().unwrap();
        assert!(
            source.ends_with(&format!("${{HttpApi}}/*/{method}{path}")),
            "{binary}: {source}"
        );
    }
}

#[test]
fn only_auth_callback_is_public_and_every_other_route_uses_iam_or_the_jwt_authorizer() {
    let template = committed_template();
    let iam_or_jwt: Value =
        serde_yaml_ng::from_str("Fn::If: [JwtAuthorizerEnabled, JWT, AWS_IAM]").unwrap();
    let jwt_authorizer: Value = serde_yaml_ng::from_str(
        "Fn::If: [JwtAuthorizerEnabled, {Ref: JwtAuthorizer}, {Ref: AWS::NoValue}]",
    )
    .unwrap();
    let mut public = Vec::new();
    for (key, (binary, route)) in routes_by_key(&template) {
        if route["AuthorizationType"] == "NONE" {
            assert!(route.get("AuthorizerId").is_none(), "{key}");
            public.push(binary);
        } else {
            assert_eq!(route["AuthorizationType"], iam_or_jwt, "{key}");
            assert_eq!(route["AuthorizerId"], jwt_authorizer, "{key}");
        }
    }
    let public_in_catalog: Vec<&str> = SIGN_IN_FUNCTIONS
        .iter()
        .filter(|f| f.access == RouteAccess::Public)
        .map(|f| f.name)
        .collect();
    assert_eq!(public, ["auth-callback"]);
    assert_eq!(public, public_in_catalog);

    let authorizer = &of_type(&template, "AWS::ApiGatewayV2::Authorizer")["JwtAuthorizer"];
    assert_eq!(authorizer["Condition"], "JwtAuthorizerEnabled");
    let properties = &authorizer["Properties"];
    assert_eq!(properties["AuthorizerType"], "JWT");
    assert_eq!(
        properties["JwtConfiguration"]["Issuer"],
        reference("JwtIssuer")
    );
    assert_eq!(
        properties["JwtConfiguration"]["Audience"],
        reference("JwtAudience")
    );
    assert_eq!(
        properties["IdentitySource"][0],
        "$request.header.Authorization"
    );
    assert_eq!(
        template["Conditions"]["JwtAuthorizerEnabled"],
        serde_yaml_ng::from_str::<Value>("Fn::Not: [{Fn::Equals: [{Ref: JwtIssuer}, '']}]")
            .unwrap()
    );
}

/// What function `binary` must be allowed, besides writing its own logs: the adapters' calls it makes
/// (see xtask/src/template/permissions.rs).
fn expected_access(binary: &str) -> Vec<(&'static str, &'static str)> {
    const TABLE: &str = "Table.Arn";
    const SECRET: &str = "Ref SettingsSecret";
    const INDEX: &str = "${Table.Arn}/index/keeper-due";
    let graph_operation = vec![
        ("dynamodb:GetItem", TABLE),
        ("dynamodb:PutItem", TABLE),
        ("secretsmanager:GetSecretValue", SECRET),
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
        "auth-status" => vec![("dynamodb:GetItem", TABLE)],
        "auth-revoke" => vec![("dynamodb:DeleteItem", TABLE)],
        "token-keeper" => vec![
            ("dynamodb:GetItem", TABLE),
            ("dynamodb:PutItem", TABLE),
            ("dynamodb:UpdateItem", TABLE),
            ("dynamodb:Query", INDEX),
            ("secretsmanager:GetSecretValue", SECRET),
        ],
        "cache-clear" => vec![
            ("dynamodb:DeleteItem", TABLE),
            ("secretsmanager:GetSecretValue", SECRET),
        ],
        operation => {
            assert!(
                CATALOG.iter().any(|op| op.name == operation),
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
    }

    let scheduler = allowed_by(roles["KeeperSchedulerRole"]);
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

/// The value `Fn::If` trees in `value` take when exactly the conditions in `holding` hold.
fn resolve_conditions(value: &Value, holding: &BTreeSet<String>) -> Value {
    match value.get("Fn::If") {
        Some(branches) => {
            let condition = branches[0].as_str().unwrap();
            let branch = if holding.contains(condition) { 1 } else { 2 };
            resolve_conditions(&branches[branch], holding)
        }
        None => value.clone(),
    }
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
        let holding = BTreeSet::from([condition.clone()]);
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
            let input = resolve_conditions(&target["Input"], &holding);
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
    let mut set: BTreeSet<String> = environment.keys().cloned().collect();
    assert!(set.remove("RUST_LOG"), "the log level is set");
    assert_eq!(
        set,
        asked.into_inner(),
        "every variable read is set, and only those"
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
}
