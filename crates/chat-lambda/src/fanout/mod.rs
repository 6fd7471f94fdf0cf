//! The delivery function: the messages table's DynamoDB stream, filtered by the event source
//! mapping to the changes whose fan-out is the stream's (chats larger than
//! [`INLINE_FANOUT_MAX_MEMBERS`](chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS)), pushes
//! each change's event to its audience. The request that made the change has answered already,
//! so a send costs and waits the same for 1,000 members as for 2.
//!
//! A large audience is split across concurrent invocations of this function ([`shards`]).
//!
//! Failures: a record whose audience cannot be read (DynamoDB unavailable, say) is reported in
//! `batchItemFailures`, so the mapping retries from it (and the records after it, in order) and,
//! after its retries, sends the batch's description to the dead-letter queue. A push that fails
//! for one socket is not a record failure: retrying would push again to every other socket,
//! and the client recovers what it missed with `after_seq`.

mod shards;

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use chat_core::changes::{Change, audience, payload};
use chat_core::conversation::{Conversation, Fanout};
use chat_core::error::{Error, Result};
use chat_core::events::Event;
use chat_core::messages::Message;
use chat_core::time::unix_seconds;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use chat_aws::metrics;
use chat_aws::push::Delivery;
use chat_aws::s3::Storage;
use chat_aws::store::Store;

use crate::app::{delivery, require_delivery, storage};
use crate::config::{Config, ConfigError};
use crate::domain::attachments;
use crate::telemetry;
use chat_aws::push::Report;
use chat_aws::store::messages::{RecordedChange, recorded_change};

pub use shards::{DEFAULT_USERS_PER_SHARD, Invocation, Shard, Shards};

#[derive(Debug, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    records: Vec<StreamRecord>,
}

#[derive(Debug, Deserialize)]
struct StreamRecord {
    dynamodb: StreamData,
}

#[derive(Debug, Deserialize)]
struct StreamData {
    #[serde(rename = "SequenceNumber")]
    sequence_number: String,
    #[serde(rename = "NewImage")]
    new_image: Option<Map<String, Value>>,
    /// When the change was written, in whole seconds since the epoch.
    #[serde(rename = "ApproximateCreationDateTime", default)]
    created_at: Option<f64>,
}

/// The delivery function's state: the tables, the pushes, S3 for the download links of pushed
/// messages' attachments, and the invocations that push a large audience's shares. No password
/// hasher or token signer (nor the secret behind it).
pub struct FanoutState {
    pub store: Store,
    pub delivery: Option<Delivery>,
    pub storage: Option<Storage>,
    pub shards: Shards,
}

impl FanoutState {
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        let sdk_config = chat_aws::sdk::sdk_config().await;
        let config = Config::from_env()?;
        let store = Store::new(&sdk_config, config.tables.clone());
        Ok(FanoutState {
            delivery: delivery(&config, &sdk_config, &store),
            storage: storage(&config, &sdk_config),
            shards: Shards::from_env(&sdk_config)?,
            store,
        })
    }

    fn delivery(&self) -> Result<&Delivery> {
        require_delivery(self.delivery.as_ref())
    }
}

pub async fn run(state: Arc<FanoutState>) -> std::result::Result<(), lambda_runtime::Error> {
    telemetry::ready();
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let state = Arc::clone(&state);
        telemetry::invocation(async move {
            let started = Instant::now();
            let request_id = event.context.request_id;
            let (answer, what, report) = match serde_json::from_value::<Invocation>(event.payload) {
                Ok(Invocation::Shard(shard)) => {
                    let report = deliver_shard(&state, &shard).await;
                    (json!({}), format!("shard of {}", shard.about), report)
                }
                Ok(Invocation::Stream(batch)) => {
                    // Boxed: nested in the runtime's futures, the batch's future is deeper than
                    // the compiler's layout query allows (one allocation per batch).
                    let (answer, report) = Box::pin(deliver(&state, batch)).await;
                    (answer, "stream batch".to_owned(), report)
                }
                Err(err) => {
                    // Nothing a retry would change.
                    tracing::error!(error = %err, "neither a stream batch nor a share");
                    (
                        json!({"batchItemFailures": []}),
                        "nothing".to_owned(),
                        Report::default(),
                    )
                }
            };
            tracing::info!(
                request_id = %request_id,
                delivered = report.delivered,
                gone = report.gone,
                failed = report.failed,
                handed_over = report.handed_over,
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                "{what}"
            );
            Ok::<_, lambda_runtime::Error>(answer)
        })
    }))
    .await
}

