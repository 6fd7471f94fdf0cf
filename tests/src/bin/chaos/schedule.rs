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
pub const CRASHED: [&str; 3] = ["messages", "chats", "ws-send"];

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

/// Socket drops and stream failures act on what starts inside their window (a socket that
/// opens, a batch handed to the delivery function): their windows are this many times as long
/// as the others', so that a short run still gives them 10 s or more.
const LONG_WEIGHT: f64 = 2.5;
/// The quiet gap after a window: a third to a half of a short window's slot, at most this
/// long (the long windows' slots are longer by their window alone).
const LONGEST_GAP: f64 = 6.0;

fn weight(kind: &str) -> f64 {
    if kind.starts_with("stream") || kind == "socket drops" {
        LONG_WEIGHT
    } else {
        1.0
    }
}

pub fn is_crash(kind: &str) -> bool {
    kind.starts_with("crash")
}

/// Windows over `[lead, drive - tail)`: rounds of every kind, each slot a window then a gap.
pub fn draw(rng: &mut StdRng, drive: Duration, lead: Duration, tail: Duration) -> Vec<Window> {
    let span = drive.saturating_sub(lead + tail).as_secs_f64();
    let rounds = ((span / 240.0).floor() as usize).max(1);
    let unit = span / (rounds as f64 * KINDS.iter().map(|k| weight(k)).sum::<f64>());
    let mut windows = Vec::new();
    let mut at = lead.as_secs_f64();
    let mut previous: Option<&str> = None;
    for _ in 0..rounds {
        let mut kinds = KINDS.to_vec();
        kinds.shuffle(rng);
        // Socket drops never right after a crash window: a crash frame still on its way to a
        // socket the drops cut would never reach its client, and the crash check counts
        // every one. Two crash kinds in twelve leave a place for it.
        if let Some(i) = kinds.iter().position(|k| *k == "socket drops") {
            let drops = kinds.remove(i);
            let place = (0..=kinds.len())
                .find(|&j| {
                    let before = if j == 0 { previous } else { Some(kinds[j - 1]) };
                    !before.is_some_and(is_crash)
                })
                .unwrap_or(0);
            kinds.insert(place, drops);
        }
        // The two stream kinds never back to back: the batches the first failed are retried
        // (bisected, paused) after it ends, and the lane busy with them left the second
        // window nothing to fail (seen in a short run: `stream timeout ... fired nothing`).
        if let Some(i) = kinds.iter().position(|k| *k == "stream timeout") {
            let beside_error = |kinds: &[&str], j: usize| {
                (j > 0 && kinds[j - 1] == "stream error")
                    || kinds.get(j + 1).is_some_and(|k| *k == "stream error")
                    || (j == 0 && previous == Some("stream error"))
            };
            if beside_error(&kinds, i) {
                let timeout = kinds.remove(i);
                let place = (0..=kinds.len())
                    .find(|&j| {
                        let before = if j == 0 { previous } else { Some(kinds[j - 1]) };
                        let after = kinds.get(j).copied();
                        before != Some("stream error")
                            && after != Some("stream error")
                            // Keeps socket drops away from a crash window before it.
                            && !(after == Some("socket drops") && before.is_some_and(is_crash))
                    })
                    .unwrap_or(kinds.len());
                kinds.insert(place, timeout);
            }
        }
        for kind in kinds {
            let slot = unit * weight(kind);
            let gap = (unit * rng.random_range(0.33..0.5)).min(LONGEST_GAP);
            let on = slot - gap;
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
            previous = Some(kind);
        }
    }
    windows
}

/// After a crash window, how long clients keep their sockets: a crash after the function ran
/// answers once the function is done (within its 10 s timeout), and the frame that started it
/// may have come at the window's very end.
const CRASH_ANSWERS_WITHIN: Duration = Duration::from_secs(15);

/// The schedule as the clients see it, in instants of the load: they keep their sockets while
/// a crash answer may be on its way, and some act on purpose inside socket and stream windows.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    windows: Vec<(&'static str, Instant, Instant)>,
}

impl Calendar {
    pub fn new(windows: &[Window], epoch: Instant) -> Calendar {
        Calendar {
            windows: windows
                .iter()
                .map(|w| (w.kind, epoch + w.start, epoch + w.end))
                .collect(),
        }
    }

    /// Whether a client must not end its socket now: a crash window is on, or its crash
    /// frames may still be coming (a socket ended then would lose one the check counts).
    pub fn holds_sockets(&self, now: Instant) -> bool {
        self.windows.iter().any(|(kind, start, end)| {
            is_crash(kind) && *start <= now && now < *end + CRASH_ANSWERS_WITHIN
        })
    }

    /// (start, end) of the windows of the kinds `wanted` says yes to.
    pub fn windows_of(&self, wanted: impl Fn(&str) -> bool) -> Vec<(Instant, Instant)> {
        self.windows
            .iter()
            .filter(|(kind, _, _)| wanted(kind))
            .map(|(_, start, end)| (*start, *end))
            .collect()
    }
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
