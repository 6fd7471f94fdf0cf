//! DynamoDB access: the only code that builds requests and maps items. One module per table.

pub mod attachments;
pub mod capacity;
pub mod chats;
pub mod connections;
pub mod conversations;
mod history_ports;
pub mod inbox;
pub(crate) mod items;
pub mod limits;
pub mod messages;
mod ports;
mod presence_ports;
mod session_ports;
pub mod sessions;
mod shards;
pub mod users;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TransactWriteItem};
use chat_core::error::{BoxError, Error};

use crate::config::Tables;

/// A DynamoDB key: where a paged `Query` goes on (`LastEvaluatedKey`, `ExclusiveStartKey`).
pub(crate) type Key = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conditional check failed")]
    ConditionFailed,
    /// A transaction was cancelled for reasons other than a failed condition; one reason code
    /// per item, in request order.
    #[error("transaction cancelled: {0:?}")]
    Canceled(Vec<String>),
    /// DynamoDB refused the request itself (a key or item over its size limits, an invalid
    /// value): retrying cannot help, so it is the caller's request that must change.
    #[error("dynamodb refused the request: {0}")]
    Rejected(String),
    /// Throttled, timed out, unreachable or failing on DynamoDB's side: safe to retry.
    #[error("dynamodb is unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else (a stored item this code cannot read, a request it should never have
    /// built, missing permissions): a defect or a broken deployment, not worth a retry.
    #[error("dynamodb access failed: {0}")]
    Internal(String),
}

/// DynamoDB error codes that mean "try again later".
const TRANSIENT_CODES: [&str; 7] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "LimitExceededException",
];

/// DynamoDB error codes that mean "this request can never succeed as it is".
const REJECTED_CODES: [&str; 2] = [
    "ValidationException",
    "ItemCollectionSizeLimitExceededException",
];

impl StoreError {
    fn from_sdk<E>(err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => StoreError::Unavailable(Box::new(err)),
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = err.code().unwrap_or_default().to_owned();
                let message = err.message().unwrap_or_default().to_owned();
                classify(&code, status, &message, Box::new(err))
            }
            _ => StoreError::Internal(err.to_string()),
        }
    }
}

/// The kind of a DynamoDB service error, from its code and HTTP status.
fn classify(code: &str, status: u16, message: &str, source: BoxError) -> StoreError {
    if code == "ConditionalCheckFailedException" {
        StoreError::ConditionFailed
    } else if REJECTED_CODES.contains(&code) {
        StoreError::Rejected(message.to_owned())
    } else if TRANSIENT_CODES.contains(&code) || status >= 500 {
        StoreError::Unavailable(source)
    } else {
        StoreError::Internal(format!("{code}: {message}"))
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::ConditionFailed | StoreError::Canceled(_) => {
                Error::Conflict("the resource changed concurrently; retry".into())
            }
            StoreError::Rejected(what) => {
                Error::LimitExceeded(format!("the request exceeds a storage limit ({what})"))
            }
            StoreError::Unavailable(source) => Error::Unavailable(source),
            StoreError::Internal(what) => Error::internal(what),
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
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        let config = if crate::calls::recording() {
            config.interceptor(crate::calls::RecordCalls::DynamoDb)
        } else {
            config
        }
        .build();
        Store {
            client: Client::from_conf(config),
            tables,
        }
    }

    /// Sends a single-item write again while the item is part of another request's transaction
    /// (`TransactionConflictException`: the user item during a `$connect`, for example), then
    /// classifies the outcome.
    pub(crate) async fn retry_on_transactions<T, E, F, Fut>(&self, send: F) -> StoreResult<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match send().await {
                Ok(out) => return Ok(out),
                Err(err)
                    if attempt < TRANSACTION_ATTEMPTS
                        && err.code() == Some("TransactionConflictException") =>
                {
                    let backoff_ms = 5 * u64::from(attempt) + rand::random_range(0..20);
                    tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
                }
                Err(err) => return Err(StoreError::from_sdk(err)),
            }
        }
    }

    /// Runs a write transaction whose items each carry what a failed condition on that item
    /// means: `Ok(None)` when it committed, `Ok(Some(meaning))` of the first item whose condition
    /// failed otherwise. Callers turn that into their operation's named outcome.
    pub(crate) async fn transact_or<F>(
        &self,
        items: Vec<(TransactWriteItem, F)>,
    ) -> StoreResult<Option<F>> {
        let (items, meanings): (Vec<_>, Vec<_>) = items.into_iter().unzip();
        match self.transact(items).await {
            Ok(()) => Ok(None),
            Err(StoreError::Canceled(codes)) => {
                let failed = codes.iter().position(|c| c == "ConditionalCheckFailed");
                match failed.and_then(|i| meanings.into_iter().nth(i)) {
                    Some(meaning) => Ok(Some(meaning)),
                    None => Err(StoreError::Canceled(codes)),
                }
            }
            Err(err) => Err(err),
        }
    }

    /// Runs a write transaction, retrying while it only lost a race against another one.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> StoreResult<()> {
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
            if codes.iter().any(|c| c == "ValidationError") {
                return Err(StoreError::Rejected(format!(
                    "transaction refused: {codes:?}"
                )));
            }
            if codes
                .iter()
                .any(|c| c == "ThrottlingError" || c == "ProvisionedThroughputExceeded")
            {
                return Err(StoreError::Unavailable(
                    format!("transaction throttled: {codes:?}").into(),
                ));
            }
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

/// A stored item (or a request built from one) this code cannot handle.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: &str, status: u16) -> &'static str {
        match classify(code, status, "m", "source".into()) {
            StoreError::ConditionFailed => "condition",
            StoreError::Rejected(_) => "rejected",
            StoreError::Unavailable(_) => "unavailable",
            StoreError::Internal(_) => "internal",
            StoreError::Canceled(_) => "canceled",
        }
    }

    #[test]
    fn errors_are_classified_by_kind() {
        assert_eq!(kind("ConditionalCheckFailedException", 400), "condition");
        assert_eq!(kind("ValidationException", 400), "rejected");
        assert_eq!(
            kind("ItemCollectionSizeLimitExceededException", 400),
            "rejected"
        );
        assert_eq!(
            kind("ProvisionedThroughputExceededException", 400),
            "unavailable"
        );
        assert_eq!(kind("ThrottlingException", 400), "unavailable");
        assert_eq!(kind("RequestLimitExceeded", 400), "unavailable");
        assert_eq!(kind("InternalServerError", 500), "unavailable");
        assert_eq!(kind("Whatever", 503), "unavailable");
        assert_eq!(kind("ResourceNotFoundException", 400), "internal");
        assert_eq!(kind("AccessDeniedException", 400), "internal");
    }

    #[test]
    fn only_transient_failures_ask_for_a_retry() {
        let status = |err: StoreError| match Error::from(err) {
            Error::Unavailable(_) => 503,
            Error::Internal(_) => 500,
            Error::LimitExceeded(_) => 422,
            _ => 0,
        };
        assert_eq!(status(StoreError::Rejected("too big".into())), 422);
        assert_eq!(status(StoreError::Unavailable("down".into())), 503);
        assert_eq!(status(corrupt("bad item")), 500);
    }
}