/// A share handed over by a coordinator: its frame to its users' sockets.
async fn deliver_shard(state: &FanoutState, shard: &Shard) -> Report {
    match state.delivery() {
        Ok(delivery) => {
            delivery
                .to_users(&shard.user_ids, shard.frame.as_bytes())
                .await
        }
        Err(err) => {
            tracing::error!(error = %err, "a share, and no WebSocket API to push it to");
            Report::default()
        }
    }
}

/// Pushes every record's event, in order; the answer names the first record that could not be
/// delivered (the mapping retries from it). Also the pushes' totals.
pub async fn deliver(state: &FanoutState, batch: StreamEvent) -> (Value, Report) {
    let mut total = Report::default();
    for record in batch.records {
        match deliver_record(state, &record).await {
            Ok(report) => total.add(report),
            Err(err) => {
                tracing::warn!(
                    error = %err,
                    sequence_number = %record.dynamodb.sequence_number,
                    "record not delivered; the mapping retries from it"
                );
                metrics::stream_batch(1);
                let failed = json!([{"itemIdentifier": record.dynamodb.sequence_number}]);
                return (json!({ "batchItemFailures": failed }), total);
            }
        }
    }
    metrics::stream_batch(0);
    (json!({"batchItemFailures": []}), total)
}

async fn deliver_record(state: &FanoutState, record: &StreamRecord) -> Result<Report> {
    // A removal has no new image, and no message is ever removed: nothing to tell.
    let Some(image) = &record.dynamodb.new_image else {
        return Ok(Report::default());
    };
    let (mut message, change) = recorded_change(image)?;
    // The mapping's filter passes only these; an idempotency marker is no message either.
    if message.fanout != Fanout::Stream {
        return Ok(Report::default());
    }
    attachments::with_downloads(state.storage.as_ref(), std::slice::from_mut(&mut message)).await;
    let conversation = Conversation::parse(&message.conversation_id)
        .ok_or_else(|| Error::internal("a message of no conversation"))?;
    let event = Event::new(payload(as_change(&message, &change)?));
    let delivery = state.delivery()?;
    // The members of the version the change was stored at, remembered by a warm instance.
    let people = audience(&conversation).as_of(message.members_version);
    let users = delivery.resolve(people).await?;
    let about = format!("{}@{}", message.id, message.updated_seq);
    let report = state
        .shards
        .deliver(delivery, &users, &event.to_json(), &about)
        .await;
    if let Some(created_at) = record.dynamodb.created_at {
        let now = unix_seconds(SystemTime::now()) as f64;
        let sockets = report.delivered + report.gone + report.failed;
        metrics::fanned_out((now - created_at).max(0.0) * 1000.0, sockets);
    }
    Ok(report)
}

/// The change a record's `last_change` names, with its number (the message's `updated_seq`).
fn as_change<'a>(message: &'a Message, change: &'a RecordedChange) -> Result<Change<'a>> {
    let seq = message.updated_seq;
    let user = || {
        change
            .user_id
            .as_deref()
            .ok_or_else(|| Error::internal("a recorded change without its user"))
    };
    let emoji = || {
        change
            .emoji
            .as_deref()
            .ok_or_else(|| Error::internal("a recorded reaction without its emoji"))
    };
    Ok(match change.event_type.as_str() {
        "message.created" => Change::Created(message),
        "message.updated" => Change::Updated(message),
        "message.deleted" => Change::Deleted(message),
        "reaction.added" => Change::ReactionAdded {
            message,
            seq,
            user_id: user()?,
            emoji: emoji()?,
        },
        "reaction.removed" => Change::ReactionRemoved {
            message,
            seq,
            user_id: user()?,
            emoji: emoji()?,
        },
        "message.read" => Change::Read {
            message,
            seq,
            user_id: user()?,
        },
        other => return Err(Error::internal(format!("unknown recorded change {other}"))),
    })
}
