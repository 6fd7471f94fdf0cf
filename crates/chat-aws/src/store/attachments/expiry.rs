//! Uploads never attached: a pending upload carries `pending_shard` and `expires_at`, the keys
//! of the sparse `pending_by_expiry` index, which the send's attach removes. The uploads sweeper
//! Queries each shard for what expired, marks each `expired` (only if still pending: a send
//! that attached it meanwhile wins), deletes the object, then forgets the record and gives its
//! bytes back to the owner's quota. An expired record stays in the index until its object is
//! gone, so a failed delete is tried again by the next sweep. Not DynamoDB TTL: AWS acts on it
//! within days, DynamoDB Local not at all, and it could not delete the object.

use aws_sdk_dynamodb::types::{Delete, ReturnConsumedCapacity, TransactWriteItem};
use chat_core::attachments::AttachmentState;

use super::super::items::{Item, n, opt_n, opt_s, s};
use super::super::shards::{shard_name, shard_of};
use super::super::{Store, StoreError, StoreResult, corrupt};
use super::key;

const PENDING_BY_EXPIRY_INDEX: &str = "pending_by_expiry";
/// The expiry index's shards (see `store::shards`): uploads are written once, at the upload
/// request's rate, and each shard's partition takes 1,000 writes a second.
pub const PENDING_SHARDS: u32 = 16;
/// What an attach removes to take an upload out of the index.
pub(super) const INDEX_ATTRIBUTES: &str = "pending_shard, expires_at";

/// The index keys of a new pending upload.
pub(super) fn index_attributes(attachment_id: &str, expires_at_secs: u64) -> Item {
    Item::from([
        (
            "pending_shard".to_owned(),
            s(shard_name(shard_of(attachment_id, PENDING_SHARDS))),
        ),
        ("expires_at".to_owned(), n(expires_at_secs)),
    ])
}

/// An upload the index lists as expired (pending past its expiry, or expired already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredUpload {
    pub attachment_id: String,
    pub owner_id: String,
    pub size_bytes: u64,
    pub state: AttachmentState,
}

fn expired_upload(item: &Item) -> StoreResult<ExpiredUpload> {
    let raw_state = opt_s(item, "state").unwrap_or_default();
    Ok(ExpiredUpload {
        attachment_id: opt_s(item, "attachment_id")
            .ok_or_else(|| corrupt("expiry index item lacks attachment_id"))?
            .to_owned(),
        owner_id: opt_s(item, "owner_id")
            .ok_or_else(|| corrupt("expiry index item lacks owner_id"))?
            .to_owned(),
        size_bytes: opt_n(item, "size_bytes")?
            .ok_or_else(|| corrupt("expiry index item lacks size_bytes"))?,
        state: raw_state
            .parse()
            .map_err(|_| corrupt(format!("attachment state {raw_state}")))?,
    })
}

impl Store {
    /// One page (at most `limit`) of the uploads of `shard` whose expiry is before `now_secs`,
    /// and where the next page starts. The index is eventually consistent: the conditional
    /// writes below decide.
    pub async fn expired_uploads(
        &self,
        shard: u32,
        now_secs: u64,
        limit: i32,
        start: Option<Item>,
    ) -> StoreResult<(Vec<ExpiredUpload>, Option<Item>)> {
        let query = self
            .client
            .query()
            .table_name(self.attachments_table()?)
            .index_name(PENDING_BY_EXPIRY_INDEX)
            .key_condition_expression("pending_shard = :shard AND expires_at < :now")
            .expression_attribute_values(":shard", s(shard_name(shard)))
            .expression_attribute_values(":now", n(now_secs))
            .limit(limit)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        let out = self.run_query(query).await?;
        let expired = out
            .items
            .unwrap_or_default()
            .iter()
            .map(expired_upload)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((expired, out.last_evaluated_key))
    }

    /// Marks a pending upload expired, so no send can attach it any more; false when it is not
    /// pending (attached by a send meanwhile, or gone).
    pub async fn expire_upload(&self, attachment_id: &str) -> StoreResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(self.attachments_table()?)
            .set_key(Some(key(attachment_id)))
            .update_expression("SET #state = :expired")
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":expired", s(<&str>::from(AttachmentState::Expired)))
            .expression_attribute_values(":pending", s(<&str>::from(AttachmentState::Pending)))
            .send()
            .await;
        match result.map_err(StoreError::from_sdk) {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// After the object of an expired upload is gone: its record, and its bytes back to the
    /// owner's quota, in one transaction that does nothing if another sweep got there first.
    pub async fn forget_expired(&self, upload: &ExpiredUpload) -> StoreResult<()> {
        let delete = Delete::builder()
            .table_name(self.attachments_table()?)
            .set_key(Some(key(&upload.attachment_id)))
            .condition_expression("#state = :expired")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":expired", s(<&str>::from(AttachmentState::Expired)))
            .build()
            .map_err(corrupt)?;
        let items = vec![
            (TransactWriteItem::builder().delete(delete).build(), ()),
            (self.give_back(&upload.owner_id, upload.size_bytes)?, ()),
        ];
        // `Some(())`: forgotten already by a concurrent sweep.
        self.transact_or(items).await?;
        Ok(())
    }
}
