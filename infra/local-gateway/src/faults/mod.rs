//! Faults on demand for the local stack: the DynamoDB proxy, invocations, Management API posts,
//! stream batches and sockets each ask [`Faults`] whether to break the call at hand. The
//! functions know nothing of it: every fault happens in the gateway's process, on the path a
//! call takes through it. Settings come from `LOCAL_FAULTS` at start and from `PUT /_faults` on
//! the control port ([`control`]); the counts of faults fired read back from `GET /_faults`.

pub mod control;
pub mod dynamodb;
pub mod settings;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;

pub use settings::{CrashPoint, FaultSettings, SettingsError, StreamFailure, Throttle};

/// The environment variable read at start: [`FaultSettings`] as JSON.
pub const LOCAL_FAULTS: &str = "LOCAL_FAULTS";

/// Counts calls that match a fault and fires on every Nth.
#[derive(Debug, Default)]
struct Every {
    seen: AtomicU64,
    fired: AtomicU64,
}

impl Every {
    fn hit(&self, every: u64) -> bool {
        if every == 0 {
            return false;
        }
        let n = self.seen.fetch_add(1, Ordering::Relaxed) + 1;
        let fire = n.is_multiple_of(every);
        if fire {
            self.fired.fetch_add(1, Ordering::Relaxed);
        }
        fire
    }

    fn count(&self) -> Value {
        json!({
            "seen": self.seen.load(Ordering::Relaxed),
            "fired": self.fired.load(Ordering::Relaxed),
        })
    }
}

/// One set of settings with its own counters, from the moment it was applied.
#[derive(Debug)]
struct Active {
    settings: FaultSettings,
    since: Instant,
    db_latency: Every,
    db_drop: Every,
    db_throttle: Every,
    db_outage: Every,
    crash: Every,
    push: Every,
    stream: Every,
    socket: Every,
}

impl Active {
    fn new(settings: FaultSettings) -> Self {
        Self {
            settings,
            since: Instant::now(),
            db_latency: Every::default(),
            db_drop: Every::default(),
            db_throttle: Every::default(),
            db_outage: Every::default(),
            crash: Every::default(),
            push: Every::default(),
            stream: Every::default(),
            socket: Every::default(),
        }
    }

    fn within(&self, secs: u64) -> bool {
        secs > 0 && self.since.elapsed() < Duration::from_secs(secs)
    }
}

/// What the DynamoDB proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbAction {
    Forward,
    /// Forward, then cut the connection before the answer.
    Drop,
    Throttle(Throttle),
    /// Cut the connection; forward nothing.
    Outage,
}

/// The faults in force; cheap to ask, shared by every part of the gateway.
#[derive(Debug)]
pub struct Faults {
    active: Mutex<Arc<Active>>,
    /// Told of every change, so that the proxy's plain pass-through connections end when a
    /// database fault comes on (the next ones carry it).
    changed: watch::Sender<()>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(FaultSettings::default())
    }
}

impl Faults {
    pub fn new(settings: FaultSettings) -> Self {
        Self {
            active: Mutex::new(Arc::new(Active::new(settings))),
            changed: watch::Sender::new(()),
        }
    }

    /// Resolves at each change of the settings.
    pub fn changes(&self) -> watch::Receiver<()> {
        self.changed.subscribe()
    }

    /// Whether any database fault is set (an outage whose window has passed included: the
    /// connections stay inspected until the settings change).
    pub fn dynamodb_on(&self) -> bool {
        self.current().settings.dynamodb != settings::DynamoDbFaults::default()
    }

    /// Replaces the settings; counters and windows start again from now. The report of the
    /// settings replaced, counted up to the swap: a reader that asked `GET` first and then
    /// replaced would miss whatever fired in between.
    pub fn set(&self, settings: FaultSettings) -> Value {
        tracing::info!(
            target: "local_gateway::faults",
            settings = %serde_json::to_string(&settings).unwrap_or_default(),
            "fault settings applied"
        );
        let replaced = std::mem::replace(
            &mut *self.active.lock().unwrap_or_else(PoisonError::into_inner),
            Arc::new(Active::new(settings)),
        );
        self.changed.send_replace(());
        Self::report_of(&replaced)
    }

