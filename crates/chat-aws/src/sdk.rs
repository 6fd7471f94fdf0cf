//! The AWS SDK's shared configuration, built once per cold start.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Region, credentials and endpoints from the standard environment (on Lambda: the function's
/// role; locally: `AWS_ENDPOINT_URL_DYNAMODB` and fake keys), over one HTTPS client: hyper 1
/// with rustls on ring, the smallest TLS stack the SDK supports, which keeps packages small.
/// Every client (DynamoDB, the Management API, S3, Lambda) is built from it and shares that
/// HTTP client, its connection pool and its trust store.
pub async fn sdk_config() -> SdkConfig {
    let builder = Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
    let http_client = match tls_context() {
        Some(context) => builder.tls_context(context).build_https(),
        None => builder.build_https(),
    };
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .load()
        .await
}

fn tls_context() -> Option<TlsContext> {
    match TlsContext::builder()
        .with_trust_store(compiled_in_roots())
        .build()
    {
        Ok(context) => Some(context),
        Err(error) => {
            tracing::warn!(%error, "compiled-in roots refused; using the system's");
            None
        }
    }
}

/// Mozilla's root certificates as compiled into `webpki-root-certs`: the same set the system
/// bundle carries, without reading it. Reading the system store file by file cost 3 to 7 ms of
/// every cold start on a Debian host (`infra/scripts/coldstart.sh`).
fn compiled_in_roots() -> TrustStore {
    let mut store = TrustStore::empty().with_native_roots(false);
    for root in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        store.add_pem_certificate(pem(root));
    }
    store
}

/// The SDK's trust store takes PEM only.
fn pem(der: &[u8]) -> Vec<u8> {
    let body = STANDARD.encode(der);
    let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
    pem.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn every_compiled_in_root_round_trips_through_pem() {
        let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
        assert!(roots.len() > 100, "{} roots", roots.len());
        for root in roots {
            let parsed: Vec<CertificateDer> = CertificateDer::pem_slice_iter(&pem(root))
                .collect::<Result<_, _>>()
                .expect("valid PEM");
            assert_eq!(parsed, vec![root.clone()]);
        }
    }

    #[test]
    fn every_compiled_in_root_is_a_usable_trust_anchor() {
        // What the SDK does with each PEM, where a failure would be a panic at cold start.
        let mut store = rustls::RootCertStore::empty();
        for root in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            store.add(root.clone()).expect("trust anchor");
        }
        assert_eq!(store.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
    }
}
