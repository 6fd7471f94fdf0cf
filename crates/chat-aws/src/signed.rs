//! AWS requests made without an SDK client, whose crates the 3 MiB packages cannot afford:
//! SigV4 with `aws-sigv4` alone, and sending through the same hyper and rustls connector the
//! SDK clients use. S3's requests ([`crate::s3`]) and the delivery function's invocations
//! of itself ([`crate::invoke`]) go through here.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_types::body::SdkBody;
use chat_core::error::BoxError;

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Unreachable or timing out: the service may answer a retry.
    #[error("no answer")]
    Unavailable(#[source] BoxError),
    /// No credentials, or a request that cannot be built or signed: a broken deployment.
    #[error("{0}")]
    Internal(String),
}

fn internal(what: impl std::fmt::Display) -> SendError {
    SendError::Internal(what.to_string())
}

/// The function's credentials (on Lambda, its role's), from the SDK's provider chain.
pub async fn credentials(
    provider: Option<&SharedCredentialsProvider>,
) -> Result<Credentials, SendError> {
    let provider = provider.ok_or_else(|| internal("no AWS credentials provider"))?;
    provider
        .provide_credentials()
        .await
        .map_err(|e| internal(format!("no AWS credentials: {e}")))
}

/// A request to `url` with `headers`, unsigned.
pub fn request(
    method: http::Method,
    url: &str,
    headers: &[(&str, String)],
) -> Result<http::Request<()>, SendError> {
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(()).map_err(internal)
}

/// What signs a request: whose credentials, for which region and service.
pub struct Signer<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub service: &'a str,
}

impl Signer<'_> {
    /// Signs `request` (whose URI must be absolute) in place, as `settings` say: in its
    /// headers or, for a presigned URL, in its query.
    pub fn sign(
        &self,
        request: &mut http::Request<()>,
        body: SignableBody<'_>,
        settings: SigningSettings,
        time: SystemTime,
    ) -> Result<(), SendError> {
        let identity = self.credentials.clone().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(time)
            .settings(settings)
            .build()
            .map_err(internal)?
            .into();
        let uri = request.uri().to_string();
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| Ok((name.as_str(), value.to_str().map_err(internal)?)))
            .collect::<Result<Vec<_>, SendError>>()?;
        let signable =
            SignableRequest::new(request.method().as_str(), &uri, headers.into_iter(), body)
                .map_err(internal)?;
        let (instructions, _signature) = sign(signable, &params).map_err(internal)?.into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

/// Sends a signed request with `body`; no answer within `timeout` is [`SendError::Unavailable`].
pub async fn send(
    connector: &Connector,
    request: http::Request<()>,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<HttpResponse, SendError> {
    let (parts, ()) = request.into_parts();
    let request = HttpRequest::try_from(http::Request::from_parts(parts, SdkBody::from(body)))
        .map_err(|e| internal(format!("request: {e}")))?;
    match tokio::time::timeout(timeout, connector.call(request)).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(SendError::Unavailable(Box::new(error))),
        Err(elapsed) => Err(SendError::Unavailable(Box::new(elapsed))),
    }
}
