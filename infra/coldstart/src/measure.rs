//! One cold start: spawn the function's binary against a fresh local Runtime API, wait for its
//! first response, read its peak memory, kill it.

use std::fs::OpenOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::Value;

use crate::runtime_api::{Invocation, MANAGEMENT_PREFIX, Report, RuntimeApi};

/// What a run needs besides the event.
#[derive(Debug, Clone)]
pub struct Target {
    pub function: String,
    pub binary: PathBuf,
    /// The env file's variables (tables, secret, DynamoDB Local endpoint, credentials).
    pub env: Vec<(String, String)>,
    pub memory_mb: u32,
    /// The function's timeout as its deadline header says, and how long we wait for it.
    pub timeout: Duration,
    /// Where the function's stdout and stderr go (appended), for post-mortems.
    pub log: PathBuf,
}

/// A completed cold start.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Spawn → the response POST fully received.
    pub total: Duration,
    /// Spawn → the first `/next` poll: the init phase Lambda reports as "Init Duration".
    pub init: Option<Duration>,
    /// `VmHWM` right after the response, in KiB; `None` where /proc does not say.
    pub peak_rss_kib: Option<u64>,
    pub response: Bytes,
    /// Management API calls made before the response.
    pub pushes: usize,
    /// The frames those calls pushed (closes push none), in order.
    pub frames: Vec<Bytes>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("exited with {0} before answering")]
    Exited(ExitStatus),
    #[error("no response within {0:?}")]
    TimedOut(Duration),
    #[error("the handler failed ({error_type}): {body}")]
    Invocation { error_type: String, body: String },
    #[error("init failed ({error_type}): {body}")]
    Init { error_type: String, body: String },
    #[error("answered or failed request {got}, expected {expected}")]
    WrongRequest { got: String, expected: String },
    #[error("the runtime API server stopped")]
    ServerGone,
}

/// How often we check whether the process died early. Only failure detection depends on it,
/// not the timings (those are stamped by the server), so it can be lazy and stay out of the
/// measured process's way on a small machine.
const EXIT_POLL: Duration = Duration::from_millis(20);

pub async fn cold_start(
    target: &Target,
    request_id: String,
    event: Value,
) -> Result<Sample, RunError> {
    let invocation = Invocation {
        request_id: request_id.clone(),
        function_arn: format!(
            "arn:aws:lambda:us-east-1:123456789012:function:{}",
            target.function
        ),
        event,
        timeout: target.timeout,
    };
    let mut api = RuntimeApi::start(invocation).await?;
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&target.log)?;
    let mut command = Command::new(&target.binary);
    command
        // Only what Lambda would set: nothing from this shell (RUST_LOG, AWS_PROFILE, HOME...)
        // may change what the function does at init.
        .env_clear()
        .envs(lambda_env(target, api.address()))
        .envs(target.env.iter().map(|(k, v)| (k, v)))
        // After the env file, which cannot know this run's port.
        .env(
            "WEBSOCKET_ENDPOINT",
            format!("http://{}{MANAGEMENT_PREFIX}", api.address()),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // std's spawn returns once exec has succeeded, so this includes fork + exec.
    let started = Instant::now();
    let mut child = command.spawn()?;
    let outcome = await_response(&mut api, &mut child, started, &request_id, target.timeout).await;
    stop(child).await?;
    outcome
}

fn lambda_env(target: &Target, runtime_api: SocketAddr) -> Vec<(String, String)> {
    let dir = target
        .binary
        .parent()
        .map(|dir| dir.display().to_string())
        .unwrap_or_default();
    let region = target
        .env
        .iter()
        .find(|(k, _)| k == "AWS_REGION")
        .map_or("us-east-1", |(_, v)| v.as_str())
        .to_owned();
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", target.function.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            target.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", target.function),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "coldstart/[$LATEST]local".to_owned(),
        ),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".to_owned()),
        ("AWS_DEFAULT_REGION", region),
        ("_HANDLER", "bootstrap".to_owned()),
        ("LAMBDA_TASK_ROOT", dir.clone()),
        ("LAMBDA_RUNTIME_DIR", dir),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
        ("TZ", ":UTC".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn await_response(
    api: &mut RuntimeApi,
    child: &mut Child,
    started: Instant,
    request_id: &str,
    timeout: Duration,
) -> Result<Sample, RunError> {
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut exit_poll = tokio::time::interval(EXIT_POLL);
    let mut init = None;
    let mut pushes = 0;
    let mut frames = Vec::new();
    loop {
        tokio::select! {
            report = api.next_report() => match report.ok_or(RunError::ServerGone)? {
                Report::Next { at } => {
                    init.get_or_insert(at.duration_since(started));
                }
                Report::Response { request_id: got, at, body } => {
                    // Read while the process still lives (it is parked in its next poll):
                    // the high-water mark goes with it.
                    let peak_rss_kib = vm_hwm_kib(child.id());
                    if got != request_id {
                        return Err(RunError::WrongRequest { got, expected: request_id.to_owned() });
                    }
                    return Ok(Sample { total: at.duration_since(started), init, peak_rss_kib, response: body, pushes, frames });
                }
                Report::Error { request_id: got, error_type, body } => {
                    if got != request_id {
                        return Err(RunError::WrongRequest { got, expected: request_id.to_owned() });
                    }
                    return Err(RunError::Invocation { error_type: describe(error_type), body: text(&body) });
                }
                Report::Push { frame } => {
                    pushes += 1;
                    frames.extend(frame);
                }
                Report::InitError { error_type, body, .. } => {
                    return Err(RunError::Init { error_type: describe(error_type), body: text(&body) });
                }
            },
            _ = exit_poll.tick() => {
                if let Some(status) = child.try_wait()? {
                    return Err(RunError::Exited(status));
                }
            }
            () = &mut deadline => return Err(RunError::TimedOut(timeout)),
        }
    }
}

fn describe(error_type: Option<String>) -> String {
    error_type.unwrap_or_else(|| "no error type".to_owned())
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

/// Kills and reaps the process (waiting is blocking, so off the async workers).
async fn stop(mut child: Child) -> std::io::Result<()> {
    // Fails only if the process is already gone, which is what we want anyway.
    let _ = child.kill();
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .map_err(std::io::Error::other)??;
    Ok(())
}

/// The peak resident set size of a live process, from `/proc/<pid>/status`.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vm_hwm() {
        let status = "Name:\tusers\nVmPeak:\t  100 kB\nVmHWM:\t    9876 kB\nVmRSS:\t 9000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(9876));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
    }

    #[test]
    fn reads_our_own_peak_memory() {
        assert!(vm_hwm_kib(std::process::id()).is_some_and(|kib| kib > 0));
    }
}
