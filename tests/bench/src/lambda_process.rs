//! A function process as the benchmark runs it: started the way the Lambda service starts one,
//! against its own Runtime API server (the e2e harness's), with its output appended to a log file.
//!
//! The harness's `FunctionProcess` is not used: it keeps every answer in memory and scans answers
//! and logs for tokens when dropped, a test's concern that costs a long benchmark memory and
//! time, and the benchmark needs the process id for its peak memory.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use e2e::runtime_api::RuntimeApi;
use serde_json::Value;
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::process_memory::peak_rss_kib;

/// How long a process may take to poll for its first invocation.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an invocation may take.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);
/// The memory size the function is told it has, in MB.
const MEMORY_SIZE_MB: &str = "128";

/// A running function process; killed when dropped.
pub struct LambdaProcess {
    runtime_api: RuntimeApi,
    child: Child,
    pid: u32,
    spawned_at: Instant,
    log: PathBuf,
}

impl LambdaProcess {
    /// Starts `program` as function `function_name` with exactly `env` plus the Lambda service's
    /// variables, its stdout and stderr appended to `log`.
    pub async fn spawn(
        program: &Path,
        function_name: &str,
        env: &BTreeMap<String, String>,
        log: &Path,
    ) -> Result<LambdaProcess, String> {
        let runtime_api = RuntimeApi::start(function_name)
            .await
            .map_err(|error| format!("starting a Runtime API: {error}"))?;
        let output = open_log(log)?;
        let errors = output
            .try_clone()
            .map_err(|error| format!("{}: {error}", log.display()))?;
        let spawned_at = Instant::now();
        let child = Command::new(program)
            .env_clear()
            .envs(env)
            .env("AWS_LAMBDA_RUNTIME_API", runtime_api.address().to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", MEMORY_SIZE_MB)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local/bench")
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("starting {}: {error}", program.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| format!("{} exited at once", program.display()))?;
        Ok(LambdaProcess {
            runtime_api,
            child,
            pid,
            spawned_at,
            log: log.to_path_buf(),
        })
    }

    /// Cold start: from spawning the process to its first poll for an invocation.
    pub async fn cold_start(&mut self) -> Result<Duration, String> {
        match self.runtime_api.first_poll(READY_TIMEOUT).await {
            Some(first_poll) => Ok(first_poll.duration_since(self.spawned_at)),
            None => Err(self.failure(&format!(
                "no poll for an invocation within {READY_TIMEOUT:?}"
            ))),
        }
    }

    /// Invokes the function with `event` and returns its result.
    pub async fn invoke(&mut self, event: Value) -> Result<Value, String> {
        self.invoke_within(event, INVOKE_TIMEOUT).await
    }

    /// Invokes the function with `event`, giving it `timeout`, and returns its result.
    pub async fn invoke_within(
        &mut self,
        event: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.runtime_api
            .invoke(event, timeout)
            .await
            .map_err(|error| self.failure(&error.to_string()))
    }

    /// Peak resident set size of the process so far, in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64, String> {
        peak_rss_kib(self.pid)
    }

    /// `what` went wrong, with the process's exit status if it ended and where its log is.
    pub fn failure(&mut self, what: &str) -> String {
        let state = match self.child.try_wait() {
            Ok(Some(status)) => format!("the process ended ({status})"),
            _ => "the process is running".to_string(),
        };
        format!("{what}; {state}; its output: {}", self.log.display())
    }
}

/// Opens `path` for appending, creating it and its directory.
fn open_log(path: &Path) -> Result<File, String> {
    if let Some(directory) = path.parent() {
        std::fs::create_dir_all(directory)
            .map_err(|error| format!("creating {}: {error}", directory.display()))?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|error| format!("opening {}: {error}", path.display()))
}
