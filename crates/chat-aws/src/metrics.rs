//! What the service counts for its operators, in one place: each metric's name, unit and
//! labels, recorded through the `metrics` facade. The Lambda layer installs the exporter
//! (CloudWatch's embedded metric format, written to the log after each invocation) and adds
//! the function as a dimension. No label is unbounded: no user, conversation or connection id;
//! a route is the method and the endpoint group (`POST /messages`) or the WebSocket route key.

use metrics::{Unit, counter, describe_counter, describe_histogram, histogram};

pub const REQUESTS: &str = "requests";
pub const MESSAGES_SENT: &str = "messages_sent";
pub const PUSHES: &str = "pushes";
pub const PUSH_RETRIES: &str = "push_retries";
pub const FANOUT_LATENCY: &str = "fanout_latency";
pub const FANOUT_AUDIENCE: &str = "fanout_audience";
pub const STREAM_BATCHES: &str = "stream_batches";
pub const STREAM_RECORDS_FAILED: &str = "stream_records_failed";
pub const RATE_LIMITED: &str = "rate_limited";
pub const SWEPT_CONNECTIONS: &str = "swept_connections";
pub const SWEPT_UPLOADS: &str = "swept_uploads";
pub const COLD_STARTS: &str = "cold_starts";
pub const INIT_DURATION: &str = "init_duration";

/// Names each metric's unit and meaning for the exporter; once per process.
pub fn describe() {
    describe_counter!(
        REQUESTS,
        Unit::Count,
        "requests answered, by route and status class"
    );
    describe_counter!(MESSAGES_SENT, Unit::Count, "new messages stored, by door");
    describe_counter!(PUSHES, Unit::Count, "Management API posts, by outcome");
    describe_counter!(
        PUSH_RETRIES,
        Unit::Count,
        "posts tried again after a 429, a 5xx or no answer"
    );
    describe_histogram!(
        FANOUT_LATENCY,
        Unit::Milliseconds,
        "from a change's stream record to its last push"
    );
    describe_histogram!(FANOUT_AUDIENCE, Unit::Count, "sockets a change went to");
    describe_counter!(STREAM_BATCHES, Unit::Count, "stream batches, by outcome");
    describe_counter!(
        STREAM_RECORDS_FAILED,
        Unit::Count,
        "records handed back for a retry"
    );
    describe_counter!(RATE_LIMITED, Unit::Count, "requests refused 429, by bucket");
    describe_counter!(SWEPT_CONNECTIONS, Unit::Count, "connections a sweep closed");
    describe_counter!(
        SWEPT_UPLOADS,
        Unit::Count,
        "abandoned uploads a sweep removed"
    );
    describe_counter!(COLD_STARTS, Unit::Count, "first invocations of an instance");
    describe_histogram!(
        INIT_DURATION,
        Unit::Milliseconds,
        "from the process's start to its first invocation"
    );
}

/// A REST request or WebSocket event answered with `status`.
pub fn request(route: String, status: u16) {
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    counter!(REQUESTS, "route" => route, "status_class" => class).increment(1);
}

/// A new message stored; `door` is `rest` or `websocket`.
pub fn message_sent(door: &'static str) {
    counter!(MESSAGES_SENT, "door" => door).increment(1);
}

/// How one push ended, as the `pushes` metric tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Delivered,
    /// 410: the connection is gone.
    Gone,
    /// Still refused with 429 after the retries.
    Throttled,
    Failed,
}

pub fn push(outcome: Pushed) {
    let outcome = match outcome {
        Pushed::Delivered => "delivered",
        Pushed::Gone => "gone",
        Pushed::Throttled => "throttled",
        Pushed::Failed => "failed",
    };
    counter!(PUSHES, "outcome" => outcome).increment(1);
}

pub fn push_retried() {
    counter!(PUSH_RETRIES).increment(1);
}

/// A change pushed to `sockets` sockets, `latency_ms` after its stream record was written.
pub fn fanned_out(latency_ms: f64, sockets: usize) {
    histogram!(FANOUT_LATENCY).record(latency_ms);
    histogram!(FANOUT_AUDIENCE).record(sockets as f64);
}

/// A stream batch handled; `failed` records go back to the event source for a retry.
pub fn stream_batch(failed: usize) {
    let outcome = if failed == 0 { "processed" } else { "failed" };
    counter!(STREAM_BATCHES, "outcome" => outcome).increment(1);
    counter!(STREAM_RECORDS_FAILED).increment(failed as u64);
}

pub fn rate_limited(bucket: &'static str) {
    counter!(RATE_LIMITED, "bucket" => bucket).increment(1);
}

pub fn swept_connections(closed: usize) {
    counter!(SWEPT_CONNECTIONS).increment(closed as u64);
}

pub fn swept_uploads(removed: usize) {
    counter!(SWEPT_UPLOADS).increment(removed as u64);
}

pub fn cold_start(init_ms: f64) {
    counter!(COLD_STARTS).increment(1);
    histogram!(INIT_DURATION).record(init_ms);
}
