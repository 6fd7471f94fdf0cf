//! File attachments: a client asks for a presigned upload, sends the bytes straight to S3, and
//! refers to the upload in a message. No file's bytes ever pass through a function. The send's
//! part is in [`attach`]; cleanup when messages and accounts go in [`cleanup`]; uploads never
//! attached in [`expiry`].

mod attach;
mod cleanup;
pub mod expiry;

use chat_core::attachments::{
    AttachmentState, Prepared, Upload, UploadRequest, UploadTicket, check_checksum_sha256,
    over_quota, sanitise_file_name,
};
use chat_core::chats::rules::takes_part;
use chat_core::conversation::MessageRef;
use chat_core::error::{Error, Result};
use chat_core::ids::AttachmentId;
use chat_core::messages::{Message, MessageType};
use chat_core::ports::AttachmentFiles;
use chat_core::time::unix_seconds;

use crate::app::App;
use chat_aws::s3::{UploadBinding, disposition, download_disposition, object_key};
use chat_aws::store::attachments::CreateUpload;

pub use attach::{prepare, with_downloads};
pub use cleanup::{delete_owned, release};

/// The files of a function's attachments (S3, and their records in DynamoDB) as the send rule
/// reaches them.
pub struct Files<'a>(pub &'a App);

impl AttachmentFiles for Files<'_> {
    async fn prepare(
        &self,
        me: &str,
        ids: &[AttachmentId],
        message_type: MessageType,
    ) -> Result<Prepared> {
        prepare(self.0, me, ids, message_type).await
    }

    async fn with_downloads(&self, messages: &mut [Message]) {
        with_downloads(self.0.storage.as_ref(), messages).await;
    }

    async fn release(&self, message: &Message) {
        release(self.0, message).await;
    }
}

pub async fn request_upload(app: &App, me: &str, request: &UploadRequest) -> Result<UploadTicket> {
    let storage = app.storage()?;
    let settings = &storage.settings;
    let file_name = sanitise_file_name(&request.file_name)?;
    let content_type = request.content_type.trim().to_ascii_lowercase();
    if !settings.allows(&content_type) {
        return Err(Error::validation(
            "content_type",
            format!(
                "content_type must be one of: {}",
                settings.content_types.join(", ")
            ),
        ));
    }
    if request.size_bytes == 0 || request.size_bytes > settings.max_bytes {
        return Err(Error::validation(
            "size_bytes",
            format!("size_bytes must be 1 to {}", settings.max_bytes),
        ));
    }
    check_checksum_sha256(&request.checksum_sha256)?;
    let upload = Upload {
        attachment_id: ulid::Ulid::generate().to_string(),
        owner_id: me.to_owned(),
        file_name,
        content_type,
        size_bytes: request.size_bytes,
        checksum_sha256: request.checksum_sha256.clone(),
        state: AttachmentState::Pending,
        message_id: None,
    };
    // One instant for the record's expiry and the URL's signature: the URL dies first.
    let now = std::time::SystemTime::now();
    let expires_at = unix_seconds(now + settings.pending_ttl);
    match app
        .store
        .create_upload(&upload, settings.quota_bytes, expires_at)
        .await?
    {
        CreateUpload::Created => {}
        CreateUpload::OverQuota => return Err(over_quota(settings.quota_bytes)),
        CreateUpload::IdTaken => return Err(Error::internal("a new attachment id exists already")),
    }
    let binding = UploadBinding {
        content_type: &upload.content_type,
        size_bytes: upload.size_bytes,
        disposition: &disposition(&upload.file_name),
        checksum_sha256: &upload.checksum_sha256,
    };
    let presigned = storage
        .presign_upload(&object_key(me, &upload.attachment_id), binding, now)
        .await?;
    Ok(UploadTicket {
        attachment_id: upload.attachment_id,
        upload_url: presigned.url,
        upload_method: "PUT".into(),
        upload_headers: presigned.headers.into_iter().collect(),
        expires_in: settings.upload_url_ttl.as_secs(),
    })
}

/// A fresh download URL for a participant of the attachment's conversation (or the uploader of
/// a pending upload); 404 for everyone else, as for the message itself.
pub async fn download_url(app: &App, me: &str, attachment_id: &str) -> Result<String> {
    let Some(attachment_id) = AttachmentId::parse(attachment_id) else {
        return Err(Error::NotFound);
    };
    let storage = app.storage()?;
    let upload = app
        .store
        .get_upload(&attachment_id)
        .await?
        .ok_or(Error::NotFound)?;
    let allowed = match (&upload.state, &upload.message_id) {
        (AttachmentState::Attached, Some(message_id)) => {
            let at = MessageRef::parse(message_id).ok_or(Error::NotFound)?;
            takes_part(&app.store, &at.conversation, me).await?
        }
        (AttachmentState::Pending, _) => upload.owner_id == me,
        // Expired: its object is going or gone.
        _ => false,
    };
    if !allowed {
        return Err(Error::NotFound);
    }
    Ok(storage
        .presign_download(
            &object_key(&upload.owner_id, &upload.attachment_id),
            &upload.content_type,
            &download_disposition(&upload.file_name),
        )
        .await?)
}
