//! Synchronous invocations of a Lambda function through the Lambda API's `Invoke`
//! (`POST /2015-03-31/functions/{name}/invocations`), signed and sent by [`crate::signed`]
//! rather than through aws-sdk-lambda, whose size the packages cannot afford.
//!
//! The endpoint is `AWS_ENDPOINT_URL_LAMBDA` where set (locally, `cargo lambda watch`, which
//! serves the same API), else the region's `https://lambda.{region}.amazonaws.com`.

use crate::calls::Resource;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sigv4::http_request::{SignableBody, SigningSettings};
use aws_smithy_http_client::Connector;

use crate::signed::{self, SendError, Signer};

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error(transparent)]
    Send(#[from] SendError),
    /// The Lambda API refused the invocation (throttled, no permission, no such function).
    #[error("the Lambda API answered {0}")]
    Refused(u16),
    /// The function ran and failed (`X-Amz-Function-Error`: an error it returned, a panic, a
    /// timeout).
    #[error("the function failed: {0}")]
    Function(String),
}

pub struct Invoker {
    endpoint: String,
    region: String,
    credentials: Option<SharedCredentialsProvider>,
    /// Made at the first invocation: most of the delivery function's batches need none.
    connector: OnceLock<Connector>,
}

impl std::fmt::Debug for Invoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invoker")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Invoker {
    /// `endpoint`: the Lambda API's URL, or `None` for the region's.
    pub fn new(sdk_config: &aws_config::SdkConfig, endpoint: Option<String>) -> Self {
        let region = sdk_config
            .region()
            .map_or_else(|| "us-east-1".to_owned(), |r| r.to_string());
        Invoker {
            endpoint: endpoint.map_or_else(
                || format!("https://lambda.{region}.amazonaws.com"),
                |e| e.trim_end_matches('/').to_owned(),
            ),
            region,
            credentials: sdk_config.credentials_provider(),
            connector: OnceLock::new(),
        }
    }

    /// Invokes `function` with `payload` and waits for it to finish, at most `timeout`.
    pub async fn invoke(
        &self,
        function: &str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> Result<(), InvokeError> {
        crate::calls::record("lambda:InvokeFunction", Resource::Function(function));
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            urlencoding::encode(function)
        );
        let headers = [
            ("content-type", "application/json".to_owned()),
            ("x-amz-invocation-type", "RequestResponse".to_owned()),
        ];
        let mut request = signed::request(http::Method::POST, &url, &headers)?;
        let credentials = signed::credentials(self.credentials.as_ref()).await?;
        Signer {
            credentials: &credentials,
            region: &self.region,
            service: "lambda",
        }
        .sign(
            &mut request,
            SignableBody::Bytes(&payload),
            SigningSettings::default(),
            SystemTime::now(),
        )?;
        let connector = self.connector.get_or_init(crate::sdk::connector);
        let response = signed::send(connector, request, payload, timeout).await?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(InvokeError::Refused(status));
        }
        match response.headers().get("x-amz-function-error") {
            Some(kind) => Err(InvokeError::Function(kind.to_owned())),
            None => Ok(()),
        }
    }
}
