//! Synchronous invocations of a Lambda function (the delivery function's shares) through
//! aws-sdk-lambda's `Invoke`, on the shared SDK configuration and its one hyper and rustls
//! client (`crate::sdk`).
//!
//! The endpoint is `AWS_ENDPOINT_URL_LAMBDA` where set (locally, the local gateway's Invoke
//! API), else the region's.

use std::time::Duration;

use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::error::{DisplayErrorContext, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use chat_core::error::BoxError;

use crate::calls::{self, RecordCalls};

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// Unreachable or timing out: the service may answer a retry.
    #[error("no answer")]
    Unavailable(#[source] BoxError),
    /// No credentials, or a request that cannot be built or signed: a broken deployment.
    #[error("{0}")]
    Internal(String),
    /// The Lambda API refused the invocation (throttled, no permission, no such function).
    #[error("the Lambda API answered {0}")]
    Refused(u16),
    /// The function ran and failed (`X-Amz-Function-Error`: an error it returned, a panic, a
    /// timeout).
    #[error("the function failed: {0}")]
    Function(String),
}

pub struct Invoker {
    client: aws_sdk_lambda::Client,
}

impl std::fmt::Debug for Invoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invoker").finish_non_exhaustive()
    }
}

impl Invoker {
    /// `endpoint`: the Lambda API's URL, or `None` for the region's.
    pub fn new(sdk_config: &aws_config::SdkConfig, endpoint: Option<String>) -> Self {
        // One attempt: a share whose invocation is throttled (its function at its concurrency
        // limit) or fails is pushed by the coordinator at once, which a retry would delay.
        let mut config =
            aws_sdk_lambda::config::Builder::from(sdk_config).retry_config(RetryConfig::disabled());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint.trim_end_matches('/'));
        }
        if calls::recording() {
            config = config.interceptor(RecordCalls::Lambda);
        }
        Invoker {
            client: aws_sdk_lambda::Client::from_conf(config.build()),
        }
    }

    /// Invokes `function` with `payload` and waits for it to finish, at most `timeout`.
    pub async fn invoke(
        &self,
        function: &str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> Result<(), InvokeError> {
        let call = self
            .client
            .invoke()
            .function_name(function)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(payload))
            .send();
        let output = match tokio::time::timeout(timeout, call).await {
            Err(elapsed) => return Err(InvokeError::Unavailable(Box::new(elapsed))),
            Ok(Ok(output)) => output,
            Ok(Err(err)) => return Err(failure(err)),
        };
        match output.function_error() {
            Some(kind) => Err(InvokeError::Function(kind.to_owned())),
            None => Ok(()),
        }
    }
}

fn failure<E>(err: SdkError<E, aws_sdk_lambda::config::http::HttpResponse>) -> InvokeError
where
    E: std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            InvokeError::Unavailable(Box::new(err))
        }
        SdkError::ServiceError(service) => InvokeError::Refused(service.raw().status().as_u16()),
        _ => InvokeError::Internal(DisplayErrorContext(&err).to_string()),
    }
}
