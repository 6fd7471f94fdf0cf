//! S3 through aws-sdk-s3: presigned uploads and downloads from the SDK's presigner, and the
//! two requests the service itself makes (HeadObject, DeleteObject), on the shared SDK
//! configuration and its one hyper and rustls client (`crate::sdk`).
//!
//! Locally (`AWS_ENDPOINT_URL_S3`) the bucket is addressed path-style on that endpoint; on AWS
//! through its virtual host `https://<bucket>.s3.<region>.amazonaws.com`. Only the functions
//! that call S3 build a [`Storage`]: its client is most of what aws-sdk-s3 adds to a package.

mod error;
mod settings;

use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::ChecksumMode;

pub use error::{StorageError, StorageResult};
pub use settings::{AttachmentSettings, is_media_type};

use crate::calls::{self, RecordCalls};

/// Every object's key starts here; the functions' grants name it.
const KEY_PREFIX: &str = "attachments";
/// The objects under [`KEY_PREFIX`], as the grants name them (the calls' record says so).
const OBJECTS: &str = "attachments/*";

/// S3 answers in milliseconds; a request that hangs is better a 503 than a Lambda timeout.
/// Bounds all attempts of a request together.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// Retries within [`REQUEST_TIMEOUT`]: the SDK's standard mode (3 attempts on throttling, 5xx
/// and dropped connections), starting from a 100 ms backoff instead of 1 s so that a second
/// attempt fits the 3 s. Both requests the service sends are idempotent (HEAD, DELETE), and S3
/// asks clients to retry its 503 SlowDown; a send then waits no longer than it did with one
/// attempt, and fails less often.
fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(100))
}

/// A request a client makes itself: the URL and the headers it must send with it.
#[derive(Debug, Clone)]
pub struct Presigned {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What `HeadObject` tells of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size_bytes: u64,
    pub content_type: Option<String>,
    /// The SHA-256 S3 verified at the upload, base64 (asked for with `x-amz-checksum-mode`).
    pub checksum_sha256: Option<String>,
}

/// What an upload URL binds: S3 stores exactly these bytes under these headers, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct UploadBinding<'a> {
    pub content_type: &'a str,
    pub size_bytes: u64,
    pub disposition: &'a str,
    pub checksum_sha256: &'a str,
}

pub struct Storage {
    pub settings: AttachmentSettings,
    client: aws_sdk_s3::Client,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("bucket", &self.settings.bucket)
            .finish_non_exhaustive()
    }
}

impl Storage {
    pub fn new(settings: AttachmentSettings, sdk_config: &aws_config::SdkConfig) -> Self {
        let timeouts = TimeoutConfig::builder()
            .operation_timeout(REQUEST_TIMEOUT)
            .build();
        let mut config = aws_sdk_s3::config::Builder::from(sdk_config)
            .timeout_config(timeouts)
            .retry_config(retry_config());
        if let Some(endpoint) = &settings.endpoint {
            // An S3-compatible server on an IP and port has no virtual hosts for buckets.
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        if calls::recording() {
            config = config.interceptor(RecordCalls::S3 { prefix: OBJECTS });
        }
        Storage {
            client: aws_sdk_s3::Client::from_conf(config.build()),
            settings,
        }
    }

    /// A PUT whose signature binds the type, the exact length, the download disposition and
    /// the SHA-256 of the bytes: S3 refuses any other body or header, so however often the URL
    /// is used within its life, the object holds the declared file or nothing. `signed_at`
    /// starts its life (the tests make expired URLs with it).
    pub async fn presign_upload(
        &self,
        key: &str,
        binding: UploadBinding<'_>,
        signed_at: SystemTime,
    ) -> StorageResult<Presigned> {
        let length = i64::try_from(binding.size_bytes)
            .map_err(|_| StorageError::Internal("upload size out of range".into()))?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .content_type(binding.content_type)
            .content_length(length)
            .content_disposition(binding.disposition)
            // Given, not computed: the presigner has no body, and signs the header as given.
            .checksum_sha256(binding.checksum_sha256)
            .presigned(presigning(self.settings.upload_url_ttl, signed_at)?)
            .await
            .map_err(|e| StorageError::from_sdk("presign PutObject", e))?;
        // `host` is the URL's; the client's HTTP library sends it.
        Ok(Presigned {
            url: presigned.uri().to_owned(),
            headers: presigned
                .headers()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
                .collect(),
        })
    }

    /// A GET that serves the object as a download of its stored type, whatever it contains:
    /// `response-content-disposition` and `response-content-type` are part of the signature.
    pub async fn presign_download(
        &self,
        key: &str,
        content_type: &str,
        disposition: &str,
    ) -> StorageResult<String> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .response_content_disposition(disposition)
            .response_content_type(content_type)
            .presigned(presigning(
                self.settings.download_url_ttl,
                SystemTime::now(),
            )?)
            .await
            .map_err(|e| StorageError::from_sdk("presign GetObject", e))?;
        Ok(presigned.uri().to_owned())
    }

    /// `None` when no such object exists.
    pub async fn head(&self, key: &str) -> StorageResult<Option<ObjectInfo>> {
        let result = self
            .client
            .head_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            // A missing object is a 404 only with s3:ListBucket (a 403 without).
            Err(SdkError::ServiceError(service)) if service.err().is_not_found() => {
                return Ok(None);
            }
            Err(err) => return Err(StorageError::from_sdk("HEAD", err)),
        };
        let size_bytes = output
            .content_length()
            .and_then(|length| u64::try_from(length).ok())
            .ok_or_else(|| StorageError::Internal("HEAD without a length".into()))?;
        Ok(Some(ObjectInfo {
            size_bytes,
            content_type: output.content_type().map(str::to_owned),
            checksum_sha256: output.checksum_sha256().map(str::to_owned),
        }))
    }

    /// Deletes the object; deleting a missing object succeeds, as S3 does.
    pub async fn delete(&self, key: &str) -> StorageResult<()> {
        let result = self
            .client
            .delete_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // S3 answers 204 for a missing key; an S3-compatible server may say 404.
            Err(SdkError::ServiceError(service)) if service.raw().status().as_u16() == 404 => {
                Ok(())
            }
            Err(err) => Err(StorageError::from_sdk("DELETE", err)),
        }
    }
}

/// A URL's life from `start`: SigV4 counts it from the signing time.
fn presigning(expires_in: Duration, start: SystemTime) -> StorageResult<PresigningConfig> {
    PresigningConfig::builder()
        .expires_in(expires_in)
        .start_time(start)
        .build()
        .map_err(|e| StorageError::Internal(format!("presigning: {e}")))
}

/// The S3 key of an upload: under the prefix the functions' policies name, per owner.
pub fn object_key(owner_id: &str, attachment_id: &str) -> String {
    format!("{KEY_PREFIX}/{owner_id}/{attachment_id}")
}

/// `Content-Disposition` stored with an upload: always `attachment` (a browser saves the file
/// instead of rendering it), an ASCII fallback name and the exact name in RFC 5987 form.
pub fn disposition(file_name: &str) -> String {
    format!(
        "{}; filename*=UTF-8''{}",
        download_disposition(file_name),
        urlencoding::encode(file_name)
    )
}

/// `Content-Disposition` a download URL forces: `attachment` with the ASCII fallback name only.
/// The exact name's RFC 5987 form, percent-encoded once more in the query, could make ten
/// download URLs overflow a 128 KB push; clients have the exact name in `file_name`.
pub fn download_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"")
}

#[cfg(test)]
mod tests;
