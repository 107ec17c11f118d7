//! `cargo lambda watch` (the pinned `.venv/bin/cargo-lambda`, as `infra/stack.sh` runs it) serving the
//! function binaries over real HTTP: requests to a route of the operations catalog (`GET /users/{userId}`)
//! reach the operation's function as an API Gateway HTTP API payload v2 event, with `pathParameters` filled
//! by cargo-lambda's watch router (`[package.metadata.lambda.watch.router]` in `functions/Cargo.toml`).
//!
//! The process runs in a process group of its own and is stopped, with the function instances it
//! started (each in a session of its own), when the [`LambdaWatch`] is dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use shared::operations::catalog::CATALOG;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::function_binary::function_binary;
use crate::paths::{profile_dir, repo_root};
use crate::secret_scan::find_secret;
use crate::unique_name::unique_name;

/// How long `cargo lambda watch` may take to listen.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the process group has to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// The package whose binaries are served.
const FUNCTIONS_PACKAGE: &str = "functions";

/// Routes as cargo-lambda's watch router reads them: path (matchit syntax) → method → function.
/// A route given as a plain string (every method) is keyed by method `*`.
pub type WatchRouter = BTreeMap<String, BTreeMap<String, String>>;

/// The watch router the operations catalog calls for: each operation's route (`/users/{userId}`, the
/// API Gateway route path, which is also matchit syntax) and method mapped to its function.
pub fn catalog_router() -> WatchRouter {
    let mut router = WatchRouter::new();
    for operation in CATALOG {
        router
            .entry(operation.route.to_string())
            .or_default()
            .insert(
                operation.method.as_str().to_string(),
                operation.name.to_string(),
            );
    }
    router
}

/// `router` as the `[package.metadata.lambda.watch.router]` table of `functions/Cargo.toml`.
pub fn router_toml(router: &WatchRouter) -> String {
    let mut toml = String::from("[package.metadata.lambda.watch.router]\n");
    for (path, methods) in router {
        toml.push_str(&format!("\"{path}\" = [\n"));
        for (method, function) in methods {
            toml.push_str(&format!(
                "    {{ method = \"{method}\", function = \"{function}\" }},\n"
            ));
        }
        toml.push_str("]\n");
    }
    toml
}

/// The watch router configured for package `functions`, as cargo itself parses `functions/Cargo.toml`
/// (`cargo metadata --no-deps`).
pub fn configured_router() -> Result<WatchRouter, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .map_err(|error| format!("running cargo metadata: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("cargo metadata printed no JSON: {error}"))?;
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|package| package["name"] == FUNCTIONS_PACKAGE)
        .ok_or("cargo metadata lists no package `functions`")?;
    let table = package
        .pointer("/metadata/lambda/watch/router")
        .and_then(Value::as_object)
        .ok_or("functions/Cargo.toml has no [package.metadata.lambda.watch.router] table")?;
    let mut router = WatchRouter::new();
    for (path, routes) in table {
        let methods = router.entry(path.clone()).or_default();
        match routes {
            Value::String(function) => {
                methods.insert("*".into(), function.clone());
            }
            Value::Array(routes) => {
                for route in routes {
                    let (Some(method), Some(function)) =
                        (route["method"].as_str(), route["function"].as_str())
                    else {
                        return Err(format!(
                            "route {path}: {route} is not {{ method, function }}"
                        ));
                    };
                    if methods
                        .insert(method.to_string(), function.to_string())
                        .is_some()
                    {
                        return Err(format!("route {path}: {method} is given twice"));
                    }
                }
            }
            other => {
                return Err(format!(
                    "route {path}: {other} is not a function name or list"
                ));
            }
        }
    }
    Ok(router)
}

/// A running `cargo lambda watch --package functions`, reachable at [`LambdaWatch::url`].
pub struct LambdaWatch {
    process: Child,
    port: u16,
    /// Holds the env file and the log.
    dir: PathBuf,
    /// Whether to keep `dir` (the start failed, or a test panicked).
    keep_files: bool,
}

