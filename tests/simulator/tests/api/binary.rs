//! The `ms-simulator` binary: one line on stdout, serves, stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn prints_its_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ms-simulator"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start ms-simulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base_url = line
        .trim_end()
        .strip_prefix("ms-simulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let log = reqwest::get(format!("{base_url}/_control/requests"))
        .await
        .unwrap();
    assert_eq!(log.status(), reqwest::StatusCode::OK);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
}

#[test]
fn refuses_unknown_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_ms-simulator"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: ms-simulator [--port N]"));
}
