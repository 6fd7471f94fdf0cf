//! What Lambda does with one batch of a shard, as its DynamoDB Streams documentation describes:
//! a failed batch is retried (split in two first when `BisectBatchOnFunctionError`, and
//! splitting does not use up a retry); `batchItemFailures` checkpoints before the first failed
//! record and retries from it; records past `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`
//! are discarded to the on-failure destination and the shard moves on. The batch is finished,
//! one way or the other, before the next one of its shard (or partition) starts: that is the
//! order guarantee.

use std::collections::VecDeque;
use std::time::Duration;

use super::records::StreamRecord;

/// First pause after a failed invocation; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(20);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// How an invocation of a batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `batchItemFailures` named records; the index of the first of them in the batch.
    FailedFrom(usize),
    /// The function failed (error, timeout, unreadable partial-failure report).
    Failed {
        function_error: bool,
    },
    /// The function could not be invoked at all (emulator down): retried without using up
    /// retries, as AWS does for throttling.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub bisect_on_error: bool,
    /// `None`: retry forever.
    pub max_retries: Option<u32>,
    pub max_record_age: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    RetryAttemptsExhausted,
    RecordAgeExceeded,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryAttemptsExhausted => "RetryAttemptsExhausted",
            Self::RecordAgeExceeded => "RecordAgeExceeded",
        }
    }
}

/// Records given up on.
#[derive(Debug, Clone, PartialEq)]
pub struct Discarded {
    pub records: Vec<StreamRecord>,
    pub condition: Condition,
    /// Invocations the records went through.
    pub invoke_count: u32,
    /// The last failure was the function's own error.
    pub function_error: bool,
}

/// Where a batch goes: the function, the on-failure destination and the clock.
pub trait Target {
    async fn invoke(&mut self, batch: &[StreamRecord]) -> Outcome;
    async fn discard(&mut self, discarded: Discarded);
    async fn pause(&mut self, pause: Duration);
    /// Seconds since the epoch, to compare with `ApproximateCreationDateTime`.
    fn now_secs(&self) -> i64;
}

/// Delivers `records` (in order) until each one succeeded or was discarded.
pub async fn deliver(records: Vec<StreamRecord>, policy: Policy, target: &mut impl Target) {
    let mut pending: VecDeque<StreamRecord> = records.into();
    // The batches still to try, as lengths of consecutive runs of `pending`: a bisected batch
    // becomes its two halves, each a batch of its own.
    let mut batches: VecDeque<usize> = VecDeque::from([pending.len()]);
    let mut failures = 0u32;
    let mut invocations = 0u32;
    let mut streak = 0u32;
    let mut function_error = false;
    while let Some(&tried) = batches.front() {
        if tried == 0 {
            batches.pop_front();
            continue;
        }
        let expired = expired_prefix(&pending, policy, target.now_secs()).min(tried);
        if expired > 0 {
            consume(&mut batches, expired);
            target
                .discard(Discarded {
                    records: pending.drain(..expired).collect(),
                    condition: Condition::RecordAgeExceeded,
                    invoke_count: invocations,
                    function_error,
                })
                .await;
            continue;
        }
        invocations += 1;
        let outcome = target.invoke(&pending.make_contiguous()[..tried]).await;
        match outcome {
            Outcome::Success => {
                pending.drain(..tried);
                batches.pop_front();
                (failures, invocations, streak, function_error) = (0, 0, 0, false);
                continue;
            }
            Outcome::FailedFrom(index) => {
                let index = index.min(tried - 1);
                pending.drain(..index);
                consume(&mut batches, index);
                function_error = false;
                if index > 0 {
                    // The failed record is new at the front: this was its first failure.
                    (failures, invocations) = (1, 1);
                } else {
                    failures += 1;
                }
            }
            Outcome::Failed {
                function_error: by_function,
            } => {
                function_error = by_function;
                if policy.bisect_on_error && tried > 1 {
                    batches.pop_front();
                    batches.push_front(tried - tried / 2);
                    batches.push_front(tried / 2);
                } else {
                    failures += 1;
                }
            }
            Outcome::Unavailable => {}
        }
        if policy.max_retries.is_some_and(|max| failures > max) {
            let size = batches.pop_front().unwrap_or_default();
            target
                .discard(Discarded {
                    records: pending.drain(..size).collect(),
                    condition: Condition::RetryAttemptsExhausted,
                    invoke_count: invocations,
                    function_error,
                })
                .await;
            (failures, invocations, streak, function_error) = (0, 0, 0, false);
            continue;
        }
        streak += 1;
        target.pause(pause_after(streak)).await;
    }
}

/// Takes `count` records off the front batch (never more than it holds).
fn consume(batches: &mut VecDeque<usize>, count: usize) {
    if let Some(front) = batches.front_mut() {
        *front = front.saturating_sub(count);
    }
}

fn expired_prefix(pending: &VecDeque<StreamRecord>, policy: Policy, now: i64) -> usize {
    let Some(max_age) = policy.max_record_age else {
        return 0;
    };
    let max_age = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    pending
        .iter()
        .take_while(|record| now.saturating_sub(record.created_at) > max_age)
        .count()
}

