//! `cache-clear`: deletes the cached application token (see `shared::runtime::cache_clear_runtime` and docs/keeper.md).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::cache_clear_runtime::run().await
}
