//! The AWS SDK's shared configuration, built once per cold start.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// Region, credentials and endpoints from the standard environment (on Lambda: the function's
/// role; locally: `AWS_ENDPOINT_URL_DYNAMODB` and fake keys), over one HTTPS client: hyper 1
/// with rustls on ring, the smallest TLS stack the SDK supports, which keeps packages small.
pub async fn sdk_config() -> SdkConfig {
    let http_client = Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .load()
        .await
}
