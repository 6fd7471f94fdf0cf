//! The attachments table (key `attachment_id`): one item per upload, and one usage item per
//! user (`attachment_id = usage#<user id>`, attribute `bytes`) that holds the quota counter.
//! The `by_owner` index (`owner_id`, `attachment_id`; the usage items have no owner) lists a
//! user's uploads when its account goes.

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};
use chat_core::attachments::{AttachmentState, Upload};

use super::items::{Item, n, opt_n, opt_s, req_s, s};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

const BY_OWNER_INDEX: &str = "by_owner";
/// A pending item outlives its object (the lifecycle rule removes that after a day, rounded up
/// to the next midnight UTC) before TTL reclaims it.
const PENDING_TTL_SECS: u64 = 3 * 24 * 3600;

fn key(attachment_id: &str) -> Item {
    Item::from([("attachment_id".to_owned(), s(attachment_id))])
}

fn usage_key(user_id: &str) -> Item {
    key(&format!("usage#{user_id}"))
}

fn upload_from_item(item: &Item) -> StoreResult<Upload> {
    let raw_state = req_s(item, "state")?;
    Ok(Upload {
        attachment_id: req_s(item, "attachment_id")?,
        owner_id: req_s(item, "owner_id")?,
        file_name: req_s(item, "file_name")?,
        content_type: req_s(item, "content_type")?,
        size_bytes: opt_n(item, "size_bytes")?
            .ok_or_else(|| corrupt("attachment lacks size_bytes"))?,
        state: raw_state
            .parse()
            .map_err(|_| corrupt(format!("attachment state {raw_state}")))?,
        message_id: opt_s(item, "message_id").map(str::to_owned),
    })
}

/// How recording a new upload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateUpload {
    Created,
    /// The owner's attached files and this one would pass the quota.
    OverQuota,
    IdTaken,
}

impl Store {
    fn attachments_table(&self) -> StoreResult<&str> {
        self.tables
            .attachments
            .as_deref()
            .ok_or_else(|| corrupt("ATTACHMENTS_TABLE is not configured"))
    }

    /// Records a pending upload if the owner's usage leaves room for it (a ConditionCheck of
    /// the usage item in the same transaction: nothing is reserved, the send counts).
    pub async fn create_upload(
        &self,
        upload: &Upload,
        quota_bytes: u64,
        now_secs: u64,
    ) -> StoreResult<CreateUpload> {
        let table = self.attachments_table()?;
        let Some(room) = quota_bytes.checked_sub(upload.size_bytes) else {
            return Ok(CreateUpload::OverQuota);
        };
        let mut item = key(&upload.attachment_id);
        item.insert("owner_id".into(), s(&upload.owner_id));
        item.insert("file_name".into(), s(&upload.file_name));
        item.insert("content_type".into(), s(&upload.content_type));
        item.insert("size_bytes".into(), n(upload.size_bytes));
        item.insert("state".into(), s(<&str>::from(upload.state)));
        item.insert("expires_at".into(), n(now_secs + PENDING_TTL_SECS));
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(attachment_id)")
            .build()
            .map_err(corrupt)?;
        let check = ConditionCheck::builder()
            .table_name(table)
            .set_key(Some(usage_key(&upload.owner_id)))
            .condition_expression("attribute_not_exists(#bytes) OR #bytes <= :room")
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_values(":room", n(room))
            .build()
            .map_err(corrupt)?;
        let items = vec![
            (
                TransactWriteItem::builder().put(put).build(),
                CreateUpload::IdTaken,
            ),
            (
                TransactWriteItem::builder().condition_check(check).build(),
                CreateUpload::OverQuota,
            ),
        ];
        Ok(self
            .transact_or(items)
            .await?
            .unwrap_or(CreateUpload::Created))
    }

    pub async fn get_upload(&self, attachment_id: &str) -> StoreResult<Option<Upload>> {
        let table = self.attachments_table()?;
        let item = self.get_item(table, key(attachment_id)).await?;
        item.as_ref().map(upload_from_item).transpose()
    }

    /// The uploads of `ids` that exist, in no particular order.
    pub async fn get_uploads(&self, ids: &[String]) -> StoreResult<Vec<Upload>> {
        let table = self.attachments_table()?;
        let keys = ids.iter().map(|id| key(id)).collect();
        self.batch_get(table, keys, true, &[])
            .await?
            .iter()
            .map(upload_from_item)
            .collect()
    }

