//! The functions' failures as the gateway logged them, beside the crash fault's count. A
//! client cannot tell an injected crash from a function that timed out or failed: API Gateway
//! answers both with the same 500 (or, on a socket, the same `Internal server error` frame).
//! The gateway's log tells them apart (an injected crash is Lambda's `Runtime.ExitError`,
//! `signal: killed`), so a real failure is never counted as a fault's.

/// A function failure that reached a client as a 500 or an error frame.
#[derive(Debug, Clone)]
pub struct Failure {
    pub function: String,
    /// The crash fault's doing, not the function's.
    pub injected: bool,
    /// Answered over REST (a 500), not on a socket (a frame).
    pub over_rest: bool,
    /// The log line, shortened, for the report.
    pub line: String,
}

/// The gateway's messages for a route whose function failed (HTTP API, WebSocket API).
const FAILED: [&str; 3] = [
    "function failed",
    "websocket route failed",
    "function returned a malformed response",
];
/// What Lambda reports for a runtime killed under it: the crash fault's answer.
const KILLED: &str = "Runtime exited with error: signal: killed";

/// Every failure in `$STACK_STATE_DIR/gateway.log` a client was answered for; an
/// integration timeout (API Gateway stopped waiting, a 503 or its own frame) is not one.
pub fn logged() -> Result<Vec<Failure>, String> {
    let dir = std::env::var("STACK_STATE_DIR")
        .map_err(|_| "STACK_STATE_DIR is not set (run through infra/chaos.sh)".to_owned())?;
    let path = std::path::Path::new(&dir).join("gateway.log");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|line| FAILED.iter().any(|m| line.contains(m)))
        .filter(|line| !line.contains("integration timeout"))
        .map(|line| Failure {
            function: field(line, "function").unwrap_or_default(),
            injected: line.contains(KILLED),
            over_rest: !line.contains("websocket"),
            line: line.chars().take(300).collect(),
        })
        .collect())
}

/// The value of `name=` in a log line, quotes taken off.
fn field(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &line[start..];
    let value = rest.split_whitespace().next()?;
    Some(value.trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn a_quoted_field_is_read_without_its_quotes() {
        let line = r#"WARN x: websocket route failed route="ping" function="ws-send" error=ws-send failed"#;
        assert_eq!(field(line, "function").as_deref(), Some("ws-send"));
        assert_eq!(field(line, "route").as_deref(), Some("ping"));
        assert_eq!(field(line, "missing"), None);
    }
}