fn pause_after(streak: u32) -> Duration {
    FIRST_PAUSE
        .saturating_mul(1 << streak.saturating_sub(1).min(16))
        .min(MAX_PAUSE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records(count: usize) -> Vec<StreamRecord> {
        (1..=count)
            .map(|n| StreamRecord {
                sequence_number: format!("{n:03}"),
                created_at: 1000 + n as i64,
                partition: 0,
                event: json!({"n": n}),
            })
            .collect()
    }

    /// Answers from a script, then succeeds; records every batch and discard.
    struct Script {
        answers: VecDeque<Outcome>,
        batches: Vec<Vec<String>>,
        discarded: Vec<(Vec<String>, Condition, u32)>,
        pauses: Vec<Duration>,
        now: i64,
    }

    impl Script {
        fn new(answers: impl IntoIterator<Item = Outcome>) -> Self {
            Self {
                answers: answers.into_iter().collect(),
                batches: Vec::new(),
                discarded: Vec::new(),
                pauses: Vec::new(),
                now: 1000,
            }
        }
    }

    fn seqs(records: &[StreamRecord]) -> Vec<String> {
        records.iter().map(|r| r.sequence_number.clone()).collect()
    }

    impl Target for Script {
        async fn invoke(&mut self, batch: &[StreamRecord]) -> Outcome {
            self.batches.push(seqs(batch));
            self.answers.pop_front().unwrap_or(Outcome::Success)
        }
        async fn discard(&mut self, discarded: Discarded) {
            self.discarded.push((
                seqs(&discarded.records),
                discarded.condition,
                discarded.invoke_count,
            ));
        }
        async fn pause(&mut self, pause: Duration) {
            self.pauses.push(pause);
        }
        fn now_secs(&self) -> i64 {
            self.now
        }
    }

    const PLAIN: Policy = Policy {
        bisect_on_error: false,
        max_retries: Some(2),
        max_record_age: None,
    };
    const FAILED: Outcome = Outcome::Failed {
        function_error: true,
    };

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[tokio::test]
    async fn a_failed_batch_is_retried_whole_then_discarded() {
        let mut target = Script::new([FAILED, FAILED, FAILED]);
        deliver(records(3), PLAIN, &mut target).await;
        let all = s(&["001", "002", "003"]);
        assert_eq!(target.batches, vec![all.clone(); 3]);
        assert_eq!(
            target.discarded,
            vec![(all, Condition::RetryAttemptsExhausted, 3)]
        );
        assert_eq!(
            target.pauses,
            [Duration::from_millis(20), Duration::from_millis(40)]
        );
    }

    #[tokio::test]
    async fn a_retry_that_succeeds_discards_nothing() {
        let mut target = Script::new([FAILED, FAILED]);
        deliver(records(2), PLAIN, &mut target).await;
        assert_eq!(target.batches.len(), 3);
        assert!(target.discarded.is_empty());
    }

    #[tokio::test]
    async fn item_failures_retry_from_the_first_failed_record() {
        let mut target = Script::new([Outcome::FailedFrom(2), Outcome::FailedFrom(0)]);
        deliver(records(4), PLAIN, &mut target).await;
        assert_eq!(
            target.batches,
            vec![
                s(&["001", "002", "003", "004"]),
                s(&["003", "004"]),
                s(&["003", "004"]),
            ]
        );
        assert!(target.discarded.is_empty());
    }

    #[tokio::test]
    async fn bisection_isolates_the_bad_record_without_using_retries() {
        let policy = Policy {
            bisect_on_error: true,
            max_retries: Some(1),
            max_record_age: None,
        };
        // 4 fail -> [1,2] fails -> [1] ok -> [2] fails twice -> discarded -> [3,4] ok.
        let mut target = Script::new([FAILED, FAILED, Outcome::Success, FAILED, FAILED]);
        deliver(records(4), policy, &mut target).await;
        assert_eq!(
            target.batches,
            vec![
                s(&["001", "002", "003", "004"]),
                s(&["001", "002"]),
                s(&["001"]),
                s(&["002"]),
                s(&["002"]),
                s(&["003", "004"]),
            ]
        );
        assert_eq!(
            target.discarded,
            vec![(s(&["002"]), Condition::RetryAttemptsExhausted, 2)]
        );
    }

    #[tokio::test]
    async fn the_halves_of_a_bisected_batch_stay_separate_batches() {
        let policy = Policy {
            bisect_on_error: true,
            max_retries: Some(0),
            max_record_age: None,
        };
        let mut target = Script::new([FAILED]);
        deliver(records(5), policy, &mut target).await;
        assert_eq!(
            target.batches,
            vec![
                s(&["001", "002", "003", "004", "005"]),
                s(&["001", "002"]),
                s(&["003", "004", "005"]),
            ]
        );
    }

    #[tokio::test]
    async fn unavailable_invocations_do_not_use_up_retries() {
        let policy = Policy {
            max_retries: Some(0),
            ..PLAIN
        };
        let mut target = Script::new([Outcome::Unavailable, Outcome::Unavailable]);
        deliver(records(1), policy, &mut target).await;
        assert_eq!(target.batches.len(), 3);
        assert!(target.discarded.is_empty());
    }

    #[tokio::test]
    async fn records_past_the_maximum_age_are_discarded_before_invoking() {
        let policy = Policy {
            max_retries: None,
            max_record_age: Some(Duration::from_secs(60)),
            ..PLAIN
        };
        let mut target = Script::new([]);
        // Records were created at 1001..=1003; now 1062 makes the first one 61 s old.
        target.now = 1062;
        deliver(records(3), policy, &mut target).await;
        assert_eq!(
            target.discarded,
            vec![(s(&["001"]), Condition::RecordAgeExceeded, 0)]
        );
        assert_eq!(target.batches, vec![s(&["002", "003"])]);
    }

    #[test]
    fn pauses_double_up_to_a_cap() {
        assert_eq!(pause_after(1), Duration::from_millis(20));
        assert_eq!(pause_after(3), Duration::from_millis(80));
        assert_eq!(pause_after(40), MAX_PAUSE);
    }
}
