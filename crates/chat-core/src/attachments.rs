//! File attachments as data: an upload's record and state, a message's files as clients see
//! them, what a client asks for and gets, and the rules for file names.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::input::check_len;
use crate::labels::check_label;

/// Attachments per message.
pub const MAX_ATTACHMENTS: usize = 10;
/// A file name's length in characters, after sanitising.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// An upload's life, kept in the attachments table and changed only by conditional writes:
/// `pending` from the upload request until a send attaches it (then `attached` until its
/// message is deleted, when the record goes) or until it expires unattached (`expired` while the
/// sweeper deletes its object, then the record goes). A send attaches only a `pending` upload, so
/// a send that loses a race changes nothing of the winner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, Serialize)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum AttachmentState {
    Pending,
    Attached,
    Expired,
}

/// The stored record of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub attachment_id: String,
    pub owner_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// The SHA-256 of the bytes, base64: signed into the upload URL, so the object can hold
    /// nothing else, however often the URL is used.
    pub checksum_sha256: String,
    pub state: AttachmentState,
    /// The message it is attached to (`<ulid>.<conversation id>`).
    pub message_id: Option<String>,
}

/// A file of a message, as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "attachment_id": "01JDQ4A8Y3N6P9R2T5V8X1Z4B7", "file_name": "cat.png",
    "content_type": "image/png", "size_bytes": 48213,
    "checksum_sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
    "download_url": "https://bucket.s3.us-east-1.amazonaws.com/attachments/01JDQ3Y6S1W8X5V9K2M4N7P0QR/01JDQ4A8Y3N6P9R2T5V8X1Z4B7?response-content-disposition=attachment...&X-Amz-Signature=..."
}))]
pub struct Attachment {
    pub attachment_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// The SHA-256 of the file's bytes, base64, as S3 verified it at the upload: a client may
    /// check the download against it. Empty on files attached before checksums were required.
    #[serde(default)]
    pub checksum_sha256: String,
    /// A presigned GET, valid for a few minutes, that downloads the file as an attachment of
    /// its stored type; only in answers and events for the conversation's participants.
    /// `GET /attachments/{attachment_id}` redirects to a fresh one.
    #[serde(default)]
    pub download_url: Option<String>,
}

/// `POST /attachments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"file_name": "cat.png", "content_type": "image/png", "size_bytes": 48213,
    "checksum_sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}))]
pub struct UploadRequest {
    /// Sanitised: the last path segment, without control characters or `"<>:|?*\`.
    #[schema(min_length = 1, max_length = 255)]
    pub file_name: String,
    /// One of the configured types (`ATTACHMENT_CONTENT_TYPES`).
    pub content_type: String,
    /// The exact size of the file; at most `ATTACHMENT_MAX_BYTES` (25 MiB by default).
    #[schema(minimum = 1)]
    pub size_bytes: u64,
    /// The SHA-256 of the file's bytes, standard base64 (44 characters). The upload URL signs
    /// it, so S3 stores exactly these bytes or refuses them (`BadDigest`), and a reused URL
    /// cannot change a file once a message carries it.
    #[schema(min_length = 44, max_length = 44)]
    pub checksum_sha256: String,
}

/// The answer to `POST /attachments`: how to upload the bytes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "attachment_id": "01JDQ4A8Y3N6P9R2T5V8X1Z4B7",
    "upload_url": "https://bucket.s3.us-east-1.amazonaws.com/attachments/01JDQ3Y6S1W8X5V9K2M4N7P0QR/01JDQ4A8Y3N6P9R2T5V8X1Z4B7?X-Amz-Algorithm=AWS4-HMAC-SHA256&...",
    "upload_method": "PUT",
    "upload_headers": {"content-type": "image/png", "content-length": "48213",
        "content-disposition": "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png",
        "x-amz-checksum-sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
    "expires_in": 300
}))]
pub struct UploadTicket {
    pub attachment_id: String,
    pub upload_url: String,
    /// Always `PUT`.
    pub upload_method: String,
    /// Send exactly these headers with the bytes: they are part of the signature, so S3 refuses
    /// another type or length.
    pub upload_headers: std::collections::BTreeMap<String, String>,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

/// The name a file is stored and offered under: its last path segment, without the characters
/// file systems or headers choke on, trimmed. Control and format characters are refused, not
/// removed: a name that holds one was made to look like another ([`check_label`]).
pub fn sanitise_file_name(raw: &str) -> Result<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    check_label("file_name", last)?;
    let cleaned: String = last.chars().filter(|c| !"\"<>:|?*".contains(*c)).collect();
    let cleaned = cleaned.trim().trim_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        return Err(Error::validation(
            "file_name",
            "file_name must name a file (after removing paths and special characters)",
        ));
    }
    check_len("file_name", &cleaned, 1, MAX_FILE_NAME_CHARS)?;
    Ok(cleaned)
}

/// A SHA-256 as S3's `x-amz-checksum-sha256` carries it: standard base64 of 32 bytes.
pub fn check_checksum_sha256(text: &str) -> Result<()> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD.decode(text);
    if text.len() == 44 && decoded.is_ok_and(|bytes| bytes.len() == 32) {
        return Ok(());
    }
    Err(Error::validation(
        "checksum_sha256",
        "checksum_sha256 must be the SHA-256 of the file in standard base64 (44 characters)",
    ))
}

pub fn over_quota(quota: u64) -> Error {
    Error::LimitExceeded(format!(
        "this would pass your storage quota of {quota} bytes (attached files and pending uploads \
         count); delete messages with files, or wait for unsent uploads to expire"
    ))
}

/// Uploads ready to be attached by the send's transaction.
#[derive(Debug, Default)]
pub struct Prepared {
    pub uploads: Vec<Upload>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_sanitised() {
        let ok = |raw: &str| sanitise_file_name(raw).ok();
        assert_eq!(ok("cat.png").as_deref(), Some("cat.png"));
        assert_eq!(ok("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            ok("C:\\Users\\me\\report.pdf").as_deref(),
            Some("report.pdf")
        );
        assert_eq!(ok(" a<b>\"c\".txt ").as_deref(), Some("abc.txt"));
        assert_eq!(ok("a\u{0}b.txt"), None);
        assert_eq!(ok("invoice\u{202E}fdp.exe"), None);
        assert_eq!(ok("résumé.pdf").as_deref(), Some("résumé.pdf"));
        for bad in ["", "/", "..", "dir/", "<>", &"x".repeat(256)] {
            assert!(sanitise_file_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn checksums_are_base64_sha256() {
        let ok = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
        assert!(check_checksum_sha256(ok).is_ok());
        for bad in [
            "",
            "abc",
            &ok[..43],
            &format!("{ok}="),
            &ok.replace('+', "-"),
        ] {
            assert!(check_checksum_sha256(bad).is_err(), "{bad}");
        }
        // 33 bytes: base64 of the right length for nothing S3 computes.
        assert!(check_checksum_sha256("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").is_err());
    }
}
