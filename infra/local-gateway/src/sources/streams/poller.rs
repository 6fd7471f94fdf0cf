//! The reading side of an event source: the table's latest stream (DescribeTable), its shards
//! (DescribeStream, re-described periodically and whenever a shard closes, so child shards are
//! found), and one reader per shard (GetShardIterator, GetRecords every poll interval when
//! idle). A child shard is read after its parent has been delivered, as Lambda does; a shard
//! ends when GetRecords returns no next iterator.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::KeyType;
use aws_sdk_dynamodbstreams::Client as StreamsClient;
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{Shard, ShardIteratorType};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::StreamError;
use super::filter;
use super::lane::{Lanes, Shared};
use super::records;
use super::shards::{PAGE_LIMIT, iterator, last_record, list_shards};
use super::source::{StartingPosition, StreamSource};

/// How often the shard list is re-read when no shard closed.
const SHARD_REFRESH: Duration = Duration::from_secs(5);
/// Longest wait between retries of a failing DynamoDB Streams call.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// An event source whose stream was found and whose starting positions were fixed: with
/// `StartingPosition: LATEST`, records written from here on reach the function.
pub struct Prepared {
    shared: Arc<Shared>,
    partition_key: String,
    streams: StreamsClient,
    poll: Duration,
    initial: Vec<(Shard, ShardStart)>,
    /// Every shard at start, read or not: later shards are the new ones.
    seen: HashSet<String>,
}

#[derive(Debug, Clone)]
enum ShardStart {
    /// `StartingPosition: LATEST`: the records after this one, the last in the shard at the
    /// start (`None`: the shard was empty, so all of them). A position rather than a LATEST
    /// iterator, because DynamoDB Local answers TrimmedDataAccessException when an iterator
    /// taken on an empty shard, idle for some seconds, meets the shard's first record: a
    /// LATEST iterator taken again then would skip that record, and a position says where to
    /// take the next one.
    After(Option<String>),
    /// Taken when the reader starts (after the parent shard is done).
    TrimHorizon,
}

pub async fn prepare(
    dynamodb: &aws_sdk_dynamodb::Client,
    streams: StreamsClient,
    poll: Duration,
    shared: impl FnOnce(String) -> Shared,
    source: &StreamSource,
) -> Result<Prepared, StreamError> {
    let api = |operation: &'static str| {
        let name = source.name.clone();
        let table = source.table.clone();
        move |message: String| StreamError::Api {
            source_name: name,
            table,
            operation,
            message,
        }
    };
    let described = dynamodb
        .describe_table()
        .table_name(&source.table)
        .send()
        .await
        .map_err(|e| api("DescribeTable")(DisplayErrorContext(e).to_string()))?;
    let table = described.table();
    let stream_arn = table
        .and_then(|t| t.latest_stream_arn())
        .filter(|_| {
            table
                .and_then(|t| t.stream_specification())
                .is_some_and(|spec| spec.stream_enabled())
        })
        .ok_or_else(|| StreamError::NoStream {
            source_name: source.name.clone(),
            table: source.table.clone(),
        })?
        .to_owned();
    let partition_key = table
        .map(|t| t.key_schema())
        .unwrap_or_default()
        .iter()
        .find(|key| key.key_type() == &KeyType::Hash)
        .map(|key| key.attribute_name().to_owned())
        .unwrap_or_default();
    let shards = list_shards(&streams, &stream_arn)
        .await
        .map_err(api("DescribeStream"))?;
    let mut initial = Vec::new();
    let seen = shards
        .iter()
        .filter_map(|shard| shard.shard_id().map(str::to_owned))
        .collect();
    for shard in shards {
        let closed = shard
            .sequence_number_range()
            .and_then(|range| range.ending_sequence_number())
            .is_some();
        let start = match source.starting_position {
            StartingPosition::TrimHorizon => ShardStart::TrimHorizon,
            // Nothing new will ever be written to a closed shard.
            StartingPosition::Latest if closed => continue,
            StartingPosition::Latest => ShardStart::After(
                last_record(&streams, &stream_arn, shard.shard_id().unwrap_or_default())
                    .await
                    .map_err(api("GetRecords"))?,
            ),
        };
        initial.push((shard, start));
    }
    Ok(Prepared {
        shared: Arc::new(shared(stream_arn)),
        partition_key,
        streams,
        poll,
        initial,
        seen,
    })
}

