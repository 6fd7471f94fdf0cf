//! Metrics as CloudWatch's embedded metric format: after each invocation, the counts and
//! samples it recorded go to standard output as JSON lines, which CloudWatch Logs turns into
//! metrics (no agent, no API call, nothing on the request's path). The local stack's logs hold
//! the same lines (`infra/scripts/metrics.py` sums them).

use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chat_aws::metrics;
use metrics_cloudwatch_embedded::{Builder, Collector};

/// The metrics' namespace in CloudWatch (`METRICS_NAMESPACE`, set by the template).
const DEFAULT_NAMESPACE: &str = "Chat";

static COLLECTOR: OnceLock<&'static Collector> = OnceLock::new();
static STARTED: OnceLock<Instant> = OnceLock::new();
static READY: OnceLock<Instant> = OnceLock::new();
static INVOKED: AtomicBool = AtomicBool::new(false);

/// Installs the exporter, `function` the one dimension every metric carries. A second call
/// (tests) keeps the first.
pub fn init(function: &'static str) {
    STARTED.get_or_init(Instant::now);
    if COLLECTOR.get().is_some() {
        return;
    }
    let namespace =
        std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| DEFAULT_NAMESPACE.to_owned());
    match Builder::new()
        .cloudwatch_namespace(namespace)
        .with_dimension("function", function)
        .init()
    {
        Ok(collector) => {
            let _ = COLLECTOR.set(collector);
            metrics::describe();
        }
        Err(err) => tracing::warn!(error = %err, "metrics are off"),
    }
}

/// The instance is ready for its first invocation: what it took since [`init`] is its init
/// duration (an instance may then wait for work, which is no part of it).
pub fn ready() {
    READY.get_or_init(Instant::now);
}

/// Runs one invocation's `work`, then writes what it recorded. The first invocation of the
/// process also counts a cold start and its init duration.
pub async fn invocation<T>(work: impl Future<Output = T>) -> T {
    if !INVOKED.swap(true, Ordering::Relaxed)
        && let Some(started) = STARTED.get()
    {
        let ready = READY.get().copied().unwrap_or_else(Instant::now);
        let init = ready.saturating_duration_since(*started);
        metrics::cold_start(init.as_secs_f64() * 1000.0);
    }
    let answer = work.await;
    flush();
    answer
}

fn flush() {
    let Some(collector) = COLLECTOR.get() else {
        return;
    };
    // Locked, so that no log line of another task lands inside a metrics line.
    let stdout = std::io::stdout().lock();
    if let Err(err) = collector.flush(stdout) {
        tracing::warn!(error = %err, "metrics not written");
    }
}
