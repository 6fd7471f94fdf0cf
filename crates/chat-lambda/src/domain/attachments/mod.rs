//! File attachments: a client asks for a presigned upload, sends the bytes straight to S3, and
//! refers to the upload in a message. No file's bytes ever pass through a function. The send's
//! part is in [`attach`]; cleanup when messages and accounts go in [`cleanup`].

mod attach;
mod cleanup;

use chat_core::attachments::{
    AttachmentState, Prepared, Upload, UploadRequest, UploadTicket, over_quota, sanitise_file_name,
};
use chat_core::chats::rules::takes_part;
use chat_core::conversation::MessageRef;
use chat_core::error::{Error, Result};
use chat_core::ids::AttachmentId;
use chat_core::messages::{Message, MessageType};
use chat_core::ports::AttachmentFiles;
use chat_core::time::unix_seconds;

use crate::app::App;
use chat_aws::s3::{disposition, download_disposition, object_key};
use chat_aws::store::attachments::CreateUpload;

pub use attach::{prepare, restore_pending, with_downloads};
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

    async fn restore_pending(&self, prepared: &Prepared) {
        restore_pending(self.0, prepared).await;
    }

    async fn with_downloads(&self, messages: &mut [Message]) {
        with_downloads(self.0.storage.as_ref(), messages).await;
    }

    async fn release(&self, message: &Message) {
        release(self.0, message).await;
    }

    /// No quota where the function was deployed without attachments: no upload can be
    /// attached there anyway.
    fn quota_bytes(&self) -> u64 {
        self.0
            .storage
            .as_ref()
            .map_or(0, |storage| storage.settings.quota_bytes)
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
    let upload = Upload {
        attachment_id: ulid::Ulid::generate().to_string(),
        owner_id: me.to_owned(),
        file_name,
        content_type,
        size_bytes: request.size_bytes,
        state: AttachmentState::Pending,
        message_id: None,
    };
    let now = unix_seconds(std::time::SystemTime::now());
    match app
        .store
        .create_upload(&upload, settings.quota_bytes, now)
        .await?
    {
        CreateUpload::Created => {}
        CreateUpload::OverQuota => return Err(over_quota(settings.quota_bytes)),
        CreateUpload::IdTaken => return Err(Error::internal("a new attachment id exists already")),
    }
    let presigned = storage
        .presign_upload(
            &object_key(me, &upload.attachment_id),
            &upload.content_type,
            upload.size_bytes,
            &disposition(&upload.file_name),
        )
        .await?;
    Ok(UploadTicket {
        attachment_id: upload.attachment_id,
        upload_url: presigned.url,
        upload_method: "PUT".into(),
        upload_headers: presigned
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
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
        _ => upload.owner_id == me,
    };
    if !allowed {
        return Err(Error::NotFound);
    }
    let credentials = storage.signing_credentials().await?;
    Ok(storage
        .presign_download(
            &object_key(&upload.owner_id, &upload.attachment_id),
            &upload.content_type,
            &download_disposition(&upload.file_name),
            &credentials,
        )
        .await?)
}
