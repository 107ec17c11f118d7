//! A container's first call reads its settings, its table items and opens its Graph connection at
//! the same time (`shared::operations::first_call`): each read is made once, a warm container
//! reads nothing ahead, and a failure on the concurrent path answers exactly as the same failure
//! on the sequential path (a container that already has its settings) does. Secrets Manager and
//! DynamoDB each go through their own counting proxy (`AWS_ENDPOINT_URL_<SERVICE>`, which the AWS
//! SDK prefers to `AWS_ENDPOINT_URL`:
//! <https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html>), so one can fail
//! while the other works.

use std::collections::BTreeMap;

use e2e::counting_proxy::CountingProxy;
use e2e::demo_directory::{ADELE, ALEX};
use e2e::function_process::{call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use e2e::stored_links::stored_link;
use serde_json::{Value, json};

const READ_ALL: &[&str] = &["User.Read.All"];
const GET_ITEM: &str = "DynamoDB_20120810.GetItem";
const GET_SECRET: &str = "secretsmanager.GetSecretValue";

/// Secrets Manager and DynamoDB behind a counting proxy each.
struct SplitAws {
    secrets_manager: CountingProxy,
    dynamodb: CountingProxy,
    env: BTreeMap<String, String>,
}

impl SplitAws {
    async fn start(stack: &TestStack) -> SplitAws {
        let moto = &stack.function_env().aws_endpoint_url;
        let secrets_manager = CountingProxy::start(moto).await;
        let dynamodb = CountingProxy::start(moto).await;
        let mut env = stack.env();
        env.insert(
            "AWS_ENDPOINT_URL_SECRETS_MANAGER".into(),
            secrets_manager.url().to_string(),
        );
        env.insert(
            "AWS_ENDPOINT_URL_DYNAMODB".into(),
            dynamodb.url().to_string(),
        );
        SplitAws {
            secrets_manager,
            dynamodb,
            env,
        }
    }

    fn reset(&self) {
        self.secrets_manager.reset();
        self.dynamodb.reset();
    }

    /// Calls counted at either proxy, by operation.
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = self.secrets_manager.counts();
        for (operation, calls) in self.dynamodb.counts() {
            *counts.entry(operation).or_default() += calls;
        }
        counts
    }
}

fn delegated() -> Value {
    json!({"userId": "me", "authUserId": "alice"})
}

/// The status and error code of an answer.
fn outcome(answer: &Value) -> (Value, Value) {
    (
        answer["status"].clone(),
        answer["body"]["error"]["code"].clone(),
    )
}

#[tokio::test]
async fn a_first_call_reads_each_item_once_and_a_warm_call_nothing() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let aws = SplitAws::start(&stack).await;

    for event in [
        delegated(),
        json!({"userId": ALEX.id}),
        json!({"userId": "app:alice"}),
    ] {
        let get = spawn_function("users-get", &aws.env).await;
        aws.reset();
        stack.simulator().clear_requests().await.unwrap();
        let cold = call(&get, event.clone()).await;
        assert_eq!(cold["status"], 200, "{event}: {cold}");
        let counts = aws.counts();
        assert_eq!(counts.get(GET_SECRET), Some(&1), "{event}: {counts:?}");
        let table_reads = if event.get("authUserId").is_some() || event["userId"] == ALEX.id {
            1
        } else {
            2 // the application token and the `app:` user's link
        };
        assert_eq!(
            counts.get(GET_ITEM),
            Some(&table_reads),
            "{event}: {counts:?}"
        );
        let graph: Vec<_> = stack
            .simulator()
            .requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|request| request.path.starts_with("/v1.0/"))
            .collect();
        assert_eq!(graph.len(), 1, "{event}: {graph:?}");

        aws.reset();
        stack.simulator().clear_requests().await.unwrap();
        let warm = call(&get, event.clone()).await;
        assert_eq!(warm["status"], 200, "{event}: {warm}");
        assert_eq!(aws.counts(), BTreeMap::new(), "{event}: nothing read ahead");
        let requests = stack.simulator().requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{event}: {requests:?}");
    }
}

#[tokio::test]
async fn secrets_manager_down_while_the_link_read_succeeds_fails_as_before() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    let aws = SplitAws::start(&stack).await;
    let before = stored_link(&stack, "alice").await;

    aws.secrets_manager.set_outage(true);
    let cold = spawn_function("users-get", &aws.env).await;
    let answer = call(&cold, delegated()).await;
    assert_eq!(
        outcome(&answer),
        (json!(500), json!("InternalError")),
        "{answer}"
    );
    assert!(
        !answer.to_string().contains("outage played"),
        "AWS error details stay in the logs: {answer}"
    );
    let counts = aws.counts();
    assert_eq!(counts.get(GET_ITEM), Some(&1), "read ahead: {counts:?}");
    assert_eq!(
        counts
            .keys()
            .filter(|operation| !operation.starts_with("secretsmanager."))
            .count(),
        1,
        "nothing but the read ahead and the settings: {counts:?}"
    );
    assert_eq!(
        stored_link(&stack, "alice").await,
        before,
        "nothing written"
    );

    aws.secrets_manager.set_outage(false);
    aws.reset();
    let answer = call(&cold, delegated()).await;
    assert_eq!(answer["status"], 200, "recovers: {answer}");
    assert_eq!(
        aws.counts().get(GET_ITEM),
        Some(&1),
        "the failed call's read ahead was dropped, the link read again"
    );
}

#[tokio::test]
async fn dynamodb_down_on_the_first_call_fails_as_on_a_later_one() {
    let stack = TestStack::start().await;
    sign_in(&stack, "alice", ADELE.id, READ_ALL).await;
    sign_in(&stack, "bob", ALEX.id, READ_ALL).await;
    let aws = SplitAws::start(&stack).await;

    // The sequential path: a container that has its settings and bob's token, not alice's.
    let sequential = spawn_function("users-get", &aws.env).await;
    let bob = json!({"userId": "me", "authUserId": "bob"});
    assert_eq!(call(&sequential, bob).await["status"], 200);
    aws.dynamodb.set_outage(true);
    let expected = call(&sequential, delegated()).await;

    let cold = spawn_function("users-get", &aws.env).await;
    let answer = call(&cold, delegated()).await;
    assert_eq!(
        outcome(&answer),
        outcome(&expected),
        "{answer} / {expected}"
    );
    assert_ne!(answer["status"], 200, "{answer}");

    // An application call reads the cached token ahead; a failed read is fetched around, as before.
    let application = spawn_function("users-get", &aws.env).await;
    stack.simulator().clear_requests().await.unwrap();
    let answer = call(&application, json!({"userId": ALEX.id})).await;
    assert_eq!(answer["status"], 200, "{answer}");
    let token_requests = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.grant_type.as_deref() == Some("client_credentials"))
        .count();
    assert_eq!(
        token_requests, 1,
        "one token request instead of the table's copy"
    );
    aws.dynamodb.set_outage(false);
}
