//! The attachments table (key `attachment_id`): one item per upload, and one usage item per
//! user (`attachment_id = usage#<user id>`, attribute `bytes`) that holds the quota counter:
//! the bytes of the user's pending uploads and attached files, reserved by the upload request.
//! The `by_owner` index (`owner_id`, `attachment_id`; the usage items have no owner) lists a
//! user's uploads when its account goes; the sparse `pending_by_expiry` index
//! ([`expiry`]) lists the uploads never attached once they expire.

mod expiry;

pub use expiry::{ExpiredUpload, PENDING_SHARDS};

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};
use chat_core::attachments::{AttachmentState, Upload};

use super::items::{Item, n, opt_n, opt_s, req_s, s};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

const BY_OWNER_INDEX: &str = "by_owner";

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
        // Uploads recorded before checksums were required have none; they are never pending
        // any more, so no send attaches them.
        checksum_sha256: opt_s(item, "checksum_sha256")
            .unwrap_or_default()
            .to_owned(),
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
    /// The owner's attached files, pending uploads and this one would pass the quota.
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

    /// Records a pending upload and reserves its bytes in the owner's usage, in one
    /// transaction that fails if the usage would pass `quota_bytes`. The upload joins the
    /// `pending_by_expiry` index until a send attaches it or `expires_at_secs` passes.
    pub async fn create_upload(
        &self,
        upload: &Upload,
        quota_bytes: u64,
        expires_at_secs: u64,
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
        item.insert("checksum_sha256".into(), s(&upload.checksum_sha256));
        item.insert("state".into(), s(<&str>::from(upload.state)));
        item.extend(expiry::index_attributes(
            &upload.attachment_id,
            expires_at_secs,
        ));
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(attachment_id)")
            .build()
            .map_err(corrupt)?;
        let reserve = Update::builder()
            .table_name(table)
            .set_key(Some(usage_key(&upload.owner_id)))
            .update_expression("ADD #bytes :size")
            .condition_expression("attribute_not_exists(#bytes) OR #bytes <= :room")
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_values(":size", n(upload.size_bytes))
            .expression_attribute_values(":room", n(room))
            .build()
            .map_err(corrupt)?;
        let items = vec![
            (
                TransactWriteItem::builder().put(put).build(),
                CreateUpload::IdTaken,
            ),
            (
                TransactWriteItem::builder().update(reserve).build(),
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
    /// pending to attached only if `sender` uploaded it and it is still pending (no send
    /// attached it before, the sweeper did not expire it), and leaves the expiry index. Their
    /// bytes were reserved by the upload requests.
    pub(crate) fn attach_items<F: Copy>(
        &self,
        sender: &str,
        message_id: &str,
        uploads: &[Upload],
        refused: F,
    ) -> StoreResult<Vec<(TransactWriteItem, F)>> {
        let table = self.attachments_table()?;
        let mut items = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let update = Update::builder()
                .table_name(table)
                .set_key(Some(key(&upload.attachment_id)))
                .update_expression(format!(
                    "SET #state = :attached, #message = :m REMOVE {}",
                    expiry::INDEX_ATTRIBUTES
                ))
                .condition_expression("#owner = :me AND #state = :pending")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#message", "message_id")
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
        items.push((self.give_back(owner_id, total)?, ()));
        match self.transact_or(items).await? {
            None => Ok(()),
            // Released already by a concurrent delete of the same message.
            Some(()) => Ok(()),
        }
    }

    /// The transaction item that gives `bytes` back to `owner_id`'s quota.
    fn give_back(&self, owner_id: &str, bytes: u64) -> StoreResult<TransactWriteItem> {
        let usage = Update::builder()
            .table_name(self.attachments_table()?)
            .set_key(Some(usage_key(owner_id)))
            .update_expression("ADD #bytes :minus")
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_values(":minus", AttributeValue::N(format!("-{bytes}")))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(usage).build())
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
