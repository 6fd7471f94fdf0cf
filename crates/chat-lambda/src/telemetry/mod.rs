//! Structured logs: JSON lines (what CloudWatch Logs Insights queries), level from `LOG_LEVEL`
//! (or `RUST_LOG`), default `info`. `Targets` understands `info` and `chat_lambda=debug,info`
//! without the regex engine an `EnvFilter` would add to every function. Metrics go to the same
//! log in CloudWatch's embedded format ([`emf`]).

mod emf;

pub use emf::{invocation, ready};

use chat_core::waves;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets, filter_fn};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
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
        .with_target(false)
        .with_filter(filter);
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(waves_log())
        .try_init();
}

/// With `LOG_WAVES=1`, one line as each wave of a request ends (`chat_core::waves`) and as each
/// AWS call in it ends: the SDK's own span of the operation (`DynamoDB.GetItem`,
/// `ApiGatewayManagement.PostToConnection`), which every generated client opens at debug level
/// around the whole call, retries included. Each line's `span` is the wave or call, `spans` its
/// scope (a call's wave first), its duration `time.busy` plus `time.idle`. Off by default: a few
/// more lines a request are worth paying for only while measuring (the real-time bench turns it
/// on); off, the SDK's debug spans are not even built.
fn waves_log<S>() -> Option<impl Layer<S>>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let on = std::env::var("LOG_WAVES").is_ok_and(|v| v == "1");
    on.then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_span_events(FmtSpan::CLOSE)
            .with_current_span(true)
            .with_span_list(true)
            .with_filter(filter_fn(|meta| {
                meta.target() == waves::TARGET || is_aws_call(meta)
            }))
    })
}

/// The span an SDK client opens around one operation: target `aws_sdk_<service>::operation::..`,
/// named `<Service>.<Operation>` (its inner spans, attempts and serialisation, are the
/// `aws_smithy_runtime` crate's, and left out).
fn is_aws_call(meta: &tracing::Metadata<'_>) -> bool {
    meta.is_span() && meta.target().starts_with("aws_sdk_") && meta.name().contains('.')
}