impl LambdaWatch {
    /// Builds the `functions` binaries named (with the running test's profile) so the first request
    /// to each does not wait for the compiler, writes `env` to an env file, starts
    /// `.venv/bin/cargo-lambda lambda watch --package functions --invoke-address 127.0.0.1
    /// --invoke-port <free port> --env-file <file> --ignore-changes` in a process group of its own, and
    /// waits until it accepts connections.
    pub async fn start(
        env: &BTreeMap<String, String>,
        functions: &[&str],
    ) -> Result<LambdaWatch, String> {
        for name in functions {
            function_binary(name);
        }
        let cargo_lambda = repo_root().join(".venv/bin/cargo-lambda");
        if !cargo_lambda.exists() {
            return Err(format!(
                "{} is missing: create the Python environment with `infra/test.sh`",
                cargo_lambda.display()
            ));
        }
        let dir = std::env::temp_dir().join(unique_name("lambda-watch"));
        std::fs::create_dir_all(&dir)
            .map_err(|error| format!("creating {}: {error}", dir.display()))?;
        let env_file = dir.join("functions.env");
        std::fs::write(&env_file, env_file_text(env)?)
            .map_err(|error| format!("writing {}: {error}", env_file.display()))?;
        let log = File::create(dir.join("watch.log"))
            .map_err(|error| format!("creating the log in {}: {error}", dir.display()))?;
        let port = free_port()?;
        let mut command = Command::new(&cargo_lambda);
        command
            .current_dir(repo_root())
            .args(["lambda", "watch", "--package", FUNCTIONS_PACKAGE])
            .args(["--invoke-address", "127.0.0.1"])
            .args(["--invoke-port", &port.to_string()])
            .arg("--env-file")
            .arg(&env_file)
            .arg("--ignore-changes")
            .args(profile_args())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|error| error.to_string())?)
            .stderr(log)
            .process_group(0);
        // What the functions see comes from the env file alone; cargo run must not see the test
        // process's cargo variables (build scripts watching them would rebuild) or AWS settings.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let cargo_own = name.starts_with("CARGO_")
                && !matches!(
                    name.as_ref(),
                    "CARGO_HOME" | "CARGO_TARGET_DIR" | "CARGO_BUILD_JOBS"
                );
            if cargo_own || name.starts_with("AWS_") || name == "RUST_LOG" {
                command.env_remove(name.as_ref());
            }
        }
        let process = command
            .spawn()
            .map_err(|error| format!("starting {}: {error}", cargo_lambda.display()))?;
        let mut watch = LambdaWatch {
            process,
            port,
            dir,
            keep_files: false,
        };
        if let Err(error) = watch.wait_until_listening().await {
            watch.keep_files = true;
            return Err(error);
        }
        Ok(watch)
    }

    async fn wait_until_listening(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                return Err(format!(
                    "cargo lambda watch exited ({status}); its log:\n{}",
                    self.logs()
                ));
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                return Err(format!(
                    "cargo lambda watch did not listen on port {} within {STARTUP_TIMEOUT:?}; its log:\n{}",
                    self.port,
                    self.logs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything cargo-lambda and the functions printed so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.join("watch.log")).unwrap_or_default()
    }

    /// Sends `method request_target` exactly as given, byte for byte (as curl sends what it is
    /// typed), with an optional `(content type, body)`; returns the status and the body.
    pub async fn send_raw(
        &self,
        method: &str,
        request_target: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(u16, Vec<u8>), String> {
        send_raw(self.port, method, request_target, body).await
    }

    fn stop(&mut self) {
        if matches!(self.process.try_wait(), Ok(Some(_))) {
            return;
        }
        let leader = self.process.id();
        let tree = process_tree(leader);
        signal("TERM", &format!("-{leader}"));
        for process in &tree {
            signal("TERM", &process.pid.to_string());
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline
            && (matches!(self.process.try_wait(), Ok(None)) || tree.iter().any(Process::alive))
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        if matches!(self.process.try_wait(), Ok(None)) {
            signal("KILL", &format!("-{leader}"));
        }
        for process in tree.iter().filter(|process| process.alive()) {
            signal("KILL", &process.pid.to_string());
        }
        let _ = self.process.wait();
    }
}

impl Drop for LambdaWatch {
    /// Stops the watch and its function instances; like every function the harness runs, their
    /// logs must hold no secret.
    fn drop(&mut self) {
        self.stop();
        let leaked = if std::thread::panicking() {
            None
        } else {
            find_secret(&self.logs())
        };
        if self.keep_files || leaked.is_some() || std::thread::panicking() {
            eprintln!(
                "cargo lambda watch log kept in {}",
                self.dir.join("watch.log").display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        if let Some(secret) = leaked {
            panic!(
                "{secret} leaked into the logs of cargo lambda watch or a function it ran: {}",
                self.dir.join("watch.log").display()
            );
        }
    }
}

/// `env` as an env file cargo-lambda reads (crate `env_file_reader`): one `NAME=value` line each,
/// values other than plain words single-quoted (a value such as `trace,hyper=trace` has an `=`).
fn env_file_text(env: &BTreeMap<String, String>) -> Result<String, String> {
    let mut text = String::new();
    for (name, value) in env {
        let plain = !value.is_empty()
            && value
                .chars()
                .all(|c| !c.is_whitespace() && !"='`\"#\\".contains(c));
        if plain {
            text.push_str(&format!("{name}={value}\n"));
        } else if value.contains(['\'', '\n']) || value.contains("\\n") {
            return Err(format!(
                "{name} cannot be written to an env file: {value:?}"
            ));
        } else {
            text.push_str(&format!("{name}='{value}'\n"));
        }
    }
    Ok(text)
}

/// `--release` / `--profile` matching the running test's profile, as `function_binary` builds.
fn profile_args() -> Vec<String> {
    match profile_dir().file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => vec![],
        Some("release") => vec!["--release".into()],
        Some(profile) => vec!["--profile".into(), profile.into()],
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| format!("finding a free port: {error}"))
}

/// Sends `kill -s SIGNAL -- TARGET` (a pid, or `-pgid` for a process group).
fn signal(signal: &str, target: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A process, identified by pid and start time (so a reused pid is never signalled).
struct Process {
    pid: u32,
    start_time: u64,
}

impl Process {
    fn alive(&self) -> bool {
        stat(self.pid).is_some_and(|(_, start_time)| start_time == self.start_time)
    }
}

/// Parent pid and start time of `pid`, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    // fields[0] is the state (field 3); ppid is field 4, starttime field 22.
    let ppid = fields.get(1)?.parse().ok()?;
    let start_time = fields.get(19)?.parse().ok()?;
    Some((ppid, start_time))
}

/// Every descendant of `root` (function instances run in sessions of their own, outside its group).
fn process_tree(root: u32) -> Vec<Process> {
    let mut parents: BTreeMap<u32, (u32, u64)> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok())
            && let Some(stat) = stat(pid)
        {
            parents.insert(pid, stat);
        }
    }
    let mut tree = BTreeSet::from([root]);
    loop {
        let grown: Vec<u32> = parents
            .iter()
            .filter(|(pid, (ppid, _))| tree.contains(ppid) && !tree.contains(pid))
            .map(|(pid, _)| *pid)
            .collect();
        if grown.is_empty() {
            break;
        }
        tree.extend(grown);
    }
    tree.remove(&root);
    tree.into_iter()
        .filter_map(|pid| {
            parents.get(&pid).map(|(_, start_time)| Process {
                pid,
                start_time: *start_time,
            })
        })
        .collect()
}

/// One HTTP/1.1 request over a fresh connection to 127.0.0.1:`port`, the request target sent
/// verbatim; the answer is read to the end (`Connection: close`).
pub async fn send_raw(
    port: u16,
    method: &str,
    request_target: &str,
    body: Option<(&str, &[u8])>,
) -> Result<(u16, Vec<u8>), String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|error| format!("connecting to port {port}: {error}"))?;
    let mut request = format!(
        "{method} {request_target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    )
    .into_bytes();
    if let Some((content_type, bytes)) = body {
        request.extend_from_slice(
            format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                bytes.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(bytes);
    } else {
        request.extend_from_slice(b"\r\n");
    }
    stream
        .write_all(&request)
        .await
        .map_err(|error| format!("sending {method} {request_target}: {error}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(|error| format!("reading the answer to {method} {request_target}: {error}"))?;
    parse_response(&answer).ok_or_else(|| {
        format!(
            "unreadable answer to {method} {request_target}: {:?}",
            String::from_utf8_lossy(&answer)
        )
    })
}

/// Status and body of a complete HTTP/1.1 response (`Content-Length` or chunked).
fn parse_response(answer: &[u8]) -> Option<(u16, Vec<u8>)> {
    let split = answer.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..split]).ok()?;
    let rest = &answer[split + 4..];
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)?
    } else if let Some(length) = header("content-length") {
        rest.get(..length.parse::<usize>().ok()?)?.to_vec()
    } else {
        rest.to_vec()
    };
    Some((status, body))
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|window| window == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}
