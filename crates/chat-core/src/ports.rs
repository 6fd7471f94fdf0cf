//! What the rules need from outside, as small traits that the adapters implement: the
//! DynamoDB store in production, [`crate::memory`] in the rules' own tests. Each trait is one
//! capability, so a rule's bounds say what it touches; the rules take them as generics, so a
//! function links only the methods it calls (no vtable of every method in every function).
//!
//! Every method answers in the rules' vocabulary: their types, their outcomes, their
//! [`Error`](crate::error::Error). A failing dependency is `Error::Unavailable`; an outcome a
//! conditional write decides (a full chat, a member added concurrently) is a value, never an
//! error, so the rule chooses what the client hears.

use std::collections::HashSet;
use std::future::Future;

use crate::chats::{AddMember, Chat, RemoveMember};
use crate::error::Result;

/// Accounts, as far as other rules need them.
pub trait UserDirectory: Sync {
    /// Whether `user_id` names an account (a strongly consistent read).
    fn user_exists(&self, user_id: &str) -> impl Future<Output = Result<bool>> + Send;

    /// The ids among `user_ids` that name an account.
    fn existing_user_ids(
        &self,
        user_ids: &[String],
    ) -> impl Future<Output = Result<HashSet<String>>> + Send;
}

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
}

/// Chats and their members; every change one conditional write.
pub trait ChatStore: Sync {
    /// Stores a new chat and every member at once.
    fn create_chat(&self, chat: &Chat) -> impl Future<Output = Result<()>> + Send;

    /// The chat, strongly consistent.
    fn get_chat(&self, chat_id: &str) -> impl Future<Output = Result<Option<Chat>>> + Send;

    fn add_member(&self, joining: &Joining<'_>) -> impl Future<Output = Result<AddMember>> + Send;

    fn remove_member(
        &self,
        chat_id: &str,
        user_id: &str,
        removed_by: &str,
    ) -> impl Future<Output = Result<RemoveMember>> + Send;
}

/// The per-conversation counters beside the messages.
pub trait ConversationCounters: Sync {
    /// Messages stored in the conversation so far.
    fn message_count(&self, conversation_id: &str) -> impl Future<Output = Result<u64>> + Send;

    /// Records a chat's member count, which decides how its events are pushed.
    fn count_members(
        &self,
        conversation_id: &str,
        members: u64,
    ) -> impl Future<Output = Result<()>> + Send;
}
