//! Changes to messages in memory: each checks what the store's condition expression checks and
//! takes the conversation's next number, as the store's transaction does.

use super::{MemoryStore, State, take_number};
use crate::error::Result;
use crate::messages::{Changed, Message, NewReaction};
use crate::ports::{MessageChanges, ReadPositions};

impl MemoryStore {
    /// Applies `change` to the message if it returns true (it must leave the message alone
    /// otherwise), numbered with the conversation's next `seq`.
    fn change(
        &self,
        conversation_id: &str,
        ulid: &str,
        change: impl FnOnce(&mut Message) -> bool,
    ) -> Result<Option<Changed>> {
        let mut guard = self.state()?;
        let state: &mut State = &mut guard;
        let key = (conversation_id.to_owned(), ulid.to_owned());
        let Some(message) = state.messages.get_mut(&key) else {
            return Ok(None);
        };
        if !change(message) {
            return Ok(None);
        }
        let (seq, fanout) = take_number(&mut state.seqs, &state.member_counts, conversation_id);
        message.updated_seq = seq;
        message.fanout = fanout;
        Ok(Some(Changed {
            seq,
            fanout,
            message: message.clone(),
        }))
    }
}

impl MessageChanges for MemoryStore {
    async fn edit_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        content: &str,
        edited_at: &str,
        _seen: Option<()>,
    ) -> Result<Option<Changed>> {
        self.change(conversation_id, ulid, |message| {
            if message.deleted || message.sender_id != sender_id || message.content == content {
                return false;
            }
            message.content = content.to_owned();
            message.edited_at = Some(edited_at.to_owned());
            message.version += 1;
            true
        })
    }

    async fn tombstone_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        version: u64,
        emojis: &[&str],
        _seen: Option<()>,
    ) -> Result<Option<Changed>> {
        self.change(conversation_id, ulid, |message| {
            if message.sender_id != sender_id || message.version != version {
                return false;
            }
            message.deleted = true;
            message.content.clear();
            message.attachments.clear();
            message
                .reactions
                .retain(|emoji, _| !emojis.contains(&emoji.as_str()));
            message.version += 1;
            true
        })
    }

    async fn add_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        reaction: NewReaction<'_>,
        _seen: Option<()>,
    ) -> Result<Option<Changed>> {
        let NewReaction {
            emoji,
            user_id,
            new_emoji,
            bounds,
        } = reaction;
        self.change(conversation_id, ulid, |message| {
            let as_read = if new_emoji {
                !message.reactions.contains_key(emoji)
                    && message.reactions.len() < bounds.max_distinct
            } else {
                message.reactions.contains_key(emoji)
            };
            if message.deleted
                || message.has_reaction(emoji, user_id)
                || message.reaction_count() >= bounds.max_total
                || !as_read
            {
                return false;
            }
            let users = message.reactions.entry(emoji.to_owned()).or_default();
            users.push(user_id.to_owned());
            users.sort();
            message.version += 1;
            true
        })
    }

    async fn remove_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        emoji: &str,
        user_id: &str,
        last: bool,
        _seen: Option<()>,
    ) -> Result<Option<Changed>> {
        self.change(conversation_id, ulid, |message| {
            let Some(users) = message.reactions.get_mut(emoji) else {
                return false;
            };
            if !users.iter().any(|u| u == user_id) || (users.len() == 1) != last {
                return false;
            }
            users.retain(|u| u != user_id);
            message.reactions.retain(|_, users| !users.is_empty());
            message.version += 1;
            true
        })
    }

    async fn mark_read(
        &self,
        conversation_id: &str,
        ulid: &str,
        user_id: &str,
        max_readers: usize,
        _seen: Option<()>,
    ) -> Result<Option<Changed>> {
        self.change(conversation_id, ulid, |message| {
            if message.read_by.iter().any(|r| r == user_id) || message.read_by.len() >= max_readers
            {
                return false;
            }
            message.read_by.push(user_id.to_owned());
            message.read_by.sort();
            true
        })
    }
}

impl ReadPositions for MemoryStore {
    async fn advance_chat_read(&self, chat_id: &str, user_id: &str, number: u64) -> Result<()> {
        let mut state = self.state()?;
        if let Some(position) = state
            .read_counts
            .get_mut(&(chat_id.to_owned(), user_id.to_owned()))
        {
            *position = (*position).max(number);
        }
        Ok(())
    }

    async fn advance_direct_read(
        &self,
        user_id: &str,
        conversation_id: &str,
        number: u64,
    ) -> Result<()> {
        let key = (conversation_id.to_owned(), user_id.to_owned());
        let mut state = self.state()?;
        let position = state.direct_reads.entry(key).or_default();
        *position = (*position).max(number);
        Ok(())
    }
}
