//! The DynamoDB Streams calls a poller makes: listing a stream's shards, taking an iterator, and
//! finding where an open shard ends now.

use aws_sdk_dynamodbstreams::Client as StreamsClient;
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{Shard, ShardIteratorType};

/// GetRecords' own maximum.
pub(super) const PAGE_LIMIT: i32 = 1000;

pub(super) async fn list_shards(
    streams: &StreamsClient,
    stream_arn: &str,
) -> Result<Vec<Shard>, String> {
    let mut shards = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = streams
            .describe_stream()
            .stream_arn(stream_arn)
            .set_exclusive_start_shard_id(after.take())
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        let description = page.stream_description();
        shards.extend(description.map(|d| d.shards().to_vec()).unwrap_or_default());
        match description.and_then(|d| d.last_evaluated_shard_id()) {
            Some(last) => after = Some(last.to_owned()),
            None => return Ok(shards),
        }
    }
}

/// The sequence number of the last record in an open shard now (`None` when it has none),
/// read through from its oldest record.
pub(super) async fn last_record(
    streams: &StreamsClient,
    stream_arn: &str,
    shard_id: &str,
) -> Result<Option<String>, String> {
    let mut last = None;
    let mut next = Some(
        iterator(
            streams,
            stream_arn,
            shard_id,
            ShardIteratorType::TrimHorizon,
            None,
        )
        .await?,
    );
    while let Some(current) = next {
        let page = streams
            .get_records()
            .shard_iterator(current)
            .limit(PAGE_LIMIT)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        let records = page.records();
        match records.last().and_then(|r| r.dynamodb()) {
            Some(change) => last = change.sequence_number().map(str::to_owned),
            // Caught up: an open shard's next page would be empty too, until the next write.
            None => break,
        }
        next = page.next_shard_iterator().map(str::to_owned);
    }
    Ok(last)
}

pub(super) async fn iterator(
    streams: &StreamsClient,
    stream_arn: &str,
    shard_id: &str,
    kind: ShardIteratorType,
    after: Option<&str>,
) -> Result<String, String> {
    let answer = streams
        .get_shard_iterator()
        .stream_arn(stream_arn)
        .shard_id(shard_id)
        .shard_iterator_type(kind)
        .set_sequence_number(after.map(str::to_owned))
        .send()
        .await
        .map_err(|e| DisplayErrorContext(e).to_string())?;
    answer
        .shard_iterator()
        .map(str::to_owned)
        .ok_or_else(|| "GetShardIterator returned no iterator".to_owned())
}
