use super::MemoryStore;
use crate::chats::{AddMember, Chat, RemoveMember};
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::ids::ChatId;
use crate::ports::{ChatStore, Joining};

fn conversation_id(chat_id: &str) -> String {
    Conversation::Chat(ChatId::trusted(chat_id)).id()
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
