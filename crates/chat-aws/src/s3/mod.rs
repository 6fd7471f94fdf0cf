//! S3 without aws-sdk-s3 (which would push the functions' zips past 3 MiB): presigned uploads
//! and downloads, and the two signed requests the service itself makes (HEAD, DELETE), sent
//! through the same hyper and rustls connector the SDK clients use.
//!
//! Locally (`AWS_ENDPOINT_URL_S3`) the bucket is addressed path-style on that endpoint; on AWS
//! through its virtual host `https://<bucket>.s3.<region>.amazonaws.com`, as the SDK does.

mod settings;
mod sign;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::Connector;

pub use settings::{AttachmentSettings, is_media_type};

use crate::calls::{self, Resource};
use crate::signed::{self, SendError};
use chat_core::error::{BoxError, Error};

/// Every object's key starts here; the functions' grants name it.
const KEY_PREFIX: &str = "attachments";
const OBJECTS: Resource<'static> = Resource::Objects {
    prefix: "attachments/*",
};

/// S3 answers in milliseconds; a request that hangs is better a 503 than a Lambda timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Unreachable, timing out, throttled or failing on S3's side: safe to retry.
    #[error("s3 is unavailable")]
    Unavailable(#[source] BoxError),
    /// No credentials, a refused signature or permission: a broken deployment.
    #[error("s3 access failed: {0}")]
    Internal(String),
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(source) => Error::Unavailable(source),
            StorageError::Internal(what) => Error::internal(what),
        }
    }
}

