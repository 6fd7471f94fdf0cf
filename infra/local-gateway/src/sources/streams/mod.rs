//! The template's `Type: DynamoDB` events, run as Lambda's event source mapping runs them:
//! DynamoDB Local serves DynamoDB Streams on its own port, a poller per source reads the
//! table's stream and invokes the function with Lambda's stream event.
//!
//! [`source`] reads (and, through [`props`], refuses) the template's settings, [`poller`]
//! follows shards with the calls in [`shards`],
//! [`lane`] batches and invokes, [`batch`] holds the retry rules, [`filter`] the
//! `FilterCriteria` subset and [`records`] the event shape.

mod batch;
pub mod filter;
mod lane;
mod poller;
mod props;
mod records;
mod shards;
mod source;

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;

pub use source::{StartingPosition, StreamSource, from_template};

use crate::runtime::lambda::LambdaClient;

/// Default idle poll of every shard: latency matters more than the few idle requests.
pub const DEFAULT_POLL: Duration = Duration::from_millis(50);

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("event source {source_name}: {operation} on table {table} failed: {message}")]
    Api {
        source_name: String,
        table: String,
        operation: &'static str,
        message: String,
    },
    #[error(
        "event source {source_name}: table {table} has no stream enabled (create the tables with `local-gateway tables`)"
    )]
    NoStream { source_name: String, table: String },
}

/// Where the stream sources read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// Whether the template's stream event sources run (tests of other parts of a template
    /// that has them, with no DynamoDB Local, turn them off).
    pub enabled: bool,
    /// DynamoDB Local (DynamoDB and DynamoDB Streams on one port).
    pub endpoint: String,
    /// Pause between GetRecords calls of a shard that had nothing.
    pub poll: Duration,
    /// On-failure destinations are `<dir>/<DestinationLogicalId>.jsonl`.
    pub dead_letter_dir: PathBuf,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            endpoint: "http://127.0.0.1:8100".to_owned(),
            poll: DEFAULT_POLL,
            dead_letter_dir: PathBuf::from("dead-letters"),
        }
    }
}

/// Finds every source's stream and takes its first shard iterators, then starts one poller
/// per source. Returns once `StartingPosition: LATEST` is fixed, so a write made after this
/// reaches the function. Aborting a handle stops its source.
pub async fn start(
    sources: &[StreamSource],
    settings: &StreamSettings,
    lambda: &LambdaClient,
) -> Result<Vec<JoinHandle<()>>, StreamError> {
    if sources.is_empty() || !settings.enabled {
        return Ok(Vec::new());
    }
    let sdk = crate::tables::sdk_config(&settings.endpoint).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let mut prepared = Vec::with_capacity(sources.len());
    for source in sources {
        let shared = |stream_arn| lane::Shared {
            source: source.clone(),
            stream_arn,
            lambda: lambda.clone(),
            dead_letters: lane::DeadLetters::new(settings.dead_letter_dir.clone()),
        };
        prepared.push(
            poller::prepare(&dynamodb, streams.clone(), settings.poll, shared, source).await?,
        );
        tracing::info!(
            source = source.name,
            function = source.function,
            table = source.table,
            "DynamoDB stream event source running"
        );
    }
    Ok(prepared
        .into_iter()
        .map(|prepared| tokio::spawn(poller::run(prepared)))
        .collect())
}
