//! DynamoDB access: the only code that builds requests and maps items. One module per table.

pub mod capacity;
pub mod chats;
pub mod connections;
pub mod inbox;
pub(crate) mod items;
pub mod messages;
pub mod users;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TransactWriteItem};

use crate::config::Tables;
use crate::error::{BoxError, Error};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conditional check failed")]
    ConditionFailed,
    /// A transaction was cancelled; one reason code per item, in request order (`None` where the
    /// item was fine, `ConditionalCheckFailed` where its condition did not hold).
    #[error("transaction cancelled: {0:?}")]
    Canceled(Vec<String>),
    #[error("dynamodb is unavailable")]
    Unavailable(#[source] BoxError),
    #[error("stored item is malformed: {0}")]
    Corrupt(String),
}

impl StoreError {
    fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        if err.code() == Some("ConditionalCheckFailedException") {
            return StoreError::ConditionFailed;
        }
        StoreError::Unavailable(Box::new(err))
    }

    /// True when item `index` of a cancelled transaction failed its condition.
    pub fn failed_condition_at(&self, index: usize) -> bool {
        matches!(self, StoreError::Canceled(codes)
            if codes.get(index).is_some_and(|c| c == "ConditionalCheckFailed"))
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::ConditionFailed | StoreError::Canceled(_) => {
                Error::Conflict("the resource changed concurrently; retry".into())
            }
            StoreError::Unavailable(source) => Error::Unavailable(source),
            StoreError::Corrupt(what) => Error::unavailable(what),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Handles to every table, sharing one SDK client (one connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) client: Client,
    pub(crate) tables: Tables,
}

/// DynamoDB answers in single-digit milliseconds; a request that has not connected within a
/// second is better answered with 503 than left to hang until the Lambda times out.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);
/// Concurrent transactions on one item fail with `TransactionConflict`; they are retried (not
/// reported) because the loser's outcome is decided only once the winner has committed.
const TRANSACTION_ATTEMPTS: u32 = 10;

impl Store {
    pub fn new(sdk_config: &aws_config::SdkConfig, tables: Tables) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk_config)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .build();
        Store {
            client: Client::from_conf(config),
            tables,
        }
    }

    /// Runs a write transaction, retrying while it only lost a race against another one.
    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> StoreResult<()> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await;
            let err = match result {
                Ok(out) => {
                    capacity::write(out.consumed_capacity());
                    return Ok(());
                }
                Err(err) => err,
            };
            let codes = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(canceled)) => canceled
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None").to_owned())
                    .collect::<Vec<_>>(),
                _ if err.code() == Some("TransactionConflictException") => {
                    vec!["TransactionConflict".to_owned()]
                }
                _ => return Err(StoreError::from_sdk(err)),
            };
            let lost_race = codes.iter().any(|c| c == "TransactionConflict")
                && !codes.iter().any(|c| c == "ConditionalCheckFailed");
            if !lost_race || attempt >= TRANSACTION_ATTEMPTS {
                return Err(if lost_race {
                    StoreError::Unavailable("transaction kept conflicting".into())
                } else {
                    StoreError::Canceled(codes)
                });
            }
            let backoff_ms = 5 * u64::from(attempt) + rand::random_range(0..20);
            tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
        }
    }
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
