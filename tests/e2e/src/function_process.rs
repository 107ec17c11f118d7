//! A built Lambda binary running as a child process against its own [`RuntimeApi`], the way
//! the Lambda service runs it: events in, results out, logs captured.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::runtime_api::{InvokeError, RuntimeApi};
use crate::secret_scan::find_secret;

/// How long [`FunctionProcess::invoke`] waits for a result.
pub const DEFAULT_INVOKE_TIMEOUT: Duration = Duration::from_secs(30);
/// The memory size the function is told it has, in MB.
const MEMORY_SIZE_MB: &str = "128";

/// A running Lambda function process; killed when dropped.
pub struct FunctionProcess {
    runtime_api: RuntimeApi,
    spawned_at: Instant,
    logs: Arc<Mutex<String>>,
    answers: Mutex<Vec<String>>,
    exit_status: watch::Receiver<Option<String>>,
    supervisor: JoinHandle<()>,
}

impl FunctionProcess {
    /// Starts `binary` with exactly `env` plus the variables the Lambda service sets
    /// (`AWS_LAMBDA_RUNTIME_API`, function name, memory size, version, log group and stream),
    /// serving it a fresh Runtime API. The function name is the binary's file name.
    pub async fn spawn(
        binary: &Path,
        env: &BTreeMap<String, String>,
    ) -> std::io::Result<FunctionProcess> {
        let function_name = binary
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("function")
            .to_string();
        let runtime_api = RuntimeApi::start(&function_name).await?;
        let spawned_at = Instant::now();
        let mut child = Command::new(binary)
            .env_clear()
            .envs(env)
            .env("AWS_LAMBDA_RUNTIME_API", runtime_api.address().to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &function_name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", MEMORY_SIZE_MB)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                format!("local/{}", uuid::Uuid::new_v4().simple()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                std::io::Error::new(
                    error.kind(),
                    format!("starting {}: {error}", binary.display()),
                )
            })?;
        let logs = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (exit_sender, exit_status) = watch::channel(None);
        let supervisor = tokio::spawn({
            let logs = logs.clone();
            async move {
                let status =
                    tokio::join!(child.wait(), capture(stdout, &logs), capture(stderr, &logs)).0;
                let status =
                    status.map_or_else(|error| error.to_string(), |status| status.to_string());
                exit_sender.send_replace(Some(status));
            }
        });
        Ok(FunctionProcess {
            runtime_api,
            spawned_at,
            logs,
            answers: Mutex::new(Vec::new()),
            exit_status,
            supervisor,
        })
    }

    /// Invokes the function with `event` and waits up to [`DEFAULT_INVOKE_TIMEOUT`] for its result.
    pub async fn invoke(&self, event: Value) -> Result<Value, InvokeError> {
        self.invoke_within(event, DEFAULT_INVOKE_TIMEOUT).await
    }

    /// Invokes the function with `event` and waits up to `timeout` for its result; the
    /// function sees the matching deadline.
    pub async fn invoke_within(
        &self,
        event: Value,
        timeout: Duration,
    ) -> Result<Value, InvokeError> {
        let mut exit_status = self.exit_status.clone();
        tokio::select! {
            biased;
            result = self.runtime_api.invoke(event, timeout) => {
                if let Ok(answer) = &result {
                    self.answers.lock().unwrap_or_else(PoisonError::into_inner).push(answer.to_string());
                }
                result
            }
            Ok(status) = exit_status.wait_for(Option::is_some) => {
                let status = status.clone().expect("waited for an exit status");
                Err(self.runtime_api.init_error().map_or(InvokeError::Exited(status), InvokeError::Init))
            }
        }
    }

    /// Cold start: the time from spawning the process to its first poll for an invocation,
    /// waiting up to `timeout`; `None` when it did not poll in time.
    pub async fn cold_start(&self, timeout: Duration) -> Option<Duration> {
        let first_poll = self.runtime_api.first_poll(timeout).await?;
        Some(first_poll.duration_since(self.spawned_at))
    }

    /// Everything the process wrote to stdout and stderr so far, line by line in arrival order.
    pub fn logs(&self) -> String {
        self.logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FunctionProcess {
    /// Kills the process, then checks that nothing it logged or answered holds a token, code or
    /// secret: every test that runs a function is also a leak test.
    fn drop(&mut self) {
        // Dropping the supervisor's future drops the child, which kills it (kill_on_drop).
        self.supervisor.abort();
        if std::thread::panicking() {
            return;
        }
        let answers = self
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n");
        for (what, text) in [("logs", self.logs()), ("answers", answers)] {
            if let Some(secret) = find_secret(&text) {
                panic!("{secret} leaked into the function's {what}:\n{text}");
            }
        }
    }
}

/// Appends every line of `stream` to `logs` until the stream ends.
async fn capture(stream: impl AsyncRead + Unpin, logs: &Mutex<String>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut logs = logs.lock().unwrap_or_else(PoisonError::into_inner);
        logs.push_str(&line);
        logs.push('\n');
    }
}

/// Starts function binary `name` (built on demand) with `env`.
///
/// # Panics
/// When the binary cannot be built or started.
pub async fn spawn_function(name: &str, env: &BTreeMap<String, String>) -> FunctionProcess {
    FunctionProcess::spawn(&crate::function_binary::function_binary(name), env)
        .await
        .unwrap_or_else(|error| panic!("starting {name}: {error}"))
}

/// Invokes `function` with `event` and returns its result.
///
/// # Panics
/// When the invocation fails at the Lambda level (crash, timeout); the message carries the function's logs.
pub async fn call(function: &FunctionProcess, event: Value) -> Value {
    function
        .invoke(event)
        .await
        .unwrap_or_else(|error| panic!("{error}; logs:\n{}", function.logs()))
}
