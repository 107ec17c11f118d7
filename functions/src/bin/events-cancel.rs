//! `events-cancel`: see the operations catalog (`shared::operations::catalog`) and the README.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::run("events-cancel").await
}
