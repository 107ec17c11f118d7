//! moto server as the harness starts it: the functions' table layout and the settings secret.

use aws_sdk_dynamodb::types::{KeyType, ProjectionType, ScalarAttributeType, TimeToLiveStatus};
use e2e::aws::{dynamodb_client, secrets_client};
use e2e::moto::shared_moto;
use e2e::secret::put_settings_secret;
use e2e::table::create_table;
use e2e::unique_name::unique_name;
use serde_json::{Value, json};

#[tokio::test]
async fn the_table_has_the_functions_layout() {
    let moto = shared_moto();
    let client = dynamodb_client(moto.endpoint_url());
    let name = unique_name("layout");

    create_table(&client, &name)
        .await
        .expect("creating the table");

    let table = client
        .describe_table()
        .table_name(&name)
        .send()
        .await
        .expect("describing")
        .table
        .expect("a table");
    let key_schema: Vec<_> = table
        .key_schema()
        .iter()
        .map(|key| (key.attribute_name().to_string(), key.key_type().clone()))
        .collect();
    assert_eq!(key_schema, [("pk".to_string(), KeyType::Hash)]);
    let mut attributes: Vec<_> = table
        .attribute_definitions()
        .iter()
        .map(|attribute| {
            (
                attribute.attribute_name().to_string(),
                attribute.attribute_type().clone(),
            )
        })
        .collect();
    attributes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        attributes,
        [
            ("keeperDueAt".to_string(), ScalarAttributeType::N),
            ("keeperShard".to_string(), ScalarAttributeType::S),
            ("pk".to_string(), ScalarAttributeType::S),
        ]
    );
    let [index] = table.global_secondary_indexes() else {
        panic!("one index expected: {table:?}")
    };
    assert_eq!(index.index_name(), Some("keeper-due"));
    let index_keys: Vec<_> = index
        .key_schema()
        .iter()
        .map(|key| (key.attribute_name().to_string(), key.key_type().clone()))
        .collect();
    assert_eq!(
        index_keys,
        [
            ("keeperShard".to_string(), KeyType::Hash),
            ("keeperDueAt".to_string(), KeyType::Range)
        ]
    );
    assert_eq!(
        index.projection().and_then(|p| p.projection_type()),
        Some(&ProjectionType::KeysOnly)
    );

    let ttl = client
        .describe_time_to_live()
        .table_name(&name)
        .send()
        .await
        .expect("describing TTL");
    let ttl = ttl.time_to_live_description().expect("a TTL description");
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(ttl.attribute_name(), Some("expiresAt"));
}

#[tokio::test]
async fn the_settings_secret_round_trips_and_updates() {
    let client = secrets_client(shared_moto().endpoint_url());
    let name = unique_name("settings");
    let read = async |client: &aws_sdk_secretsmanager::Client| -> Value {
        let secret = client
            .get_secret_value()
            .secret_id(&name)
            .send()
            .await
            .expect("reading the secret");
        serde_json::from_str(secret.secret_string().expect("a string secret"))
            .expect("JSON settings")
    };

    put_settings_secret(&client, &name, &json!({"clientId": "first"}))
        .await
        .expect("creating");
    let created = read(&client).await;
    put_settings_secret(&client, &name, &json!({"clientId": "second"}))
        .await
        .expect("updating");
    let updated = read(&client).await;

    assert_eq!(created, json!({"clientId": "first"}));
    assert_eq!(updated, json!({"clientId": "second"}));
}

#[test]
fn one_server_serves_the_whole_test_process() {
    let first = std::thread::spawn(|| shared_moto().endpoint_url().to_string());
    let second = std::thread::spawn(|| shared_moto().endpoint_url().to_string());

    let (first, second) = (
        first.join().expect("first thread"),
        second.join().expect("second thread"),
    );

    assert_eq!(first, second);
    assert!(first.starts_with("http://127.0.0.1:"), "endpoint {first}");
}
