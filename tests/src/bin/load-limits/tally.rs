//! Per-second counts of what happened to a flood's requests, and the honest users' latencies.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What became of one flood request or frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Sent (a WebSocket frame; its fate is counted apart).
    Sent,
    /// Processed by the function: 201, or 401 for a wrong password, `message.sent`.
    Accepted,
    /// `typing` frames the observer in the chat received from the flooder.
    Delivered,
    /// 429 `rate_limited` from a function, or its `error` event on the socket.
    RateLimited,
    /// API Gateway's own 429 `{"message":"Too Many Requests"}` (HTTP or frame).
    EdgeThrottled,
    /// The socket closed by the server.
    Closed,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Sent,
        Outcome::Accepted,
        Outcome::Delivered,
        Outcome::RateLimited,
        Outcome::EdgeThrottled,
        Outcome::Closed,
        Outcome::Other,
    ];

    fn label(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Accepted => "accepted",
            Outcome::Delivered => "typing seen",
            Outcome::RateLimited => "429 rate_limited",
            Outcome::EdgeThrottled => "429 edge",
            Outcome::Closed => "closed",
            Outcome::Other => "other",
        }
    }
}

/// Counts by (second since the flood began, outcome).
pub struct Tally {
    started: Instant,
    counts: Mutex<BTreeMap<(u64, Outcome), u64>>,
}

impl Tally {
    pub fn new(started: Instant) -> Self {
        Self {
            started,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn add(&self, outcome: Outcome) {
        let second = self.started.elapsed().as_secs();
        let mut counts = self.counts.lock().unwrap();
        *counts.entry((second, outcome)).or_default() += 1;
    }

    /// The table: one row a second, the columns that ever counted something.
    pub fn print(&self, seconds: u64) {
        let counts = self.counts.lock().unwrap();
        let columns: Vec<Outcome> = Outcome::ALL
            .into_iter()
            .filter(|o| counts.keys().any(|(_, seen)| seen == o))
            .collect();
        let header: Vec<String> = columns
            .iter()
            .map(|c| format!("{:>17}", c.label()))
            .collect();
        println!("    second{}", header.join(""));
        let mut totals = vec![0u64; columns.len()];
        for second in 0..seconds {
            let row: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let n = counts.get(&(second, *column)).copied().unwrap_or(0);
                    totals[i] += n;
                    format!("{n:>17}")
                })
                .collect();
            println!("    {:>6}{}", second + 1, row.join(""));
        }
        let late: u64 = counts
            .iter()
            .filter(|((second, _), _)| *second >= seconds)
            .map(|(_, n)| n)
            .sum();
        let totals: Vec<String> = totals.iter().map(|n| format!("{n:>17}")).collect();
        println!("    {:>6}{}", "total", totals.join(""));
        if late > 0 {
            println!("    (+{late} answers that arrived after the flood stopped)");
        }
    }
}

/// The honest users' sends: during which flood, the answer's status (0: no answer), how long.
#[derive(Default)]
pub struct Honest {
    sends: Mutex<Vec<(usize, u16, Duration)>>,
}

impl Honest {
    pub fn record(&self, phase: usize, status: u16, took: Duration) {
        self.sends.lock().unwrap().push((phase, status, took));
    }

    pub fn print(&self, phase: usize) {
        let sends = self.sends.lock().unwrap();
        let mine: Vec<_> = sends.iter().filter(|(p, _, _)| *p == phase).collect();
        let mut ok: Vec<Duration> = mine.iter().filter(|s| s.1 == 201).map(|s| s.2).collect();
        ok.sort();
        let mut failed: BTreeMap<u16, usize> = BTreeMap::new();
        for (_, status, _) in mine.iter().filter(|s| s.1 != 201) {
            *failed.entry(*status).or_default() += 1;
        }
        print!(
            "  honest users meanwhile: {} sends attempted, {} succeeded",
            mine.len(),
            ok.len()
        );
        if ok.is_empty() {
            println!("; failed, by status (0: no answer): {failed:?}");
        } else {
            println!(
                ", latency p50 {}, p99 {}{}",
                ms(percentile(&ok, 50.0)),
                ms(percentile(&ok, 99.0)),
                if failed.is_empty() {
                    String::new()
                } else {
                    format!("; failed, by status (0: no answer): {failed:?}")
                }
            );
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
