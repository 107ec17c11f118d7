//! `users-list` with `all=true` over a large tenant: 5,000 users whose answers together pass
//! Lambda's 6 MB response limit, so the function pages until the limit, answers with the
//! `@odata.nextLink` to go on from, and the caller follows it. Measures the Rust binary's peak RSS
//! (the function is told it has 128 MB, Lambda's smallest common size), the largest answer and the
//! time to read everyone.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use e2e::demo_directory::DEMO_TENANT_ID;
use e2e::paths::built_binary;
use e2e::stack::TestStack;
use futures::future::join_all;
use serde_json::{Value, json};
use shared::operations::response_limits::LAMBDA_RESPONSE_LIMIT;

use crate::budgets::BudgetCheck;
use crate::lambda_process::LambdaProcess;
use crate::report_format::megabytes;

/// Users seeded.
pub const USERS: usize = 5_000;
/// The memory Lambda would give the function, in bytes.
const MEMORY_LIMIT_BYTES: u64 = 128 * 1024 * 1024;
/// How long reading the whole tenant may take.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// What reading the whole tenant took.
#[derive(Debug, Clone)]
pub struct LargeTenantRun {
    /// Users returned over all answers.
    pub users: usize,
    /// Answers it took (each one invocation).
    pub answers: usize,
    /// The largest answer, in bytes.
    pub largest_answer_bytes: usize,
    /// Peak resident set size of the function process, in KiB.
    pub peak_rss_kib: u64,
    /// Time for all the invocations.
    pub duration: Duration,
}

impl LargeTenantRun {
    /// The report's section.
    pub fn table(&self) -> String {
        let mut text = format!(
            "`users-list` with `$top=999&all=true` (application permissions) over {USERS} users of about \
             1.5 kB each, following each answer's `@odata.nextLink`; the Rust binary, told it has 128 MB.\n\n\
             | users returned | answers | largest answer | peak RSS | time |\n| --- | --- | --- | --- | --- |\n"
        );
        let _ = writeln!(
            text,
            "| {} | {} | {} MB | {} MB | {:.2} s |",
            self.users,
            self.answers,
            megabytes(self.largest_answer_bytes as u64),
            megabytes(self.peak_rss_kib * 1024),
            self.duration.as_secs_f64()
        );
        text
    }

    /// The budget: every answer within Lambda's limit, memory within 128 MB.
    pub fn budget_check(&self) -> BudgetCheck {
        let rss = self.peak_rss_kib * 1024;
        BudgetCheck {
            budget: "large tenants: every answer under 6 MB, memory bounded",
            limit: "answers ≤ 6,291,456 bytes, peak RSS < 128 MB",
            measured: format!(
                "largest answer {} MB, peak RSS {} MB, users-list over {USERS} users",
                megabytes(self.largest_answer_bytes as u64),
                megabytes(rss)
            ),
            met: self.largest_answer_bytes <= LAMBDA_RESPONSE_LIMIT && rss < MEMORY_LIMIT_BYTES,
        }
    }
}

async fn seed_users(stack: &TestStack) -> Result<(), String> {
    let users: Vec<Value> = (0..USERS)
        .map(|index| {
            json!({
                "tenantId": DEMO_TENANT_ID,
                "userPrincipalName": format!("tenant{index}@contoso.onmicrosoft.com"),
                "displayName": format!("Tenant User {index}"),
                "givenName": "Tenant",
                "surname": format!("User {index}"),
                "mail": format!("tenant{index}@contoso.onmicrosoft.com"),
                "jobTitle": format!("Engineer {index}: {}", "x".repeat(1_200)),
            })
        })
        .collect();
    for chunk in users.chunks(100) {
        for created in join_all(chunk.iter().map(|user| stack.simulator().add_user(user))).await {
            created.map_err(|error| format!("seeding a user: {error}"))?;
        }
    }
    Ok(())
}

/// Seeds the tenant and reads it all through the release `users-list` binary.
pub async fn measure_large_tenant(
    stack: &TestStack,
    function_env: &std::collections::BTreeMap<String, String>,
    log_dir: &std::path::Path,
) -> Result<LargeTenantRun, String> {
    seed_users(stack).await?;
    let mut process = LambdaProcess::spawn(
        &built_binary("users-list"),
        "users-list",
        function_env,
        &log_dir.join("users-list-large-tenant.log"),
    )
    .await?;
    process.cold_start().await?;
    let started = Instant::now();
    let mut query = json!({"$top": "999", "all": "true"});
    let (mut users, mut answers, mut largest) = (0, 0, 0);
    loop {
        let answer = process
            .invoke_within(json!({ "query": query }), READ_TIMEOUT)
            .await?;
        if answer["status"] != 200 {
            return Err(format!("users-list answered {}", answer["status"]));
        }
        answers += 1;
        largest = largest.max(answer.to_string().len());
        let body = &answer["body"];
        users += body["value"].as_array().map_or(0, Vec::len);
        match body["@odata.nextLink"].as_str() {
            Some(link) => query = json!({"nextLink": link, "all": "true"}),
            None => break,
        }
        if answers > 20 {
            return Err("users-list kept answering with a nextLink".into());
        }
    }
    Ok(LargeTenantRun {
        users,
        answers,
        largest_answer_bytes: largest,
        peak_rss_kib: process.peak_rss_kib()?,
        duration: started.elapsed(),
    })
}
