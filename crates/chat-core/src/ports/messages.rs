use std::future::Future;

use crate::attachments::Upload;
use crate::error::Result;
use crate::messages::{Message, PutMessage};

/// The uploads a new message attaches, and the sender's quota.
#[derive(Debug, Clone, Copy)]
pub struct Attach<'a> {
    pub uploads: &'a [Upload],
    pub quota_bytes: u64,
}

/// Messages, and the markers that make a send idempotent.
pub trait MessageStore: Sync {
    /// The message, strongly consistent.
    fn get_message(
        &self,
        conversation_id: &str,
        ulid: &str,
    ) -> impl Future<Output = Result<Option<Message>>> + Send;

    /// Stores a new message with its conversation's next number, in one transaction with the
    /// sender's membership (a chat's), the idempotency marker of `client_message_id` and the
    /// attachments. On [`PutMessage::Stored`] `message` carries its `seq`, `updated_seq`,
    /// `number` and `fanout`.
    fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
    ) -> impl Future<Output = Result<PutMessage>> + Send;

    /// The (conversation id, message ULID) that the sender's first send with this key stored.
    fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>>> + Send;
}
