//! The send's part: which uploads a message may carry, checked against S3 before the send's
//! transaction (which makes the final decision), and download URLs for every message a
//! participant is shown.

use std::collections::{HashMap, HashSet};

use chat_core::attachments::{AttachmentState, MAX_ATTACHMENTS, Prepared, Upload};
use chat_core::error::{Error, Result};
use chat_core::ids::AttachmentId;
use chat_core::messages::{Message, MessageType};

use crate::app::App;
use chat_aws::s3::{Storage, download_disposition, object_key};

fn refused(message: impl Into<String>) -> Error {
    Error::validation("attachment_ids", message)
}

/// Checks that `ids` are `me`'s pending uploads, that each object is in S3 with its declared
/// size, type and checksum (HeadObject, all at once), and that the message type fits them.
/// Nothing changes here: the send's transaction attaches them only if they are still pending,
/// so a send that loses a race, or fails, leaves the winner's files as they are.
pub async fn prepare(
    app: &App,
    me: &str,
    ids: &[AttachmentId],
    message_type: MessageType,
) -> Result<Prepared> {
    if ids.is_empty() || ids.len() > MAX_ATTACHMENTS {
        return Err(refused(format!(
            "attachment_ids must hold 1 to {MAX_ATTACHMENTS} ids"
        )));
    }
    let unique: HashSet<&AttachmentId> = ids.iter().collect();
    if unique.len() != ids.len() {
        return Err(refused("attachment_ids must not repeat an id"));
    }
    if !matches!(message_type, MessageType::Image | MessageType::File) {
        return Err(Error::validation(
            "message_type",
            "a message with attachments is of message_type image or file",
        ));
    }
    let storage = app.storage()?;
    let unknown = |id: &str| refused(format!("attachment {id} is not an upload of yours"));
    let keys: Vec<String> = ids.iter().map(AttachmentId::to_string).collect();
    let mut found: HashMap<String, Upload> = app
        .store
        .get_uploads(&keys)
        .await?
        .into_iter()
        .map(|u| (u.attachment_id.clone(), u))
        .collect();
    let mut uploads = Vec::with_capacity(ids.len());
    for id in ids {
        let upload = found
            .remove(id.as_str())
            .filter(|u| u.owner_id == me)
            .ok_or_else(|| unknown(id))?;
        match upload.state {
            AttachmentState::Pending => {}
            AttachmentState::Attached => {
                return Err(refused(format!("attachment {id} is attached already")));
            }
            AttachmentState::Expired => {
                return Err(refused(format!(
                    "attachment {id} expired before it was sent"
                )));
            }
        }
        uploads.push(upload);
    }
    if message_type == MessageType::Image
        && let Some(other) = uploads
            .iter()
            .find(|u| !u.content_type.starts_with("image/"))
    {
        return Err(Error::validation(
            "message_type",
            format!(
                "an image message carries images only; {} is {}",
                other.attachment_id, other.content_type
            ),
        ));
    }
    let heads = futures::future::try_join_all(
        uploads
            .iter()
            .map(|u| async move { storage.head(&object_key(me, &u.attachment_id)).await }),
    )
    .await?;
    for (upload, head) in uploads.iter().zip(heads) {
        let id = &upload.attachment_id;
        let Some(object) = head else {
            return Err(refused(format!("attachment {id} was never uploaded")));
        };
        if object.size_bytes != upload.size_bytes
            || object.content_type.as_deref() != Some(upload.content_type.as_str())
            || object.checksum_sha256.as_deref() != Some(upload.checksum_sha256.as_str())
        {
            return Err(refused(format!(
                "attachment {id} in storage is not the declared size, type and checksum"
            )));
        }
    }
    Ok(Prepared { uploads })
}

/// Fills in a fresh `download_url` for every attachment of `messages`: callers show these
/// messages only to the conversation's participants.
pub async fn with_downloads<'a>(
    storage: Option<&Storage>,
    messages: impl IntoIterator<Item = &'a mut Message>,
) {
    let messages: Vec<&mut Message> = messages
        .into_iter()
        .filter(|m| !m.attachments.is_empty())
        .collect();
    if messages.is_empty() {
        return;
    }
    let Some(storage) = storage else {
        return;
    };
    for message in messages {
        for attachment in &mut message.attachments {
            let key = object_key(&message.sender_id, &attachment.attachment_id);
            match storage
                .presign_download(
                    &key,
                    &attachment.content_type,
                    &download_disposition(&attachment.file_name),
                )
                .await
            {
                Ok(url) => attachment.download_url = Some(url),
                Err(err) => tracing::error!(error = %err, key, "no download URL"),
            }
        }
    }
}
