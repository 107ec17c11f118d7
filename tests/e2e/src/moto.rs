//! moto server (DynamoDB, Secrets Manager) for tests: one server per test process, shared by
//! every test in it whatever tokio runtime the test runs on.
//!
//! The server is `infra/moto_server.py` run with the repository's `.venv` Python. It exits by
//! itself when this process ends, so a test run never leaves it behind.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{ChildStderr, Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use crate::paths::repo_root;

/// What `infra/moto_server.py` prints once it accepts connections, before the URL.
const READY_PREFIX: &str = "moto listening on ";

/// A running moto server.
pub struct MotoServer {
    endpoint_url: String,
}

impl MotoServer {
    /// Starts `infra/moto_server.py` on a free loopback port and waits until it listens.
    pub fn start() -> Result<MotoServer, String> {
        let python = venv_python();
        if !python.exists() {
            return Err(format!(
                "{} is missing: create the Python environment with `infra/test.sh` \
                 (or `python3.11 -m venv .venv && .venv/bin/pip install -r infra/requirements.txt` \
                 in the repository root)",
                python.display()
            ));
        }
        let mut process = Command::new(&python)
            .arg(repo_root().join("infra/moto_server.py"))
            .arg("0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("starting {}: {error}", python.display()))?;
        let mut stdout = BufReader::new(process.stdout.take().expect("stdout is piped"));
        let stderr = process.stderr.take().expect("stderr is piped");
        let mut first_line = String::new();
        let read = stdout.read_line(&mut first_line);
        let Some(endpoint_url) = first_line
            .trim_end()
            .strip_prefix(READY_PREFIX)
            .map(str::to_owned)
        else {
            let _ = process.kill();
            return Err(format!(
                "moto server did not start (read {read:?}, first line {first_line:?}); its stderr:\n{}",
                read_to_end(stderr)
            ));
        };
        drain_in_background(stdout);
        drain_in_background(stderr);
        Ok(MotoServer { endpoint_url })
    }

    /// `http://127.0.0.1:PORT`, the `AWS_ENDPOINT_URL` for clients of this server.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }
}

/// The moto server of this test process, started on first use.
///
/// # Panics
/// When the server cannot be started (for example when `.venv` is missing); the message says how to fix it.
pub fn shared_moto() -> &'static MotoServer {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER.get_or_init(|| MotoServer::start().unwrap_or_else(|error| panic!("{error}")))
}

/// `<repo>/.venv/bin/python`.
fn venv_python() -> PathBuf {
    repo_root().join(".venv/bin/python")
}

fn read_to_end(mut stream: ChildStderr) -> String {
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}

/// Keeps reading a pipe so the server never blocks on a full one.
fn drain_in_background(mut stream: impl Read + Send + 'static) {
    thread::spawn(move || std::io::copy(&mut stream, &mut std::io::sink()));
}
