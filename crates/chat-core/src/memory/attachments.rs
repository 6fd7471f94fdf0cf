//! Uploads in memory: what storage holds is what was put with [`MemoryStore::put_upload`]; a
//! send's transaction flips an upload to attached. The quota is the upload request's (an
//! adapter's), so nothing here counts bytes.

use std::collections::HashSet;

use super::MemoryStore;
use crate::attachments::{AttachmentState, MAX_ATTACHMENTS, Prepared};
use crate::error::{Error, Result};
use crate::ids::AttachmentId;
use crate::messages::{Message, MessageType};
use crate::ports::AttachmentFiles;

impl AttachmentFiles for MemoryStore {
    async fn prepare(
        &self,
        me: &str,
        ids: &[AttachmentId],
        message_type: MessageType,
    ) -> Result<Prepared> {
        let refused = |message: String| Error::validation("attachment_ids", message);
        let unique: HashSet<&AttachmentId> = ids.iter().collect();
        if ids.is_empty() || ids.len() > MAX_ATTACHMENTS || unique.len() != ids.len() {
            return Err(refused(format!(
                "attachment_ids must hold 1 to {MAX_ATTACHMENTS} distinct ids"
            )));
        }
        if !matches!(message_type, MessageType::Image | MessageType::File) {
            return Err(Error::validation(
                "message_type",
                "a message with attachments is of message_type image or file",
            ));
        }
        let state = self.state()?;
        let uploads = ids
            .iter()
            .map(|id| match state.uploads.get(id.as_str()) {
                Some(upload)
                    if upload.owner_id == me && upload.state == AttachmentState::Pending =>
                {
                    Ok(upload.clone())
                }
                Some(upload) if upload.owner_id == me => {
                    Err(refused(format!("attachment {id} is attached already")))
                }
                _ => Err(refused(format!(
                    "attachment {id} is not an upload of yours"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Prepared { uploads })
    }

    async fn with_downloads(&self, messages: &mut [Message]) {
        for attachment in messages.iter_mut().flat_map(|m| m.attachments.iter_mut()) {
            attachment.download_url = Some(format!("memory:{}", attachment.attachment_id));
        }
    }

    async fn release(&self, message: &Message) {
        let Ok(mut state) = self.state() else {
            return;
        };
        for attachment in &message.attachments {
            state.uploads.remove(&attachment.attachment_id);
        }
    }
}
