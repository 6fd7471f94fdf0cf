//! S3's one error type: what the callers can do about a failed request.

use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use chat_core::error::{BoxError, Error};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Unreachable, timing out, throttled or failing on S3's side: safe to retry.
    #[error("s3 is unavailable")]
    Unavailable(#[source] BoxError),
    /// No credentials, a refused signature or permission: a broken deployment.
    #[error("s3 access failed: {0}")]
    Internal(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(source) => Error::Unavailable(source),
            StorageError::Internal(what) => Error::internal(what),
        }
    }
}

impl StorageError {
    /// Sorts the client's error: no answer, or S3's 5xx and 429, may pass; any other answer
    /// (403 above all) will not.
    pub(super) fn from_sdk<E>(operation: &str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => StorageError::Unavailable(Box::new(err)),
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                if status >= 500 || status == 429 {
                    StorageError::Unavailable(Box::new(err))
                } else {
                    StorageError::Internal(format!("{operation}: S3 answered {status}"))
                }
            }
            _ => StorageError::Internal(format!("{operation}: {}", DisplayErrorContext(&err))),
        }
    }
}
