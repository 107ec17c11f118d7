//! `events-get`: see the operations catalog (`shared::domain::catalog`) and the README.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::run("events-get").await
}
