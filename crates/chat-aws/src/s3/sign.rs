//! SigV4 for S3 (see [`crate::signed`]): presigned URLs (signature in the query) and signed
//! requests (signature in headers).

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};

use super::StorageError;
use crate::signed::{self, Signer};

/// S3's variant of SigV4: the path is signed as sent (no normalisation, no double encoding).
fn s3_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings
}

fn signer<'a>(credentials: &'a Credentials, region: &'a str) -> Signer<'a> {
    Signer {
        credentials,
        region,
        service: "s3",
    }
}

/// A URL that performs `method` on `url` with exactly `headers` until `expires_in` has passed:
/// every header given is signed, so the request must carry it with that value.
pub(super) fn presign(
    method: http::Method,
    url: &str,
    headers: &[(&str, String)],
    expires_in: Duration,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<String, StorageError> {
    let mut request = signed::request(method, url, headers)?;
    let mut settings = s3_settings();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires_in);
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    signer(credentials, region).sign(
        &mut request,
        SignableBody::UnsignedPayload,
        settings,
        time,
    )?;
    Ok(request.uri().to_string())
}

/// A request signed in its headers, with the body's SHA-256 (`x-amz-content-sha256`, which S3
/// requires).
pub(super) fn signed(
    method: http::Method,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    credentials: &Credentials,
    region: &str,
) -> Result<http::Request<()>, StorageError> {
    let mut request = signed::request(method, url, headers)?;
    let mut settings = s3_settings();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    signer(credentials, region).sign(
        &mut request,
        SignableBody::Bytes(body),
        settings,
        SystemTime::now(),
    )?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        )
    }

    /// AWS's documented example of a presigned GET (S3 user guide, "Authenticating Requests:
    /// Using Query Parameters"): the same signature, byte for byte.
    #[test]
    fn matches_the_s3_documentation_example() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600); // 2013-05-24
        let url = presign(
            http::Method::GET,
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &[],
            Duration::from_secs(86_400),
            &credentials(),
            "us-east-1",
            time,
        )
        .expect("signs");
        assert!(
            url.ends_with(
                "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            ),
            "{url}"
        );
    }

    #[test]
    fn a_presigned_put_signs_its_headers() {
        let url = presign(
            http::Method::PUT,
            "http://127.0.0.1:8200/bucket/attachments/u/a",
            &[
                ("content-type", "image/png".into()),
                ("content-length", "42".into()),
                (
                    "x-amz-checksum-sha256",
                    "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
                ),
            ],
            Duration::from_secs(300),
            &credentials(),
            "us-east-1",
            SystemTime::now(),
        )
        .expect("signs");
        assert!(
            url.contains(
                "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-checksum-sha256"
            ),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=300"), "{url}");
    }
}
