//! The attachments' configuration: where the files live and the rules uploads follow.

use std::time::Duration;

use crate::config::ConfigError;

const MIB: u64 = 1024 * 1024;
const DEFAULT_MAX_BYTES: u64 = 25 * MIB;
const DEFAULT_QUOTA_BYTES: u64 = 1024 * MIB;
/// Long enough to start a large upload on a slow link, short enough that a leaked URL soon dies.
const DEFAULT_UPLOAD_URL_SECS: u64 = 300;
/// How long an upload may wait for a send before the sweeper deletes it and frees its quota:
/// ample to upload and send, short enough that abandoned files do not hold a user's quota.
const DEFAULT_PENDING_SECS: u64 = 3600;
/// A download URL outlives one screen of a conversation; `GET /attachments/{id}` makes a fresh
/// one whenever an old link is followed.
const DEFAULT_DOWNLOAD_URL_SECS: u64 = 900;
/// SigV4 caps a presigned URL's life at seven days.
const MAX_URL_SECS: u64 = 7 * 24 * 3600;
const DEFAULT_CONTENT_TYPES: &str = "image/png,image/jpeg,image/gif,image/webp,application/pdf,\
text/plain,application/zip,audio/mpeg,audio/ogg,video/mp4,video/webm";

#[derive(Debug, Clone)]
pub struct AttachmentSettings {
    pub bucket: String,
    /// `AWS_ENDPOINT_URL_S3`: an S3-compatible server reached path-style (locally s3s-fs);
    /// unset on AWS, where requests go to the bucket's virtual host.
    pub endpoint: Option<String>,
    pub max_bytes: u64,
    pub quota_bytes: u64,
    pub content_types: Vec<String>,
    pub upload_url_ttl: Duration,
    pub download_url_ttl: Duration,
    /// An upload not attached within this time is deleted by the uploads sweeper. Longer than
    /// `upload_url_ttl`: no PUT can then recreate an object whose record the sweeper forgot.
    pub pending_ttl: Duration,
}

impl AttachmentSettings {
    /// `None` without `ATTACHMENTS_BUCKET`: a deployment (or a tool) without attachments.
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let env = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let Some(bucket) = env("ATTACHMENTS_BUCKET") else {
            return Ok(None);
        };
        // The uploads' records live there (`Tables::attachments`).
        env("ATTACHMENTS_TABLE").ok_or(ConfigError::Missing("ATTACHMENTS_TABLE"))?;
        let number = |name: &'static str, default: u64, max: u64| match env(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|v| (1..=max).contains(v))
                .ok_or_else(|| ConfigError::Invalid {
                    name,
                    reason: format!("must be a number from 1 to {max}"),
                }),
        };
        let content_types: Vec<String> = env("ATTACHMENT_CONTENT_TYPES")
            .as_deref()
            .unwrap_or(DEFAULT_CONTENT_TYPES)
            .split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        if content_types.iter().any(|t| !is_media_type(t)) {
            return Err(ConfigError::Invalid {
                name: "ATTACHMENT_CONTENT_TYPES",
                reason: "must be a comma-separated list of type/subtype".into(),
            });
        }
        let upload_url_secs = number(
            "ATTACHMENT_UPLOAD_URL_SECONDS",
            DEFAULT_UPLOAD_URL_SECS,
            MAX_URL_SECS,
        )?;
        let pending_secs = number(
            "ATTACHMENT_PENDING_SECONDS",
            DEFAULT_PENDING_SECS,
            MAX_URL_SECS,
        )?;
        if pending_secs <= upload_url_secs {
            return Err(ConfigError::Invalid {
                name: "ATTACHMENT_PENDING_SECONDS",
                reason: "must be longer than ATTACHMENT_UPLOAD_URL_SECONDS: an upload URL must \
                         expire before the sweeper may delete what it uploaded"
                    .into(),
            });
        }
        Ok(Some(AttachmentSettings {
            endpoint: env("AWS_ENDPOINT_URL_S3").map(|e| e.trim_end_matches('/').to_owned()),
            max_bytes: number("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES, 5 * 1024 * MIB)?,
            quota_bytes: number("ATTACHMENT_QUOTA_BYTES", DEFAULT_QUOTA_BYTES, u64::MAX >> 1)?,
            upload_url_ttl: Duration::from_secs(upload_url_secs),
            pending_ttl: Duration::from_secs(pending_secs),
            download_url_ttl: Duration::from_secs(number(
                "ATTACHMENT_DOWNLOAD_URL_SECONDS",
                DEFAULT_DOWNLOAD_URL_SECS,
                MAX_URL_SECS,
            )?),
            content_types,
            bucket,
        }))
    }

    pub fn allows(&self, content_type: &str) -> bool {
        self.content_types.iter().any(|t| t == content_type)
    }
}

