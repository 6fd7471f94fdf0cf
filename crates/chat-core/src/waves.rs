//! The waves of a request's calls: each wave is the calls that run at once (a send's reads,
//! its transaction, its pushes), and a request takes as long as its waves one after another.
//! Each wave is a span, so that its duration can be logged and read back by the benchmarks
//! (the functions log them with `LOG_WAVES=1`; see `chat_lambda::telemetry`).

use std::future::Future;

use tracing::Instrument;

/// The spans' target, which the functions' wave log selects.
pub const TARGET: &str = "waves";

/// `work` as the wave `name` (`send.reads`, `send.write`, `change.reads`, `push`, ...).
pub fn wave<F: Future>(name: &'static str, work: F) -> impl Future<Output = F::Output> {
    work.instrument(tracing::info_span!(target: "waves", "wave", wave = name))
}
