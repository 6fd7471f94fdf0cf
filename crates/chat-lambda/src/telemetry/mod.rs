//! Structured logs: JSON lines (what CloudWatch Logs Insights queries), level from `LOG_LEVEL`
//! (or `RUST_LOG`), default `info`. `Targets` understands `info` and `chat_lambda=debug,info`
//! without the regex engine an `EnvFilter` would add to every function. Metrics go to the same
//! log in CloudWatch's embedded format ([`emf`]).

mod emf;

pub use emf::{invocation, ready};

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Logs and metrics for the function `function` (its binary's name, the metrics' dimension).
pub fn init(function: &'static str) {
    init_logs();
    emf::init(function);
}

fn init_logs() {
    let filter = std::env::var("LOG_LEVEL")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|level| level.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let format = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(false)
        .with_target(false);
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .try_init();
}
