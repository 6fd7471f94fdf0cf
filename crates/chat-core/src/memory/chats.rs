use std::time::SystemTime;

use super::{MemoryStore, State};
use crate::chats::{AddMember, Chat, CreateChat, RemoveMember};
use crate::conversation::Conversation;
use crate::error::Result;
use crate::idempotency::Remembered;
use crate::ids::ChatId;
use crate::ports::{ChatStore, Joining};
use crate::time::unix_seconds;

fn conversation_id(chat_id: &str) -> String {
    Conversation::Chat(ChatId::trusted(chat_id)).id()
}

/// Whether `remember`'s key is taken by a live record (the store's put condition).
fn key_used(state: &State, remember: Option<&Remembered>) -> bool {
    let now = unix_seconds(SystemTime::now());
    remember.is_some_and(|r| {
        let key = (r.owner.clone(), r.key.clone());
        state
            .remembered
            .get(&key)
            .is_some_and(|old| old.expires_at > now)
    })
}

fn keep(state: &mut State, remember: Option<&Remembered>) {
    if let Some(r) = remember {
        let key = (r.owner.clone(), r.key.clone());
        state.remembered.insert(key, r.clone());
    }
}

impl ChatStore for MemoryStore {
    async fn create_chat(&self, chat: &Chat) -> Result<CreateChat> {
        let mut state = self.state()?;
        if state.chats.contains_key(&chat.id) {
            return Ok(CreateChat::Exists);
        }
        for member in &chat.members {
            state
                .read_counts
                .insert((chat.id.clone(), member.clone()), 0);
        }
        state.chats.insert(chat.id.clone(), chat.clone());
        Ok(CreateChat::Created)
    }

    async fn remember(&self, record: &Remembered) -> Result<bool> {
        let mut state = self.state()?;
        if key_used(&state, Some(record)) {
            return Ok(false);
        }
        keep(&mut state, Some(record));
        Ok(true)
    }

    async fn remembered(&self, owner: &str, key: &str, now: u64) -> Result<Option<Remembered>> {
        let state = self.state()?;
        let found = state.remembered.get(&(owner.to_owned(), key.to_owned()));
        Ok(found.filter(|r| r.expires_at > now).cloned())
    }

    async fn get_chat(&self, chat_id: &str) -> Result<Option<Chat>> {
        Ok(self.state()?.chats.get(chat_id).cloned())
    }

    async fn is_member(&self, chat_id: &str, user_id: &str) -> Result<bool> {
        let state = self.state()?;
        Ok(state
            .chats
            .get(chat_id)
            .is_some_and(|c| c.has_member(user_id)))
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
        if key_used(&state, joining.remember) {
            return Ok(AddMember::KeyUsed);
        }
        keep(&mut state, joining.remember);
        let Some(chat) = state.chats.get_mut(joining.chat_id) else {
            return Ok(AddMember::NoSuchChat);
        };
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
        remember: Option<&Remembered>,
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
        if key_used(&state, remember) {
            return Ok(RemoveMember::KeyUsed);
        }
        keep(&mut state, remember);
        let Some(chat) = state.chats.get_mut(chat_id) else {
            return Ok(RemoveMember::NotMember);
        };
        chat.members.retain(|m| m != user_id);
        let key = (chat_id.to_owned(), user_id.to_owned());
        state.read_counts.remove(&key);
        if let Some(count) = state.member_counts.get_mut(&conversation_id(chat_id)) {
            *count = count.saturating_sub(1);
        }
        Ok(RemoveMember::Removed)
    }
}