/// `type/subtype` of RFC 6838's restricted names, lower case, no parameters: a value that can
/// be signed as a header and served back without surprises.
pub fn is_media_type(text: &str) -> bool {
    let name = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "!#$&-^_.+".contains(c))
    };
    matches!(text.split_once('/'), Some((kind, sub)) if name(kind) && name(sub))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Option<AttachmentSettings>, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AttachmentSettings::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn off_without_a_bucket() {
        assert!(matches!(settings(&[]), Ok(None)));
    }

    #[test]
    fn defaults_and_overrides() {
        let s = settings(&[("ATTACHMENTS_BUCKET", "b"), ("ATTACHMENTS_TABLE", "t")])
            .ok()
            .flatten();
        assert_eq!(s.as_ref().map(|s| s.max_bytes), Some(25 * MIB));
        assert_eq!(s.as_ref().map(|s| s.allows("image/png")), Some(true));
        assert_eq!(s.as_ref().map(|s| s.allows("text/html")), Some(false));
        let s = settings(&[
            ("ATTACHMENTS_BUCKET", "b"),
            ("ATTACHMENTS_TABLE", "t"),
            ("ATTACHMENT_CONTENT_TYPES", "Image/PNG, text/html"),
            ("ATTACHMENT_QUOTA_BYTES", "100"),
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8200/"),
        ])
        .ok()
        .flatten();
        assert_eq!(
            s.as_ref().map(|s| s.content_types.clone()),
            Some(vec!["image/png".to_owned(), "text/html".to_owned()])
        );
        assert_eq!(s.as_ref().map(|s| s.quota_bytes), Some(100));
        assert_eq!(
            s.and_then(|s| s.endpoint),
            Some("http://127.0.0.1:8200".to_owned())
        );
    }

    #[test]
    fn refuses_bad_values() {
        let base = [("ATTACHMENTS_BUCKET", "b"), ("ATTACHMENTS_TABLE", "t")];
        for bad in [
            ("ATTACHMENT_MAX_BYTES", "0"),
            ("ATTACHMENT_UPLOAD_URL_SECONDS", "604801"),
            ("ATTACHMENT_CONTENT_TYPES", "image/png;x=1"),
            ("ATTACHMENT_CONTENT_TYPES", "png"),
        ] {
            let mut pairs = base.to_vec();
            pairs.push(bad);
            assert!(settings(&pairs).is_err(), "{bad:?}");
        }
        assert!(settings(&[("ATTACHMENTS_BUCKET", "b")]).is_err());
        // An upload URL that outlives the pending time could recreate a swept object.
        let mut pairs = base.to_vec();
        pairs.push(("ATTACHMENT_PENDING_SECONDS", "300"));
        assert!(settings(&pairs).is_err());
        pairs.push(("ATTACHMENT_UPLOAD_URL_SECONDS", "10"));
        let pending = settings(&pairs).ok().flatten().map(|s| s.pending_ttl);
        assert_eq!(pending, Some(Duration::from_secs(300)));
    }

    #[test]
    fn media_types() {
        assert!(is_media_type("image/svg+xml"));
        assert!(!is_media_type("image/"));
        assert!(!is_media_type("text/html; charset=utf-8"));
        assert!(!is_media_type("Image/png"));
    }
}
