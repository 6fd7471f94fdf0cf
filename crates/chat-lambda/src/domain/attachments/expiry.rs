//! Uploads never attached: once their pending time is over (their upload URL expired before),
//! the sweeper marks each `expired` (only if still pending, so a send that attached it first
//! wins and a send after it is refused), deletes its object, then forgets its record and gives
//! its bytes back to the owner's quota. A run that fails half way leaves the record `expired`
//! in the index, and the next run finishes it.

use std::time::SystemTime;

use chat_core::attachments::AttachmentState;
use chat_core::error::Result;
use chat_core::time::unix_seconds;

use chat_aws::s3::{Storage, object_key};
use chat_aws::store::Store;
use chat_aws::store::attachments::{ExpiredUpload, PENDING_SHARDS};

/// Expired uploads read per Query.
const PAGE: i32 = 100;
/// Pages per shard per run: bounds a run's duration; what is left waits for the next run.
const MAX_PAGES: usize = 10;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryReport {
    /// Uploads whose objects were deleted and records forgotten.
    pub removed: usize,
    /// Uploads the index listed that a send attached meanwhile.
    pub attached_meanwhile: usize,
}

impl std::ops::Add for ExpiryReport {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        ExpiryReport {
            removed: self.removed + other.removed,
            attached_meanwhile: self.attached_meanwhile + other.attached_meanwhile,
        }
    }
}

/// Removes every upload whose pending time ended before now.
pub async fn sweep(store: &Store, storage: &Storage) -> Result<ExpiryReport> {
    let now = unix_seconds(SystemTime::now());
    let shards = (0..PENDING_SHARDS).map(|shard| sweep_shard(store, storage, shard, now));
    Ok(futures::future::try_join_all(shards)
        .await?
        .into_iter()
        .fold(ExpiryReport::default(), |total, shard| total + shard))
}

async fn sweep_shard(
    store: &Store,
    storage: &Storage,
    shard: u32,
    now: u64,
) -> Result<ExpiryReport> {
    let mut report = ExpiryReport::default();
    let mut start = None;
    for _ in 0..MAX_PAGES {
        let (expired, next) = store.expired_uploads(shard, now, PAGE, start).await?;
        for upload in expired {
            if remove(store, storage, &upload).await? {
                report.removed += 1;
            } else {
                report.attached_meanwhile += 1;
            }
        }
        match next {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    Ok(report)
}

/// Removes one expired upload; false when a send attached it before the sweep could expire it.
async fn remove(store: &Store, storage: &Storage, upload: &ExpiredUpload) -> Result<bool> {
    if upload.state == AttachmentState::Pending
        && !store.expire_upload(&upload.attachment_id).await?
    {
        return Ok(false);
    }
    storage
        .delete(&object_key(&upload.owner_id, &upload.attachment_id))
        .await?;
    store.forget_expired(upload).await?;
    Ok(true)
}
