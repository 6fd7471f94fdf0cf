//! The invoking side of a shard: records are spread over `ParallelizationFactor` lanes by
//! partition key (so one key keeps its order while other keys go on), and each lane batches
//! what has arrived, invokes the function and applies [`batch::deliver`]'s rules.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::{self, error::TryRecvError};
use tokio::task::JoinSet;

use super::batch::{self, Discarded, Outcome, Policy, Target};
use super::records::StreamRecord;
use super::source::StreamSource;
use crate::runtime::clock::Timestamp;
use crate::runtime::ids;
use crate::runtime::lambda::{InvokeError, LambdaClient};

/// Pages of records a lane may have waiting before the shard's reader waits for it.
const LANE_PAGES: usize = 4;

/// What every lane of every shard of one event source shares.
#[derive(Debug)]
pub struct Shared {
    pub source: StreamSource,
    pub stream_arn: String,
    pub lambda: LambdaClient,
    pub dead_letters: DeadLetters,
}

/// The on-failure destinations: `<dir>/<logical id>.jsonl`, one invocation record a line.
#[derive(Debug)]
pub struct DeadLetters {
    dir: PathBuf,
    /// One writer at a time, so lines never interleave.
    lock: tokio::sync::Mutex<()>,
}

impl DeadLetters {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    async fn append(&self, destination: &str, record: &Value) -> std::io::Result<PathBuf> {
        let _guard = self.lock.lock().await;
        tokio::fs::create_dir_all(&self.dir).await?;
        let path = self.dir.join(format!("{destination}.jsonl"));
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await?;
        file.write_all(format!("{record}\n").as_bytes()).await?;
        file.flush().await?;
        Ok(path)
    }
}

/// The lanes of one shard.
pub struct Lanes {
    senders: Vec<mpsc::Sender<Vec<StreamRecord>>>,
    tasks: JoinSet<()>,
}

impl Lanes {
    pub fn start(shared: &Arc<Shared>, shard_id: &str) -> Self {
        let mut tasks = JoinSet::new();
        let senders = (0..shared.source.parallelization.max(1))
            .map(|_| {
                let (sender, receiver) = mpsc::channel(LANE_PAGES);
                let invoker = Invoker {
                    shared: Arc::clone(shared),
                    shard_id: shard_id.to_owned(),
                };
                tasks.spawn(run_lane(receiver, invoker));
                sender
            })
            .collect();
        Self { senders, tasks }
    }

    /// Hands one page of (filtered) records to the lanes, each record to its key's lane.
    pub async fn send(&self, records: Vec<StreamRecord>) {
        let count = self.senders.len();
        let mut pages: Vec<Vec<StreamRecord>> = vec![Vec::new(); count];
        for record in records {
            let lane = usize::try_from(record.partition % count as u64).unwrap_or(0);
            if let Some(page) = pages.get_mut(lane) {
                page.push(record);
            }
        }
        for (sender, page) in self.senders.iter().zip(pages) {
            if !page.is_empty() {
                // A lane only ends when the gateway stops; nothing is left to deliver to then.
                let _ = sender.send(page).await;
            }
        }
    }

    /// Waits until every record handed over has been delivered or discarded.
    pub async fn finish(mut self) {
        self.senders.clear();
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn run_lane(mut pages: mpsc::Receiver<Vec<StreamRecord>>, mut invoker: Invoker) {
    let source = &invoker.shared.source;
    let (batch_size, window) = (source.batch_size, source.batching_window);
    let policy = Policy {
        bisect_on_error: source.bisect_on_error,
        max_retries: source.max_retries,
        max_record_age: source.max_record_age,
    };
    let mut waiting: VecDeque<StreamRecord> = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match pages.recv().await {
                Some(page) => waiting.extend(page),
                None => return,
            }
        }
        let deadline = tokio::time::Instant::now() + window;
        while waiting.len() < batch_size {
            match pages.try_recv() {
                Ok(page) => waiting.extend(page),
                Err(TryRecvError::Empty) if !window.is_zero() => {
                    match tokio::time::timeout_at(deadline, pages.recv()).await {
                        Ok(Some(page)) => waiting.extend(page),
                        _ => break,
                    }
                }
                Err(_) => break,
            }
        }
        let take = batch_size.min(waiting.len());
        let batch: Vec<StreamRecord> = waiting.drain(..take).collect();
        batch::deliver(batch, policy, &mut invoker).await;
    }
}

struct Invoker {
    shared: Arc<Shared>,
    shard_id: String,
}

impl Target for Invoker {
    async fn invoke(&mut self, batch: &[StreamRecord]) -> Outcome {
        let source = &self.shared.source;
        let event = json!({ "Records": batch.iter().map(|r| &r.event).collect::<Vec<_>>() });
        let result = self.shared.lambda.invoke(&source.function, &event).await;
        // A stream fault replaces the answer of a batch the function did handle, so that its
        // retry repeats work already done, as a real timeout after the pushes would.
        let result = match self.shared.lambda.stream_fault(&source.function) {
            Some(error) => Err(error),
            None => result,
        };
        match result {
            Ok(body) if source.report_item_failures => item_failures(&body, batch),
            Ok(_) => Outcome::Success,
            Err(error) => {
                tracing::warn!(source = source.name, shard = self.shard_id, records = batch.len(), %error, "stream batch failed");
                match error {
                    InvokeError::Unreachable { .. } => Outcome::Unavailable,
                    InvokeError::FunctionError { .. } => Outcome::Failed {
                        function_error: true,
                    },
                    _ => Outcome::Failed {
                        function_error: false,
                    },
                }
            }
        }
    }

