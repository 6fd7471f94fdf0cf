//! The store as the rules see it: each port of `chat_core::ports` answered by the table
//! modules' methods, their `StoreError` turned into the rules' `Error` (see `From<StoreError>`).

use std::collections::HashSet;

use chat_core::chats::{AddMember, Chat, RemoveMember};
use chat_core::error::Result;
use chat_core::ports::{ChatStore, ConversationCounters, Joining, UserDirectory};

use super::Store;

impl UserDirectory for Store {
    async fn user_exists(&self, user_id: &str) -> Result<bool> {
        Ok(self.get_user(user_id).await?.is_some())
    }

    async fn existing_user_ids(&self, user_ids: &[String]) -> Result<HashSet<String>> {
        Ok(Store::existing_user_ids(self, user_ids).await?)
    }
}

impl ChatStore for Store {
    async fn create_chat(&self, chat: &Chat) -> Result<()> {
        Ok(Store::create_chat(self, chat).await?)
    }

    async fn get_chat(&self, chat_id: &str) -> Result<Option<Chat>> {
        Ok(Store::get_chat(self, chat_id).await?)
    }

    async fn add_member(&self, joining: &Joining<'_>) -> Result<AddMember> {
        Ok(Store::add_member(self, joining).await?)
    }

    async fn remove_member(
        &self,
        chat_id: &str,
        user_id: &str,
        removed_by: &str,
    ) -> Result<RemoveMember> {
        Ok(Store::remove_member(self, chat_id, user_id, removed_by).await?)
    }
}

impl ConversationCounters for Store {
    async fn message_count(&self, conversation_id: &str) -> Result<u64> {
        Ok(self.conversation(conversation_id).await?.message_count)
    }

    async fn count_members(&self, conversation_id: &str, members: u64) -> Result<()> {
        Ok(Store::count_members(self, conversation_id, members).await?)
    }
}
