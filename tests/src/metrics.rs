//! The functions' metrics as the local stack's log holds them (CloudWatch's embedded metric
//! format, the lines `infra/scripts/metrics.py` sums), for tests that check an event moved its
//! metric.

use std::time::Duration;

use serde_json::Value;

fn log_path() -> std::path::PathBuf {
    let dir = std::env::var("STACK_STATE_DIR").expect("STACK_STATE_DIR names the running stack");
    std::path::Path::new(&dir).join("lambda.log")
}

/// The sum of `metric` over every metrics line whose dimensions include `dimensions` (for
/// samples: how many were recorded).
pub fn total(metric: &str, dimensions: &[(&str, &str)]) -> f64 {
    let log = std::fs::read_to_string(log_path()).unwrap_or_default();
    log.lines()
        .filter(|line| line.contains("\"_aws\""))
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|doc| dimensions.iter().all(|(k, v)| doc[*k] == *v))
        .map(|doc| match &doc[metric] {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::Array(samples) => samples.len() as f64,
            _ => 0.0,
        })
        .sum()
}

/// Waits (up to 15 s: a function writes its metrics after it answered) until `metric` grew
/// past `before`; its total then.
pub async fn grown(metric: &str, dimensions: &[(&str, &str)], before: f64) -> f64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let now = total(metric, dimensions);
        if now > before || tokio::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
