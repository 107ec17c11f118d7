//! `token-keeper`: the scheduled refresh of due links (see `shared::runtime::keeper_runtime` and docs/keeper.md).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::keeper_runtime::run().await
}