impl From<SendError> for StorageError {
    fn from(err: SendError) -> Self {
        match err {
            SendError::Unavailable(source) => StorageError::Unavailable(source),
            SendError::Internal(what) => StorageError::Internal(what),
        }
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A request a client makes itself: the URL and the headers it must send with it.
#[derive(Debug, Clone)]
pub struct Presigned {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
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
    region: String,
    credentials: Option<SharedCredentialsProvider>,
    /// Made at the first S3 request, not at every cold start: most invocations only presign,
    /// and its trust store costs milliseconds to build.
    connector: OnceLock<Connector>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("bucket", &self.settings.bucket)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Storage {
    pub fn new(settings: AttachmentSettings, sdk_config: &aws_config::SdkConfig) -> Self {
        Storage {
            region: sdk_config
                .region()
                .map_or_else(|| "us-east-1".to_owned(), |r| r.to_string()),
            credentials: sdk_config.credentials_provider(),
            connector: OnceLock::new(),
            settings,
        }
    }

    /// The object's URL: path-style on an endpoint override, else the bucket's virtual host.
    /// Keys are made by this service from ids (`[A-Za-z0-9/._-]`), so they need no escaping.
    fn url(&self, key: &str) -> String {
        match &self.settings.endpoint {
            Some(endpoint) => format!("{endpoint}/{}/{key}", self.settings.bucket),
            None => format!(
                "https://{}.s3.{}.amazonaws.com/{key}",
                self.settings.bucket, self.region
            ),
        }
    }

    async fn credentials(&self) -> StorageResult<Credentials> {
        Ok(signed::credentials(self.credentials.as_ref()).await?)
    }

    /// A PUT whose signature binds the type, the exact length, the download disposition and
    /// the SHA-256 of the bytes: S3 refuses any other body or header, so however often the URL
    /// is used within its life, the object holds the declared file or nothing.
    pub async fn presign_upload(
        &self,
        key: &str,
        binding: UploadBinding<'_>,
        signed_at: SystemTime,
    ) -> StorageResult<Presigned> {
        calls::record("s3:PutObject", OBJECTS);
        let headers = vec![
            ("content-type", binding.content_type.to_owned()),
            ("content-length", binding.size_bytes.to_string()),
            ("content-disposition", binding.disposition.to_owned()),
            ("x-amz-checksum-sha256", binding.checksum_sha256.to_owned()),
        ];
        let url = sign::presign(
            http::Method::PUT,
            &self.url(key),
            &headers,
            self.settings.upload_url_ttl,
            &self.credentials().await?,
            &self.region,
            signed_at,
        )?;
        // `host` is the URL's; the client's HTTP library sends it.
        Ok(Presigned { url, headers })
    }

    /// A GET that serves the object as a download of its stored type, whatever it contains:
    /// `response-content-disposition` and `response-content-type` are part of the signature.
    pub async fn presign_download(
        &self,
        key: &str,
        content_type: &str,
        disposition: &str,
        credentials: &Credentials,
    ) -> StorageResult<String> {
        calls::record("s3:GetObject", OBJECTS);
        let url = format!(
            "{}?response-content-disposition={}&response-content-type={}",
            self.url(key),
            urlencoding::encode(disposition),
            urlencoding::encode(content_type),
        );
        sign::presign(
            http::Method::GET,
            &url,
            &[],
            self.settings.download_url_ttl,
            credentials,
            &self.region,
            SystemTime::now(),
        )
    }

    /// Credentials for a batch of [`Storage::presign_download`] calls.
    pub async fn signing_credentials(&self) -> StorageResult<Credentials> {
        self.credentials().await
    }

    /// `None` when no such object exists.
    pub async fn head(&self, key: &str) -> StorageResult<Option<ObjectInfo>> {
        // A missing object is a 404 only with s3:ListBucket (a 403 without).
        calls::record("s3:GetObject", OBJECTS);
        calls::record("s3:ListBucket", Resource::Bucket);
        let checksum_mode = [("x-amz-checksum-mode", "ENABLED".to_owned())];
        let response = self
            .send(http::Method::HEAD, key, "", &checksum_mode, &[])
            .await?;
        match response.status().as_u16() {
            200 => {
                let header = |name: &str| response.headers().get(name).map(str::to_owned);
                let size_bytes = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| StorageError::Internal("HEAD without a length".into()))?;
                Ok(Some(ObjectInfo {
                    size_bytes,
                    content_type: header("content-type"),
                    checksum_sha256: header("x-amz-checksum-sha256"),
                }))
            }
            404 => Ok(None),
            status => Err(failure(status, "HEAD")),
        }
    }

    /// Deletes the object; deleting a missing object succeeds, as S3 does.
    pub async fn delete(&self, key: &str) -> StorageResult<()> {
        calls::record("s3:DeleteObject", OBJECTS);
        let response = self.send(http::Method::DELETE, key, "", &[], &[]).await?;
        match response.status().as_u16() {
            200 | 204 | 404 => Ok(()),
            status => Err(failure(status, "DELETE")),
        }
    }

    async fn send(
        &self,
        method: http::Method,
        key: &str,
        query: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> StorageResult<aws_smithy_runtime_api::client::orchestrator::HttpResponse> {
        let url = format!("{}{query}", self.url(key));
        let credentials = self.credentials().await?;
        let request = sign::signed(method, &url, headers, body, &credentials, &self.region)?;
        let connector = self.connector.get_or_init(crate::sdk::connector);
        Ok(signed::send(connector, request, body.to_vec(), REQUEST_TIMEOUT).await?)
    }
}

fn failure(status: u16, operation: &str) -> StorageError {
    if status >= 500 || status == 429 {
        StorageError::Unavailable(format!("{operation}: S3 answered {status}").into())
    } else {
        StorageError::Internal(format!("{operation}: S3 answered {status}"))
    }
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
mod tests {
    use super::*;

    #[test]
    fn dispositions_are_always_attachments_and_quote_safely() {
        assert_eq!(
            disposition("cat.png"),
            "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png"
        );
        assert_eq!(
            disposition("r\u{e9}sum\u{e9} \"1\".pdf"),
            "attachment; filename=\"r_sum_ _1_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf"
        );
    }
}
