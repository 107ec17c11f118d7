//! `auth-status`: see the platform functions (`shared::domain::platform_functions`) and docs/sign-in.md.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::entry::platform_runtime::run("auth-status").await
}
