//! The ports kept in memory, for the rules' tests: no database, no network. Each conditional
//! write checks what the DynamoDB store's condition expression checks, in the same order of
//! precedence, so a rule sees the same outcomes from both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use crate::chats::{AddMember, Chat, RemoveMember};
use crate::error::{Error, Result};
use crate::ports::{ChatStore, ConversationCounters, Joining, UserDirectory};

#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    users: HashSet<String>,
    chats: BTreeMap<String, Chat>,
    /// (chat id, user id) → messages counted as read when the member joined.
    read_counts: HashMap<(String, String), u64>,
    message_counts: HashMap<String, u64>,
    member_counts: HashMap<String, u64>,
}

impl MemoryStore {
    pub fn with_users<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let store = Self::default();
        if let Ok(mut state) = store.state.lock() {
            state.users.extend(ids.into_iter().map(str::to_owned));
        }
        store
    }

    fn state(&self) -> Result<MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| Error::internal("the memory store's lock is poisoned"))
    }

    /// Pretends `count` messages were sent in the conversation.
    pub fn set_message_count(&self, conversation_id: &str, count: u64) -> Result<()> {
        self.state()?
            .message_counts
            .insert(conversation_id.to_owned(), count);
        Ok(())
    }

    /// The member count recorded for the conversation (how its events are pushed).
    pub fn member_count(&self, conversation_id: &str) -> Result<Option<u64>> {
        Ok(self.state()?.member_counts.get(conversation_id).copied())
    }

    /// What a member counted as read when it joined.
    pub fn read_count(&self, chat_id: &str, user_id: &str) -> Result<Option<u64>> {
        let key = (chat_id.to_owned(), user_id.to_owned());
        Ok(self.state()?.read_counts.get(&key).copied())
    }
}

fn conversation_id(chat_id: &str) -> String {
    format!("c.{chat_id}")
}

impl UserDirectory for MemoryStore {
    async fn user_exists(&self, user_id: &str) -> Result<bool> {
        Ok(self.state()?.users.contains(user_id))
    }

    async fn existing_user_ids(&self, user_ids: &[String]) -> Result<HashSet<String>> {
        let state = self.state()?;
        Ok(user_ids
            .iter()
            .filter(|id| state.users.contains(*id))
            .cloned()
            .collect())
    }
}

impl ChatStore for MemoryStore {
    async fn create_chat(&self, chat: &Chat) -> Result<()> {
        let mut state = self.state()?;
        if state.chats.contains_key(&chat.id) {
            return Err(Error::Conflict("the chat exists".into()));
        }
        for member in &chat.members {
            state
                .read_counts
                .insert((chat.id.clone(), member.clone()), 0);
        }
        state.chats.insert(chat.id.clone(), chat.clone());
        Ok(())
    }

    async fn get_chat(&self, chat_id: &str) -> Result<Option<Chat>> {
        Ok(self.state()?.chats.get(chat_id).cloned())
    }

    async fn add_member(&self, joining: &Joining<'_>) -> Result<AddMember> {
        let mut state = self.state()?;
        let Some(chat) = state.chats.get_mut(joining.chat_id) else {
            return Ok(AddMember::NoSuchChat);
        };
        if chat.has_member(joining.user_id) {
            return Ok(AddMember::AlreadyMember);
        }
        if chat.members.len() >= joining.max_members {
            return Ok(AddMember::Full);
        }
        if !chat.has_member(joining.added_by) {
            return Ok(AddMember::AdderNotMember);
        }
        chat.members.push(joining.user_id.to_owned());
        chat.members.sort();
        let key = (joining.chat_id.to_owned(), joining.user_id.to_owned());
        state.read_counts.insert(key, joining.read_count);
        *state
            .member_counts
            .entry(conversation_id(joining.chat_id))
            .or_default() += 1;
        Ok(AddMember::Added)
    }

    async fn remove_member(
        &self,
        chat_id: &str,
        user_id: &str,
        removed_by: &str,
    ) -> Result<RemoveMember> {
        let mut state = self.state()?;
        // The store deletes the membership item first: with no chat there is none either.
        let Some(chat) = state.chats.get_mut(chat_id) else {
            return Ok(RemoveMember::NotMember);
        };
        if !chat.has_member(user_id) {
            return Ok(RemoveMember::NotMember);
        }
        if removed_by != user_id && !chat.has_member(removed_by) {
            return Ok(RemoveMember::RemoverNotMember);
        }
        chat.members.retain(|m| m != user_id);
        let key = (chat_id.to_owned(), user_id.to_owned());
        state.read_counts.remove(&key);
        if let Some(count) = state.member_counts.get_mut(&conversation_id(chat_id)) {
            *count = count.saturating_sub(1);
        }
        Ok(RemoveMember::Removed)
    }
}

impl ConversationCounters for MemoryStore {
    async fn message_count(&self, conversation_id: &str) -> Result<u64> {
        Ok(self
            .state()?
            .message_counts
            .get(conversation_id)
            .copied()
            .unwrap_or(0))
    }

    async fn count_members(&self, conversation_id: &str, members: u64) -> Result<()> {
        *self
            .state()?
            .member_counts
            .entry(conversation_id.to_owned())
            .or_default() += members;
        Ok(())
    }
}
