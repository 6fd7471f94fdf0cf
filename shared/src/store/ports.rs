//! The store as the rules see it: each port of `chat_core::ports` answered by the table
//! modules' methods, their `StoreError` turned into the rules' `Error` (see `From<StoreError>`).

use std::collections::HashSet;

use chat_core::chats::{AddMember, Chat, RemoveMember};
use chat_core::error::Result;
use chat_core::messages::{Message, PutMessage};
use chat_core::ports::{
    Attach, ChatStore, ConversationCounters, Joining, MessageStore, UserDirectory,
};

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

    async fn is_member(&self, chat_id: &str, user_id: &str) -> Result<bool> {
        Ok(Store::is_member(self, chat_id, user_id).await?)
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

impl MessageStore for Store {
    async fn get_message(&self, conversation_id: &str, ulid: &str) -> Result<Option<Message>> {
        Ok(Store::get_message(self, conversation_id, ulid).await?)
    }

    async fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
    ) -> Result<PutMessage> {
        Ok(Store::put_message(self, message, client_message_id, attach).await?)
    }

    async fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> Result<Option<(String, String)>> {
        Ok(Store::idempotent_message(self, sender_id, client_message_id).await?)
    }
}