/// Follows the stream's shards until the task is aborted (aborting drops every reader).
pub async fn run(prepared: Prepared) {
    let Prepared {
        shared,
        partition_key,
        streams,
        poll,
        initial,
        seen,
    } = prepared;
    let reader = Arc::new(Reader {
        shared,
        partition_key,
        streams,
        poll,
        shard_closed: Notify::new(),
    });
    let mut readers = Readers {
        reader: Arc::clone(&reader),
        done: HashMap::new(),
        tasks: JoinSet::new(),
    };
    for (shard, how) in initial {
        readers.start(&shard, how);
    }
    let mut known = seen;
    loop {
        tokio::select! {
            () = tokio::time::sleep(SHARD_REFRESH) => {}
            () = reader.shard_closed.notified() => {}
        }
        while readers.tasks.try_join_next().is_some() {}
        let shards = match list_shards(&reader.streams, &reader.shared.stream_arn).await {
            Ok(shards) => shards,
            Err(message) => {
                tracing::warn!(
                    source = reader.shared.source.name,
                    message,
                    "DescribeStream failed"
                );
                continue;
            }
        };
        for shard in shards {
            let Some(id) = shard.shard_id() else { continue };
            // Every shard created after the start is read whole.
            if known.insert(id.to_owned()) {
                readers.start(&shard, ShardStart::TrimHorizon);
            }
        }
    }
}

/// The shard readers of a source; dropping it (the task aborted) stops them all.
struct Readers {
    reader: Arc<Reader>,
    /// Per shard: whether its records have all been delivered. A shard not here (closed
    /// before the start under LATEST) does not hold its children back.
    done: HashMap<String, watch::Receiver<bool>>,
    tasks: JoinSet<()>,
}

impl Readers {
    fn start(&mut self, shard: &Shard, how: ShardStart) {
        let id = shard.shard_id().unwrap_or_default().to_owned();
        let parent = shard
            .parent_shard_id()
            .and_then(|p| self.done.get(p))
            .cloned();
        let (finished, receiver) = watch::channel(false);
        self.done.insert(id.clone(), receiver);
        let reader = Arc::clone(&self.reader);
        self.tasks
            .spawn(async move { reader.read(id, how, parent, finished).await });
    }
}

struct Reader {
    shared: Arc<Shared>,
    partition_key: String,
    streams: StreamsClient,
    poll: Duration,
    shard_closed: Notify,
}

impl Reader {
    async fn read(
        &self,
        shard_id: String,
        how: ShardStart,
        parent: Option<watch::Receiver<bool>>,
        finished: watch::Sender<bool>,
    ) {
        if let Some(mut parent) = parent {
            let _ = parent.wait_for(|done| *done).await;
        }
        let source = &self.shared.source;
        let lanes = Lanes::start(&self.shared, &shard_id);
        // Where to take an iterator again: after the last record read, else from the start.
        let mut last_sequence = match how {
            ShardStart::After(after) => after,
            ShardStart::TrimHorizon => None,
        };
        let mut next: Option<String> = None;
        let mut failures = 0u32;
        loop {
            let current = match next.take() {
                Some(it) => it,
                None => {
                    let (kind, after) = match &last_sequence {
                        Some(seq) => (ShardIteratorType::AfterSequenceNumber, Some(seq.as_str())),
                        None => (ShardIteratorType::TrimHorizon, None),
                    };
                    match iterator(
                        &self.streams,
                        &self.shared.stream_arn,
                        &shard_id,
                        kind,
                        after,
                    )
                    .await
                    {
                        Ok(it) => it,
                        Err(message) => {
                            failures += 1;
                            tracing::warn!(
                                source = source.name,
                                shard = shard_id,
                                message,
                                "GetShardIterator failed"
                            );
                            tokio::time::sleep(backoff(failures)).await;
                            continue;
                        }
                    }
                }
            };
            let page = self
                .streams
                .get_records()
                .shard_iterator(&current)
                .limit(PAGE_LIMIT)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    let service = error.as_service_error();
                    // An expired or trimmed iterator is taken again after the last record read.
                    let stale = service.is_some_and(|e| {
                        e.is_expired_iterator_exception() || e.is_trimmed_data_access_exception()
                    });
                    if !stale {
                        next = Some(current);
                    }
                    failures += 1;
                    tracing::warn!(source = source.name, shard = shard_id, error = %DisplayErrorContext(error), "GetRecords failed");
                    tokio::time::sleep(backoff(failures)).await;
                    continue;
                }
            };
            failures = 0;
            let records = page.records();
            if let Some(last) = records
                .last()
                .and_then(|r| r.dynamodb())
                .and_then(|d| d.sequence_number())
            {
                last_sequence = Some(last.to_owned());
            }
            let passed: Vec<_> = records
                .iter()
                .map(|r| records::from_sdk(r, &self.shared.stream_arn, &self.partition_key))
                .filter(|r| {
                    source.filters.is_empty()
                        || source.filters.iter().any(|f| filter::matches(f, &r.event))
                })
                .collect();
            let idle = records.is_empty();
            if !passed.is_empty() {
                lanes.send(passed).await;
            }
            match page.next_shard_iterator() {
                Some(it) => next = Some(it.to_owned()),
                None => break,
            }
            if idle {
                tokio::time::sleep(self.poll).await;
            }
        }
        lanes.finish().await;
        tracing::info!(
            source = source.name,
            shard = shard_id,
            "shard closed and delivered"
        );
        let _ = finished.send(true);
        self.shard_closed.notify_one();
    }
}

fn backoff(failures: u32) -> Duration {
    Duration::from_millis(50)
        .saturating_mul(1 << failures.min(8))
        .min(MAX_BACKOFF)
}
