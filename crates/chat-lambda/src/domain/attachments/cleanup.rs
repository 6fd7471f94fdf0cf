//! What goes with a deleted message or account: the objects in S3, the upload records and
//! the bytes they counted against the quota.

use chat_core::error::Result;
use chat_core::messages::Message;
use futures::StreamExt;

use crate::app::App;
use chat_aws::s3::object_key;

/// Deletes and forgets at most this many objects at a time.
const CLEANUP_CONCURRENCY: usize = 16;

/// After `message` (as it was before its deletion) became a tombstone: its objects, their
/// records, and their bytes back to the sender's quota. The tombstone is stored already, so a
/// failure is logged rather than answered (the objects stay, unreachable through the API).
pub async fn release(app: &App, message: &Message) {
    if message.attachments.is_empty() {
        return;
    }
    let Some(storage) = &app.storage else {
        return;
    };
    let deletes = futures::future::join_all(message.attachments.iter().map(|a| async move {
        storage
            .delete(&object_key(&message.sender_id, &a.attachment_id))
            .await
    }))
    .await;
    if let Some(Err(err)) = deletes.into_iter().find(Result::is_err) {
        tracing::error!(error = %err, message_id = message.id, "attachment objects not deleted");
        return;
    }
    let uploads: Vec<(String, u64)> = message
        .attachments
        .iter()
        .map(|a| (a.attachment_id.clone(), a.size_bytes))
        .collect();
    if let Err(err) = app
        .store
        .release_uploads(&message.sender_id, &message.id, &uploads)
        .await
    {
        tracing::error!(error = %err, message_id = message.id, "attachment records not released");
    }
}

/// Deletes every upload of a deleted account, found through the `by_owner` index, and its
/// usage item.
pub async fn delete_owned(app: &App, owner_id: &str) -> Result<()> {
    let Some(storage) = &app.storage else {
        return Ok(());
    };
    let ids = app.store.owner_uploads(owner_id).await?;
    let results: Vec<Result<()>> = futures::stream::iter(ids)
        .map(|id| async move {
            storage.delete(&object_key(owner_id, &id)).await?;
            app.store.delete_upload(&id).await?;
            Ok(())
        })
        .buffer_unordered(CLEANUP_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<()>>>()?;
    app.store.delete_usage(owner_id).await?;
    Ok(())
}