    /// The send transaction's items that attach `uploads` to the message: each flips from
    /// pending to attached only if `sender` uploaded it and no send attached it before, and the
    /// sender's usage grows by their size only while it stays within `quota_bytes` (the caller
    /// refuses uploads that pass it on their own, which this condition cannot see).
    pub(crate) fn attach_items<F: Copy>(
        &self,
        sender: &str,
        message_id: &str,
        uploads: &[Upload],
        quota_bytes: u64,
        refused: F,
        over_quota: F,
    ) -> StoreResult<Vec<(TransactWriteItem, F)>> {
        let table = self.attachments_table()?;
        let mut items = Vec::with_capacity(uploads.len() + 1);
        for upload in uploads {
            let update = Update::builder()
                .table_name(table)
                .set_key(Some(key(&upload.attachment_id)))
                .update_expression("SET #state = :attached, #message = :m REMOVE #expires")
                .condition_expression("#owner = :me AND #state = :pending")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#message", "message_id")
                .expression_attribute_names("#expires", "expires_at")
                .expression_attribute_names("#owner", "owner_id")
                .expression_attribute_values(
                    ":attached",
                    s(<&str>::from(AttachmentState::Attached)),
                )
                .expression_attribute_values(":pending", s(<&str>::from(AttachmentState::Pending)))
                .expression_attribute_values(":m", s(message_id))
                .expression_attribute_values(":me", s(sender))
                .build()
                .map_err(corrupt)?;
            items.push((TransactWriteItem::builder().update(update).build(), refused));
        }
        let total: u64 = uploads.iter().map(|u| u.size_bytes).sum();
        let room = quota_bytes.saturating_sub(total);
        let usage = Update::builder()
            .table_name(table)
            .set_key(Some(usage_key(sender)))
            .update_expression("ADD #bytes :total")
            .condition_expression("attribute_not_exists(#bytes) OR #bytes <= :room")
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_values(":total", n(total))
            .expression_attribute_values(":room", n(room))
            .build()
            .map_err(corrupt)?;
        items.push((
            TransactWriteItem::builder().update(usage).build(),
            over_quota,
        ));
        Ok(items)
    }

    /// Forgets the uploads of a deleted message and gives their bytes back to the sender's
    /// quota, in one transaction (each item only if it still belongs to `message_id`).
    pub async fn release_uploads(
        &self,
        owner_id: &str,
        message_id: &str,
        uploads: &[(String, u64)],
    ) -> StoreResult<()> {
        if uploads.is_empty() {
            return Ok(());
        }
        let table = self.attachments_table()?;
        let mut items = Vec::with_capacity(uploads.len() + 1);
        for (id, _) in uploads {
            let delete = Delete::builder()
                .table_name(table)
                .set_key(Some(key(id)))
                .condition_expression("#message = :m")
                .expression_attribute_names("#message", "message_id")
                .expression_attribute_values(":m", s(message_id))
                .build()
                .map_err(corrupt)?;
            items.push((TransactWriteItem::builder().delete(delete).build(), ()));
        }
        let total: u64 = uploads.iter().map(|(_, size)| size).sum();
        let usage = Update::builder()
            .table_name(table)
            .set_key(Some(usage_key(owner_id)))
            .update_expression("ADD #bytes :minus")
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_values(":minus", AttributeValue::N(format!("-{total}")))
            .build()
            .map_err(corrupt)?;
        items.push((TransactWriteItem::builder().update(usage).build(), ()));
        match self.transact_or(items).await? {
            None => Ok(()),
            // Released already by a concurrent delete of the same message.
            Some(()) => Ok(()),
        }
    }

    /// Every upload of `owner_id`, through the `by_owner` index.
    pub async fn owner_uploads(&self, owner_id: &str) -> StoreResult<Vec<String>> {
        let table = self.attachments_table()?;
        self.query_strings(
            table,
            Some(BY_OWNER_INDEX),
            ("owner_id", owner_id),
            "attachment_id",
        )
        .await
    }

    /// Deletes an upload's item (its object is gone already), or the owner's usage item.
    pub async fn delete_upload(&self, attachment_id: &str) -> StoreResult<()> {
        let out = self
            .client
            .delete_item()
            .table_name(self.attachments_table()?)
            .set_key(Some(key(attachment_id)))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::write(out.consumed_capacity());
        Ok(())
    }

    pub async fn delete_usage(&self, owner_id: &str) -> StoreResult<()> {
        self.delete_upload(&format!("usage#{owner_id}")).await
    }
}
