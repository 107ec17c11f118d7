//! `subscriptions-create`: see the README's function list and code map.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::run(env!("CARGO_BIN_NAME")).await
}
