//! Structured logs: JSON lines (what CloudWatch Logs Insights queries), level from `LOG_LEVEL`
//! (or `RUST_LOG`), default `info`.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = std::env::var("LOG_LEVEL")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|level| EnvFilter::try_new(level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(false)
        .try_init();
}
