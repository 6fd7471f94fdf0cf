//! A request's time. Lambda stops a function at its `Timeout` (10 s, template.yaml), and API
//! Gateway answers that with a bare 500 (a socket gets `Internal server error`), which tells a
//! client nothing about retrying. Each DynamoDB call is bounded (2 s an attempt, 5 s an
//! operation: `chat_aws::store`), but a request makes several in a row, so a slow, throttled
//! or unavailable database took requests past the function's timeout (the chaos run,
//! docs/chaos.md: `Task timed out after 10.00 seconds` in its DynamoDB windows). A request
//! still running at the end of its budget stops and answers 503 `unavailable` with
//! `Retry-After`, which the contract tells clients to retry with the same key: the same effect
//! on the data as Lambda's kill at the timeout, and an answer that says what to do.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chat_core::error::{Error, Result};
use tokio::time::Instant;

/// What a request may take: the functions' `Timeout` (10 s, template.yaml's `Globals`, which
/// every HTTP and WebSocket function keeps) less the time to answer and to push an error
/// frame.
pub const BUDGET: Duration = Duration::from_secs(8);
/// Kept before Lambda's own deadline when that comes sooner than the budget.
const MARGIN: Duration = Duration::from_millis(1500);

tokio::task_local! {
    static ENDS_AT: Instant;
}

/// The budget of an invocation whose Lambda deadline is `deadline_ms` (milliseconds since the
/// epoch). A deadline that is not ahead by more than the margin is not believed: Lambda's is
/// the invocation's start plus its `Timeout`, while `cargo lambda watch` (the local stack)
/// gives one already past, which would have turned every request into a 503.
pub fn budget(deadline_ms: u64) -> Duration {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(MARGIN);
    if left.is_zero() {
        BUDGET
    } else {
        left.min(BUDGET)
    }
}

/// Runs one invocation's work with its budget set (see [`within`]).
pub async fn scope<F: Future>(budget: Duration, work: F) -> F::Output {
    // Boxed: a request's future is deep already, and one more layer on the stack overflowed
    // the debug builds' main thread.
    ENDS_AT.scope(Instant::now() + budget, Box::pin(work)).await
}

/// `work`, stopped with 503 `unavailable` when the invocation's budget less `room` runs out;
/// outside [`scope`], `work` as it is.
pub async fn within<T>(room: Duration, work: impl Future<Output = Result<T>>) -> Result<T> {
    let work = Box::pin(work);
    let Ok(ends_at) = ENDS_AT.try_with(|ends_at| *ends_at) else {
        return work.await;
    };
    match tokio::time::timeout_at(ends_at - room, work).await {
        Ok(result) => result,
        Err(_) => Err(Error::Unavailable(
            "the request ran out of its time (slow dependencies)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_past_its_budget_answers_503_at_the_budget() {
        let started = Instant::now();
        let answer = scope(
            Duration::from_millis(300),
            within(Duration::from_millis(100), async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }),
        )
        .await;
        assert!(matches!(answer, Err(Error::Unavailable(_))), "{answer:?}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn work_inside_its_budget_answers_as_it_would() {
        let answer = scope(
            Duration::from_secs(5),
            within(Duration::from_secs(1), async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(7)
            }),
        )
        .await;
        assert_eq!(answer.ok(), Some(7));
    }

    #[test]
    fn the_budget_is_the_nearer_of_its_own_and_lambdas_deadline_less_a_margin() {
        assert_eq!(budget(0), BUDGET);
        assert_eq!(budget(1), BUDGET);
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0));
        assert_eq!(budget(now_ms + 60_000), BUDGET);
        let near = budget(now_ms + 4_000);
        assert!(
            near <= Duration::from_millis(2_500) && near > Duration::from_secs(2),
            "{near:?}"
        );
        assert_eq!(budget(now_ms.saturating_sub(1_000)), BUDGET);
    }
}
