//! The `local-gateway` binary itself: `env` output and exit codes, `serve` start and SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::fixture;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_local-gateway"))
}

#[test]
fn env_prints_resolved_variables() {
    let output = binary()
        .args(["env", "--template"])
        .arg(fixture("template.yaml"))
        .args([
            "--set",
            "WS_ENDPOINT=http://127.0.0.1:8000/ws",
            "--set",
            "EXTRA=a b",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "EXTRA='a b'\n\
         JWT_SECRET=local-secret\n\
         RUST_LOG=info\n\
         USERS_TABLE=lg-test-users\n\
         WS_ENDPOINT=http://127.0.0.1:8000/ws\n"
    );
}

#[test]
fn env_fails_naming_an_unresolvable_variable() {
    let output = binary()
        .args(["env", "--template"])
        .arg(fixture("template.yaml"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("WS_ENDPOINT") && stderr.contains("--set"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_and_missing_templates_fail() {
    let output = binary().args(["serve", "--bogus", "1"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bogus"));

    let output = binary()
        .args(["env", "--template", "/nonexistent/template.yaml"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/template.yaml"));
}

#[tokio::test]
async fn serve_answers_and_stops_on_sigterm() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let child = tokio::task::spawn_blocking(move || {
        binary()
            .args(["serve", "--template"])
            .arg(fixture("no-default.yaml"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    })
    .await
    .unwrap();

    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/nothing");
    let mut answered = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(&url).send().await {
            answered = Some(response.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, Some(reqwest::StatusCode::NOT_FOUND));

    let pid = child.id().to_string();
    let status = tokio::task::spawn_blocking(move || {
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(status.status.success(), "exit: {:?}", status.status);
    let stderr = String::from_utf8_lossy(&status.stderr);
    // One access-log line per request.
    assert!(stderr.contains("GET /nothing 404"), "{stderr}");
}