    async fn discard(&mut self, discarded: Discarded) {
        let source = &self.shared.source;
        let (Some(first), Some(last)) = (discarded.records.first(), discarded.records.last())
        else {
            return;
        };
        tracing::warn!(
            source = source.name,
            shard = self.shard_id,
            condition = discarded.condition.as_str(),
            records = discarded.records.len(),
            first = first.sequence_number,
            last = last.sequence_number,
            destination = source.on_failure.as_deref().unwrap_or("none"),
            "stream records discarded"
        );
        let Some(destination) = &source.on_failure else {
            return;
        };
        let record = invocation_record(&self.shared, &self.shard_id, &discarded);
        match self.shared.dead_letters.append(destination, &record).await {
            Ok(_) => dead_letter_metric(destination),
            Err(error) => tracing::warn!(destination, %error, "cannot write the dead letter"),
        }
    }

    async fn pause(&mut self, pause: Duration) {
        tokio::time::sleep(pause).await;
    }

    fn now_secs(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default()
    }
}

/// Reads `{"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}`. No report, a null
/// or an empty list is success; an identifier that is missing, empty or not in the batch makes
/// the whole batch a failure, as Lambda documents.
fn item_failures(body: &[u8], batch: &[StreamRecord]) -> Outcome {
    let failed = Outcome::Failed {
        function_error: false,
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Success;
    }
    let Ok(response) = serde_json::from_slice::<Value>(body) else {
        return failed;
    };
    let items = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return Outcome::Success,
        Some(Value::Array(items)) if items.is_empty() => return Outcome::Success,
        Some(Value::Array(items)) => items,
        Some(_) => return failed,
    };
    let mut first: Option<usize> = None;
    for item in items {
        let position = item
            .get("itemIdentifier")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .and_then(|id| batch.iter().position(|r| r.sequence_number == id));
        match position {
            Some(index) => first = Some(first.map_or(index, |f| f.min(index))),
            None => return failed,
        }
    }
    first.map_or(Outcome::Success, Outcome::FailedFrom)
}

/// The invocation record Lambda sends an on-failure destination for a stream batch.
/// The metric AWS keeps of a dead letter (the queue's `NumberOfMessagesSent`), in the
/// embedded metric format the functions' metrics use, on standard output (the stack's
/// `gateway.log`), so that the local metrics sum it with theirs.
fn dead_letter_metric(destination: &str) {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis())
        .unwrap_or_default();
    let line = json!({
        "_aws": {
            "Timestamp": u64::try_from(millis).unwrap_or(u64::MAX),
            "CloudWatchMetrics": [{
                "Namespace": "AWS/SQS",
                "Dimensions": [["QueueName"]],
                "Metrics": [{"Name": "NumberOfMessagesSent", "Unit": "Count"}],
            }],
        },
        "QueueName": destination,
        "NumberOfMessagesSent": 1,
    });
    println!("{line}");
}

fn invocation_record(shared: &Shared, shard_id: &str, discarded: &Discarded) -> Value {
    let records = &discarded.records;
    let arrival = |record: Option<&StreamRecord>| {
        let at = Timestamp::from_epoch_millis(record.map_or(0, |r| r.created_at * 1000));
        at.iso8601()
    };
    let mut record = json!({
        "requestContext": {
            "requestId": ids::api_gateway_id(),
            "functionArn": format!("arn:aws:lambda:us-east-1:123456789012:function:{}", shared.source.function),
            "condition": discarded.condition.as_str(),
            "approximateInvokeCount": discarded.invoke_count,
        },
        "version": "1.0",
        "timestamp": Timestamp::now().iso8601(),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records.first().map(|r| r.sequence_number.as_str()),
            "endSequenceNumber": records.last().map(|r| r.sequence_number.as_str()),
            "approximateArrivalOfFirstRecord": arrival(records.first()),
            "approximateArrivalOfLastRecord": arrival(records.last()),
            "batchSize": records.len(),
            "streamArn": shared.stream_arn,
        },
    });
    if discarded.function_error {
        record["responseContext"] = json!({
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        });
    }
    record
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn batch() -> Vec<StreamRecord> {
        ["10", "20", "30"]
            .into_iter()
            .map(|seq| StreamRecord {
                sequence_number: seq.to_owned(),
                created_at: 0,
                partition: 0,
                event: Value::Null,
            })
            .collect()
    }

    #[test]
    fn reads_partial_batch_responses_as_lambda_documents() {
        let failed = Outcome::Failed {
            function_error: false,
        };
        for (body, expected) in [
            ("", Outcome::Success),
            ("null", Outcome::Success),
            ("{}", Outcome::Success),
            (r#"{"batchItemFailures": null}"#, Outcome::Success),
            (r#"{"batchItemFailures": []}"#, Outcome::Success),
            (
                r#"{"batchItemFailures": [{"itemIdentifier": "30"}, {"itemIdentifier": "20"}]}"#,
                Outcome::FailedFrom(1),
            ),
            (r#"{"batchItemFailures": [{"itemIdentifier": ""}]}"#, failed),
            (
                r#"{"batchItemFailures": [{"itemIdentifier": null}]}"#,
                failed,
            ),
            (r#"{"batchItemFailures": [{"id": "20"}]}"#, failed),
            (
                r#"{"batchItemFailures": [{"itemIdentifier": "99"}]}"#,
                failed,
            ),
            (r#"{"batchItemFailures": "20"}"#, failed),
            ("not json", failed),
        ] {
            assert_eq!(item_failures(body.as_bytes(), &batch()), expected, "{body}");
        }
    }
}
