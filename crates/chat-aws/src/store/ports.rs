//! The store as the rules see it: each port of `chat_core::ports` answered by the table
//! modules' methods, their `StoreError` turned into the rules' `Error` (see `From<StoreError>`).

use std::collections::HashSet;

use chat_core::chats::{AddMember, Chat, CreateChat, RemoveMember};
use chat_core::error::Result;
use chat_core::idempotency::Remembered;
use chat_core::messages::{Changed, Message, NewReaction, PutMessage};
use chat_core::ports::{
    Attach, ChatStore, ConversationCounters, Joining, MessageChanges, MessageStore, ReadPositions,
    UserDirectory,
};

use super::Store;
use super::conversations::ConversationState;
use super::messages::changed_unless_condition_failed;

impl UserDirectory for Store {
    async fn user_exists(&self, user_id: &str) -> Result<bool> {
        Ok(self.get_user(user_id).await?.is_some())
    }

    async fn existing_user_ids(&self, user_ids: &[String]) -> Result<HashSet<String>> {
        Ok(Store::existing_user_ids(self, user_ids).await?)
    }
}

impl ChatStore for Store {
    async fn create_chat(&self, chat: &Chat) -> Result<CreateChat> {
        Ok(Store::create_chat(self, chat).await?)
    }

    async fn remember(&self, record: &Remembered) -> Result<bool> {
        Ok(Store::remember(self, record).await?)
    }

    async fn remembered(&self, owner: &str, key: &str, now: u64) -> Result<Option<Remembered>> {
        Ok(Store::remembered(self, owner, key, now).await?)
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
        remember: Option<&Remembered>,
    ) -> Result<RemoveMember> {
        Ok(Store::remove_member(self, chat_id, user_id, removed_by, remember).await?)
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
    type Sequence = ConversationState;

    async fn read_sequence(&self, conversation_id: &str) -> Result<ConversationState> {
        Ok(self.conversation(conversation_id).await?)
    }

    async fn get_message(&self, conversation_id: &str, ulid: &str) -> Result<Option<Message>> {
        Ok(Store::get_message(self, conversation_id, ulid).await?)
    }

    async fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
        seen: ConversationState,
    ) -> Result<PutMessage> {
        Ok(Store::put_message(self, message, client_message_id, attach, Some(seen)).await?)
    }

    async fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> Result<Option<(String, String)>> {
        Ok(Store::idempotent_message(self, sender_id, client_message_id).await?)
    }
}

impl MessageChanges for Store {
    async fn edit_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        content: &str,
        edited_at: &str,
        seen: Option<ConversationState>,
    ) -> Result<Option<Changed>> {
        let edited = Store::edit_message(
            self,
            conversation_id,
            ulid,
            sender_id,
            content,
            edited_at,
            seen,
        )
        .await;
        Ok(changed_unless_condition_failed(edited)?)
    }

    async fn tombstone_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        version: u64,
        emojis: &[&str],
        seen: Option<ConversationState>,
    ) -> Result<Option<Changed>> {
        let tombstoned = Store::tombstone_message(
            self,
            conversation_id,
            ulid,
            sender_id,
            version,
            emojis,
            seen,
        )
        .await;
        Ok(changed_unless_condition_failed(tombstoned)?)
    }

    async fn add_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        reaction: NewReaction<'_>,
        seen: Option<ConversationState>,
    ) -> Result<Option<Changed>> {
        Ok(Store::add_reaction(self, conversation_id, ulid, reaction, seen).await?)
    }

    async fn remove_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        emoji: &str,
        user_id: &str,
        last: bool,
        seen: Option<ConversationState>,
    ) -> Result<Option<Changed>> {
        let removed =
            Store::remove_reaction(self, conversation_id, ulid, emoji, user_id, last, seen);
        Ok(removed.await?)
    }

    async fn mark_read(
        &self,
        conversation_id: &str,
        ulid: &str,
        user_id: &str,
        max_readers: usize,
        seen: Option<ConversationState>,
    ) -> Result<Option<Changed>> {
        Ok(Store::mark_read(self, conversation_id, ulid, user_id, max_readers, seen).await?)
    }
}

impl ReadPositions for Store {
    async fn advance_chat_read(&self, chat_id: &str, user_id: &str, number: u64) -> Result<()> {
        Ok(Store::advance_chat_read(self, chat_id, user_id, number).await?)
    }

    async fn advance_direct_read(
        &self,
        user_id: &str,
        conversation_id: &str,
        number: u64,
    ) -> Result<()> {
        Ok(Store::advance_direct_read(self, user_id, conversation_id, number).await?)
    }
}
