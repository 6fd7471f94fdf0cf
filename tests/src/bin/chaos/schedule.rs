//! The faults, on a schedule drawn from the seed and printed before the load starts: every
//! kind fires once per round in a shuffled order, each window followed by a quiet gap; the
//! last stretch of the load has none. Each window is set with one `PUT /_faults` and ended
//! with a `DELETE`, whose answer holds the window's final counts.

use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use tokio::time::Instant;

/// The functions the crash faults stop: the ones the clients call (not the sweepers or the
/// delivery function, whose invocations no client would see answered).
const CRASHED: [&str; 3] = ["messages", "chats", "ws-send"];

#[derive(Debug, Clone)]
pub struct Window {
    pub kind: &'static str,
    pub start: Duration,
    pub end: Duration,
    pub settings: Value,
}

#[derive(Debug, Clone)]
pub struct Fired {
    pub window: Window,
    /// `counts` of the control port's report when the window ended.
    pub counts: Value,
    pub error: Option<String>,
}

const KINDS: [&str; 12] = [
    "dynamodb latency",
    "dynamodb drops",
    "dynamodb throttling",
    "dynamodb outage",
    "crash before",
    "crash after",
    "push 429",
    "push 500",
    "push 410",
    "stream error",
    "stream timeout",
    "socket drops",
];

fn settings(kind: &str, rng: &mut StdRng, secs: u64) -> Value {
    match kind {
        "dynamodb latency" => json!({"dynamodb": {"latency_ms": rng.random_range(300..2500)}}),
        "dynamodb drops" => json!({"dynamodb": {"drop_every": rng.random_range(4..12)}}),
        "dynamodb throttling" => {
            let throttle = [
                "ProvisionedThroughputExceededException",
                "ThrottlingException",
                "RequestLimitExceeded",
            ];
            json!({"dynamodb": {"throttle_every": rng.random_range(3..9), "throttle": throttle[rng.random_range(0..3)]}})
        }
        "dynamodb outage" => json!({"dynamodb": {"outage_secs": secs}}),
        "crash before" | "crash after" => {
            let point = if kind == "crash before" {
                "before"
            } else {
                "after"
            };
            json!({"functions": {"crash": point, "every": rng.random_range(3..8), "functions": CRASHED}})
        }
        "push 429" => json!({"push": {"status": 429, "every": rng.random_range(3..10)}}),
        "push 500" => json!({"push": {"status": 500, "every": rng.random_range(5..15)}}),
        "push 410" => json!({"push": {"status": 410, "every": rng.random_range(40..120)}}),
        "stream error" => json!({"stream": {"failure": "error", "secs": secs}}),
        "stream timeout" => json!({"stream": {"failure": "timeout", "secs": secs}}),
        _ => {
            json!({"sockets": {"drop_every": rng.random_range(2..5), "after_ms": rng.random_range(500..5000)}})
        }
    }
}

/// Windows over `[lead, drive - tail)`: rounds of every kind, each slot a window then a gap.
pub fn draw(rng: &mut StdRng, drive: Duration, lead: Duration, tail: Duration) -> Vec<Window> {
    let span = drive.saturating_sub(lead + tail).as_secs_f64();
    let rounds = ((span / 240.0).floor() as usize).max(1);
    let slot = span / (rounds * KINDS.len()) as f64;
    let mut windows = Vec::new();
    let mut at = lead.as_secs_f64();
    for _ in 0..rounds {
        let mut kinds = KINDS.to_vec();
        kinds.shuffle(rng);
        for kind in kinds {
            // Between half and two thirds of the slot on; the rest is the quiet gap.
            let on = slot * rng.random_range(0.5..0.67);
            // Outages and stream failures are windows of their own: the switch ends itself.
            let secs = if kind == "dynamodb outage" {
                on.clamp(2.0, 8.0)
            } else {
                on
            };
            let secs = secs.floor().max(1.0) as u64;
            windows.push(Window {
                kind,
                start: Duration::from_secs_f64(at),
                end: Duration::from_secs_f64(at + on),
                settings: settings(kind, rng, secs),
            });
            at += slot;
        }
    }
    windows
}

/// Sets and ends each window on time; the final counts of each.
pub async fn run(windows: Vec<Window>, faults_url: String, epoch: Instant) -> Vec<Fired> {
    let http = reqwest::Client::new();
    let mut fired = Vec::new();
    for window in windows {
        tokio::time::sleep_until(epoch + window.start).await;
        let set = http.put(&faults_url).json(&window.settings).send().await;
        let mut error = match set {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("PUT answered {}", r.status())),
            Err(e) => Some(format!("PUT failed: {e}")),
        };
        tokio::time::sleep_until(epoch + window.end).await;
        let counts = match clear(&http, &faults_url).await {
            Ok(counts) => counts,
            Err(e) => {
                error.get_or_insert(e);
                Value::Null
            }
        };
        fired.push(Fired {
            window,
            counts,
            error,
        });
    }
    fired
}

/// Every fault off; the counts of the settings that were on.
pub async fn clear(http: &reqwest::Client, faults_url: &str) -> Result<Value, String> {
    let answer = http
        .delete(faults_url)
        .send()
        .await
        .map_err(|e| format!("DELETE failed: {e}"))?;
    let report: Value = answer
        .json()
        .await
        .map_err(|e| format!("DELETE's answer: {e}"))?;
    Ok(report["replaced"]["counts"].clone())
}

/// The count under `name` of the faults that fired.
pub fn total(fired: &[Fired], name: &str, kinds: &[&str]) -> u64 {
    fired
        .iter()
        .filter(|f| kinds.contains(&f.window.kind))
        .map(|f| f.counts[name]["fired"].as_u64().unwrap_or(0))
        .sum()
}

pub fn print(windows: &[Window]) {
    println!("schedule (seconds from the start of the load):");
    for w in windows {
        println!(
            "  {:>6.1} .. {:>6.1}  {:<20} {}",
            w.start.as_secs_f64(),
            w.end.as_secs_f64(),
            w.kind,
            w.settings
        );
    }
}
