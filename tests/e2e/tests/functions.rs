//! A real function binary run by the harness against a test stack (direct invocation,
//! application permissions).

use e2e::demo_directory::ADELE;
use e2e::function_binary::function_binary;
use e2e::function_process::FunctionProcess;
use e2e::stack::TestStack;
use serde_json::json;

#[tokio::test]
async fn users_get_reads_a_user_with_application_permissions() {
    let stack = TestStack::start().await;
    let function = FunctionProcess::spawn(&function_binary("users-get"), &stack.env())
        .await
        .expect("spawning users-get");

    let answer = function
        .invoke(json!({"userId": ADELE.user_principal_name}))
        .await;

    let answer = answer.unwrap_or_else(|error| panic!("{error}; logs:\n{}", function.logs()));
    assert_eq!(
        answer["status"],
        200,
        "{answer}; logs:\n{}",
        function.logs()
    );
    assert_eq!(answer["body"]["id"], ADELE.id);
    assert_eq!(answer["body"]["displayName"], ADELE.display_name);
}
