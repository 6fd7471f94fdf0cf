//! The functions' metrics as the local stack's log holds them (CloudWatch's embedded metric
//! format, the lines `infra/scripts/metrics.py` sums), for tests that check an event moved its
//! metric.

use std::time::Duration;

use serde_json::Value;

/// The functions' log, and the gateway's (the metrics AWS keeps of what it emulates).
fn logs() -> String {
    let dir = std::env::var("STACK_STATE_DIR").expect("STACK_STATE_DIR names the running stack");
    ["lambda.log", "gateway.log"]
        .iter()
        .filter_map(|name| std::fs::read_to_string(std::path::Path::new(&dir).join(name)).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sum of `metric` over every metrics line whose dimensions include `dimensions` (for
/// samples: how many were recorded).
pub fn total(metric: &str, dimensions: &[(&str, &str)]) -> f64 {
    logs()
        .lines()
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
    grown_within(metric, dimensions, before, Duration::from_secs(15)).await
}

pub async fn grown_within(
    metric: &str,
    dimensions: &[(&str, &str)],
    before: f64,
    within: Duration,
) -> f64 {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let now = total(metric, dimensions);
        if now > before || tokio::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
