use std::future::Future;

use crate::chats::{AddMember, Chat, CreateChat, RemoveMember};
use crate::error::Result;
use crate::idempotency::Remembered;

/// A member about to join a chat, and the bound its chat must stay within.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joining<'a> {
    pub chat_id: &'a str,
    pub user_id: &'a str,
    /// A member of the chat: the write checks that it still is.
    pub added_by: &'a str,
    pub joined_at: &'a str,
    /// Messages of the chat the newcomer counts as read: the history before joining.
    pub read_count: u64,
    pub max_members: usize,
    /// A keyed request's record, written with the change or not at all.
    pub remember: Option<&'a Remembered>,
}

/// Chats and their members; every change one conditional write.
pub trait ChatStore: Sync {
    /// Stores a new chat and every member at once; nothing when a chat of its id exists.
    fn create_chat(&self, chat: &Chat) -> impl Future<Output = Result<CreateChat>> + Send;

    /// Stores a keyed request's record on its own, unless a live record of its key exists
    /// (`false`).
    fn remember(&self, record: &Remembered) -> impl Future<Output = Result<bool>> + Send;

    /// The live record of `owner`'s idempotency `key` (strongly consistent); none once it
    /// expired at `now` (Unix seconds), whether or not the database has deleted it yet.
    fn remembered(
        &self,
        owner: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<Remembered>>> + Send;

    /// The chat, strongly consistent.
    fn get_chat(&self, chat_id: &str) -> impl Future<Output = Result<Option<Chat>>> + Send;

    /// Whether `user_id` is a member of the chat (one strongly consistent read of its
    /// membership, never the member set).
    fn is_member(&self, chat_id: &str, user_id: &str) -> impl Future<Output = Result<bool>> + Send;

    fn add_member(&self, joining: &Joining<'_>) -> impl Future<Output = Result<AddMember>> + Send;

    fn remove_member(
        &self,
        chat_id: &str,
        user_id: &str,
        removed_by: &str,
        remember: Option<&Remembered>,
    ) -> impl Future<Output = Result<RemoveMember>> + Send;
}
