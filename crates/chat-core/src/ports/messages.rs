use std::future::Future;

use crate::attachments::Upload;
use crate::error::Result;
use crate::messages::{Changed, Message, NewReaction, PutMessage};
use crate::paging::Position;

/// The uploads a new message attaches. Their bytes count against the sender's quota since the
/// upload request: attaching them reserves nothing more.
#[derive(Debug, Clone, Copy)]
pub struct Attach<'a> {
    pub uploads: &'a [Upload],
}

/// Messages, and the markers that make a send idempotent.
pub trait MessageStore: Sync {
    /// What a send reads of its conversation before its transaction (the number it will take,
    /// for the transaction's condition). Reading it in the send's first wave, beside the
    /// other reads, saves a round trip; a change that took the number meanwhile makes the
    /// store read it again.
    type Sequence: Send;

    /// The conversation's sequence as it stands: one strongly consistent read.
    fn read_sequence(
        &self,
        conversation_id: &str,
    ) -> impl Future<Output = Result<Self::Sequence>> + Send;

    /// The message, strongly consistent.
    fn get_message(
        &self,
        conversation_id: &str,
        ulid: &str,
    ) -> impl Future<Output = Result<Option<Message>>> + Send;

    /// Stores a new message with its conversation's next number, in one transaction with the
    /// sender's membership (a chat's), the idempotency marker of `client_message_id` and the
    /// attachments, first on the condition that the conversation is still at `seen`. On
    /// [`PutMessage::Stored`] `message` carries its `seq`, `updated_seq`, `number` and `fanout`.
    fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
        seen: Self::Sequence,
    ) -> impl Future<Output = Result<PutMessage>> + Send;

    /// The (conversation id, message ULID) that the sender's first send with this key stored.
    fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>>> + Send;
}

/// A conversation's messages a page at a time: at most `limit`, from `start` (the previous
/// page's position), and where the next page starts, `None` only when nothing follows.
pub trait MessageHistory: Sync {
    /// Newest first.
    fn newest_messages(
        &self,
        conversation_id: &str,
        limit: i32,
        start: Option<Position>,
    ) -> impl Future<Output = Result<(Vec<Message>, Option<Position>)>> + Send;

    /// The messages created or changed after `after_seq`, oldest change first, each in its
    /// current state.
    fn changed_messages(
        &self,
        conversation_id: &str,
        after_seq: u64,
        limit: i32,
        start: Option<Position>,
    ) -> impl Future<Output = Result<(Vec<Message>, Option<Position>)>> + Send;
}

/// Changes to stored messages, each one conditional write that takes the conversation's next
/// number. `None` is a condition that failed: the message changed since it was read (or is
/// gone), and the rule reads it again and decides. `seen` is the conversation's sequence as
/// the rule read it beside the message ([`MessageStore::read_sequence`]); without it the store
/// reads it first.
pub trait MessageChanges: MessageStore {
    /// Replaces the content if the message exists, is not deleted, `sender_id` sent it and its
    /// content is another.
    fn edit_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        content: &str,
        edited_at: &str,
        seen: Option<Self::Sequence>,
    ) -> impl Future<Output = Result<Option<Changed>>> + Send;

    /// Turns the message into a tombstone (no content, no files, the reactions of `emojis`
    /// gone) if `sender_id` sent it and it is still at `version`.
    fn tombstone_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        version: u64,
        emojis: &[&str],
        seen: Option<Self::Sequence>,
    ) -> impl Future<Output = Result<Option<Changed>>> + Send;

    /// Adds the reaction if the message is as it was read: not deleted, without this
    /// reaction, with (`new_emoji`: without) others of its emoji, and within its bounds.
    fn add_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        reaction: NewReaction<'_>,
        seen: Option<Self::Sequence>,
    ) -> impl Future<Output = Result<Option<Changed>>> + Send;

    /// Removes `user_id`'s reaction if it is there and (`last`) whether it is the only one of
    /// `emoji` is as it was read.
    fn remove_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        emoji: &str,
        user_id: &str,
        last: bool,
        seen: Option<Self::Sequence>,
    ) -> impl Future<Output = Result<Option<Changed>>> + Send;

    /// Adds `user_id` to `read_by` unless it is there or `read_by` holds `max_readers`.
    fn mark_read(
        &self,
        conversation_id: &str,
        ulid: &str,
        user_id: &str,
        max_readers: usize,
        seen: Option<Self::Sequence>,
    ) -> impl Future<Output = Result<Option<Changed>>> + Send;
}

/// How far each member has read: positions only ever move forward.
pub trait ReadPositions: Sync {
    fn advance_chat_read(
        &self,
        chat_id: &str,
        user_id: &str,
        number: u64,
    ) -> impl Future<Output = Result<()>> + Send;

    fn advance_direct_read(
        &self,
        user_id: &str,
        conversation_id: &str,
        number: u64,
    ) -> impl Future<Output = Result<()>> + Send;
}
