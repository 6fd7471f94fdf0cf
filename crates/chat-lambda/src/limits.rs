//! Per-caller rate limits, counted in DynamoDB so that they hold across every Lambda instance.
//!
//! A fixed window per limit: one item per (bucket, key, window) with the window's number in
//! its key, so a new window starts from nothing without any reset, and a TTL reclaims old
//! windows. Taking from a limit is one conditional `ADD` (`n < max`); a refused take changes
//! nothing and is billed like any write. See docs/benchmarks.md, "DynamoDB capacity per operation".

use chat_core::error::Result;
use chat_core::rate_limits::{Bucket, Window};

use crate::app::App;
use chat_aws::metrics;
use chat_aws::store::limits::Taken;

/// One event counted in a window: what [`give_back`] needs to uncount it, in the window it was
/// counted in (a later one may have begun meanwhile).
#[derive(Debug)]
pub struct Reservation {
    bucket: Bucket,
    window_key: String,
}

/// Counts one event against `bucket` for `key`; 429 when the window is full. The count is taken
/// before the event happens (a reservation), so that concurrent requests cannot all pass a
/// check before any is counted; one that turns out not to count is given back.
pub async fn take(app: &App, bucket: Bucket, key: &str) -> Result<Reservation> {
    let limit = app.config.limits.of(bucket);
    let window = Window::now(bucket, key, limit);
    match app
        .store
        .take(&window.key, limit.max, window.expires_at())
        .await?
    {
        Taken::Counted => Ok(Reservation {
            bucket,
            window_key: window.key,
        }),
        Taken::Full => {
            metrics::rate_limited(bucket.into());
            Err(window.refused())
        }
    }
}

/// Uncounts an event reserved with [`take`] that did not happen (a login whose password was
/// right, a write whose token's session had ended). Never fails the request: a count that
/// could not be given back only leaves its window one event fuller, and the failure is logged.
pub async fn give_back(app: &App, reservation: Reservation) {
    if let Err(err) = app.store.uncount(&reservation.window_key).await {
        let bucket: &'static str = reservation.bucket.into();
        tracing::warn!(error = %err, bucket, "a rate-limit count not given back");
    }
}

/// What a WebSocket frame over its connection's limit leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameVerdict {
    Allowed,
    /// Answered with an `error` event `rate_limited`.
    Refused {
        retry_after_secs: u64,
    },
    /// The connection kept flooding: close it.
    Close,
}

/// Counts a frame of `connection_id`. Unlike [`take`] the count goes on past the limit (one
/// unconditional `ADD` that returns it), so that a connection that keeps flooding is told apart
/// from one that went over once.
pub async fn frame(app: &App, connection_id: &str) -> Result<FrameVerdict> {
    let limits = &app.config.limits;
    let limit = limits.socket_frames;
    let window = Window::now(Bucket::SocketFrames, connection_id, limit);
    let count = app.store.count(&window.key, window.expires_at()).await?;
    let max = u64::from(limit.max);
    Ok(if count <= max {
        FrameVerdict::Allowed
    } else if count <= max + u64::from(limits.socket_close_after) {
        metrics::rate_limited(Bucket::SocketFrames.into());
        FrameVerdict::Refused {
            retry_after_secs: window.retry_after_secs,
        }
    } else {
        FrameVerdict::Close
    })
}
