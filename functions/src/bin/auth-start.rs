//! `auth-start`: see the sign-in functions (`shared::sign_in::functions`) and docs/sign-in.md.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::sign_in_runtime::run("auth-start").await
}