    fn current(&self) -> Arc<Active> {
        Arc::clone(&self.active.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The settings and, per fault, how many calls it looked at and how many it broke.
    pub fn report(&self) -> Value {
        Self::report_of(&self.current())
    }

    fn report_of(active: &Active) -> Value {
        let s = &active.settings;
        json!({
            "settings": s,
            "applied_ms_ago": u64::try_from(active.since.elapsed().as_millis()).unwrap_or(u64::MAX),
            "outage_active": active.within(s.dynamodb.outage_secs),
            "stream_failing": s.stream.failure.is_some() && active.within(s.stream.secs),
            "counts": {
                "dynamodb_latency": active.db_latency.count(),
                "dynamodb_drop": active.db_drop.count(),
                "dynamodb_throttle": active.db_throttle.count(),
                "dynamodb_outage": active.db_outage.count(),
                "function_crash": active.crash.count(),
                "push": active.push.count(),
                "stream": active.stream.count(),
                "socket_drop": active.socket.count(),
            },
        })
    }

    /// The DynamoDB proxy's decision for a request of `operation` (the `X-Amz-Target` after
    /// the dot), and the latency to add first.
    pub fn dynamodb(&self, operation: &str) -> (Option<Duration>, DbAction) {
        let active = self.current();
        let db = &active.settings.dynamodb;
        if active.within(db.outage_secs) {
            active.db_outage.hit(1);
            return (None, DbAction::Outage);
        }
        let matches = db.operations.is_empty() || db.operations.iter().any(|op| op == operation);
        if !matches {
            return (None, DbAction::Forward);
        }
        let latency = (db.latency_ms > 0 && active.db_latency.hit(1))
            .then(|| Duration::from_millis(db.latency_ms));
        let action = if active.db_throttle.hit(db.throttle_every) {
            DbAction::Throttle(db.throttle)
        } else if active.db_drop.hit(db.drop_every) {
            DbAction::Drop
        } else {
            DbAction::Forward
        };
        (latency, action)
    }

    /// Whether this invocation of `function` crashes, and where.
    pub fn crash(&self, function: &str) -> Option<CrashPoint> {
        let active = self.current();
        let f = &active.settings.functions;
        let point = f.crash?;
        let matches = f.functions.is_empty() || f.functions.iter().any(|name| name == function);
        (matches && active.crash.hit(f.every)).then_some(point)
    }

    /// The status a Management API post to `connection_id` is refused with, if any.
    pub fn push(&self, connection_id: &str) -> Option<u16> {
        let active = self.current();
        let p = &active.settings.push;
        let status = p.status?;
        let matches = p.connections.is_empty() || p.connections.iter().any(|c| c == connection_id);
        (matches && active.push.hit(p.every)).then_some(status)
    }

    /// How a stream batch invoked now fails, inside the window.
    pub fn stream(&self) -> Option<StreamFailure> {
        let active = self.current();
        let s = &active.settings.stream;
        let failure = s.failure?;
        (active.within(s.secs) && active.stream.hit(1)).then_some(failure)
    }

    /// For a connection just opened: after how long it is cut, if it is.
    pub fn socket_drop(&self) -> Option<Duration> {
        let active = self.current();
        let s = &active.settings.sockets;
        active
            .socket
            .hit(s.drop_every)
            .then(|| Duration::from_millis(s.after_ms))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_fires_on_the_nth() {
        let every = Every::default();
        let fired: Vec<bool> = (0..6).map(|_| every.hit(3)).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        assert!(!Every::default().hit(0));
    }

    #[test]
    fn decisions_follow_the_settings() {
        let faults = Faults::default();
        assert_eq!(faults.dynamodb("PutItem"), (None, DbAction::Forward));
        assert_eq!(faults.crash("messages"), None);
        faults.set(
            FaultSettings::parse(
                br#"{"dynamodb": {"throttle_every": 1, "operations": ["PutItem"]},
                     "functions": {"crash": "before", "every": 2, "functions": ["chats"]},
                     "push": {"status": 429, "every": 1, "connections": ["c1"]}}"#,
            )
            .unwrap(),
        );
        assert_eq!(faults.dynamodb("GetItem"), (None, DbAction::Forward));
        assert_eq!(
            faults.dynamodb("PutItem").1,
            DbAction::Throttle(Throttle::ProvisionedThroughputExceededException)
        );
        assert_eq!(faults.crash("messages"), None);
        assert_eq!(faults.crash("chats"), None);
        assert_eq!(faults.crash("chats"), Some(CrashPoint::Before));
        assert_eq!(faults.push("c2"), None);
        assert_eq!(faults.push("c1"), Some(429));
        let report = faults.report();
        assert_eq!(report["counts"]["dynamodb_throttle"]["fired"], 1);
        assert_eq!(report["counts"]["function_crash"]["seen"], 2);
        let replaced =
            faults.set(FaultSettings::parse(br#"{"dynamodb": {"outage_secs": 60}}"#).unwrap());
        assert_eq!(replaced["counts"], report["counts"]);
        assert_eq!(faults.report()["counts"]["dynamodb_throttle"]["fired"], 0);
        assert_eq!(faults.dynamodb("GetItem"), (None, DbAction::Outage));
        assert_eq!(faults.report()["outage_active"], true);
    }
}
