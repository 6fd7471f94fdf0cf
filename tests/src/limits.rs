//! What the tests of the default limits share: the check that the stack runs with them, and
//! waiting for room in a limit's window.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Reply;

pub const NEEDS_DEFAULTS: &str = "needs a stack with the default limits: infra/test.sh runs it";

/// Fails unless the stack applies the template's limits (no `RATE_LIMIT_MULTIPLIER`).
pub fn assert_defaults() {
    let multiplier = std::env::var("RATE_LIMIT_MULTIPLIER").unwrap_or_default();
    assert!(
        multiplier.is_empty() || multiplier == "1",
        "the stack raises its limits (RATE_LIMIT_MULTIPLIER={multiplier}); {NEEDS_DEFAULTS}"
    );
}

/// The `Retry-After` of a refusal, in seconds; a 429 must carry one.
pub fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a 429 without Retry-After: {:?}", reply.headers))
}

/// A 429 `rate_limited` that says when to come back.
pub fn assert_rate_limited(reply: &Reply) {
    reply.expect_error(429, "rate_limited");
    assert!(retry_after(reply) >= 1);
}

/// The number of the `window` now (windows are aligned to the epoch, as the functions count
/// them).
pub fn window_number(window: Duration) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() / window.as_secs().max(1)
}

/// Waits, if need be, until at least `needed` is left of the current `window`: a run that
/// crossed into the next window would get the next window's allowance on top.
pub async fn with_room_in_the_window(window: Duration, needed: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let into = Duration::from_secs(now.as_secs() % window.as_secs().max(1));
    if window - into < needed {
        tokio::time::sleep(window - into + Duration::from_secs(1)).await;
    }
}
