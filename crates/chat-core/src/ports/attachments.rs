use std::future::Future;

use crate::attachments::Prepared;
use crate::error::Result;
use crate::ids::AttachmentId;
use crate::messages::{Message, MessageType};

/// The files behind attachments: uploads checked against object storage before a send, and
/// download links for the messages a participant is shown.
pub trait AttachmentFiles: Sync {
    /// Checks that `ids` are `me`'s pending uploads, present with their declared size, type and
    /// checksum, fitting `message_type`, and readies them for the send's transaction. Changes
    /// nothing: the transaction alone attaches, so a send that fails leaves nothing to undo.
    fn prepare(
        &self,
        me: &str,
        ids: &[AttachmentId],
        message_type: MessageType,
    ) -> impl Future<Output = Result<Prepared>> + Send;

    /// Fresh download links on every attachment of `messages`; best effort.
    fn with_downloads(&self, messages: &mut [Message]) -> impl Future<Output = ()> + Send;

    /// After `message` (as it was before its deletion) became a tombstone: its files, their
    /// records, and their bytes back to the sender's quota. Best effort: the tombstone is
    /// stored already, so a failure is logged (the objects stay, unreachable through the API).
    fn release(&self, message: &Message) -> impl Future<Output = ()> + Send;
}
