//! The inbox table (key `user_id`, `conversation_id`): one entry per direct conversation of a
//! user, with the peer and the user's read position `read_count` (the number of the last message
//! it has read). A chat's read positions live on its membership items instead (see
//! [`super::chats`]), which exist exactly while the user is a member.
//!
//! Nothing here is written per message for anybody but the sender: a send moves the sender's
//! position (sending means having read the conversation) and, in a direct conversation,
//! creates the recipient's entry the first time. Unread counts are the conversation's message
//! count minus the position.

use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TransactWriteItem, Update};
use chat_core::messages::Message;

use super::items::{Item, n, opt_n, req_s, s};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

const READ_COUNT: &str = "read_count";

/// A user's direct conversation as its inbox entry has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectEntry {
    pub conversation_id: String,
    pub peer_id: String,
    pub read_count: u64,
}

fn entry_key(user_id: &str, conversation_id: &str) -> Item {
    Item::from([
        ("user_id".to_owned(), s(user_id)),
        ("conversation_id".to_owned(), s(conversation_id)),
    ])
}

/// The send's writes to a direct conversation's two entries: the sender has read up to its
/// message; the recipient's entry exists (its position untouched, 0 when new).
pub(crate) fn direct_entries(
    table: &str,
    message: &Message,
    recipient: &str,
) -> StoreResult<Vec<TransactWriteItem>> {
    let entry = |user: &str, peer: &str, position: &str, value: u64| {
        Update::builder()
            .table_name(table)
            .set_key(Some(entry_key(user, &message.conversation_id)))
            .update_expression(format!(
                "SET #kind = :direct, #peer = :peer, #read = {position}"
            ))
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#peer", "peer_id")
            .expression_attribute_names("#read", READ_COUNT)
            .expression_attribute_values(":direct", s("direct"))
            .expression_attribute_values(":peer", s(peer))
            .expression_attribute_values(":position", n(value))
            .build()
            .map(|update| TransactWriteItem::builder().update(update).build())
            .map_err(corrupt)
    };
    Ok(vec![
        entry(&message.sender_id, recipient, ":position", message.number)?,
        entry(
            recipient,
            &message.sender_id,
            "if_not_exists(#read, :position)",
            0,
        )?,
    ])
}

fn direct_entry(item: &Item) -> StoreResult<DirectEntry> {
    Ok(DirectEntry {
        conversation_id: req_s(item, "conversation_id")?,
        peer_id: req_s(item, "peer_id")?,
        read_count: opt_n(item, READ_COUNT)?.unwrap_or(0),
    })
}

impl Store {
    /// `user_id`'s direct conversations, at most `max` (one Query, pages followed).
    pub async fn direct_conversations(
        &self,
        user_id: &str,
        max: usize,
    ) -> StoreResult<Vec<DirectEntry>> {
        let mut entries = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.tables.inbox)
                .key_condition_expression("user_id = :u")
                // Chat entries of earlier versions have no peer.
                .filter_expression("attribute_exists(peer_id)")
                .expression_attribute_values(":u", s(user_id))
                .limit(i32::try_from(max.saturating_sub(entries.len())).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            capacity::read(out.consumed_capacity());
            for item in out.items() {
                entries.push(direct_entry(item)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() || entries.len() >= max {
                entries.truncate(max);
                return Ok(entries);
            }
        }
    }

    /// Moves `user_id`'s read position in a direct conversation forward to `number` (never
    /// back). Best effort after the read mark is stored: a failed condition is no error.
    pub async fn advance_direct_read(
        &self,
        user_id: &str,
        conversation_id: &str,
        number: u64,
    ) -> StoreResult<()> {
        let key = entry_key(user_id, conversation_id);
        self.advance_read_position(&self.tables.inbox, key, "user_id", number)
            .await
    }

    /// `SET read_count = :number` on the item of `key` if it exists (`key_attribute` is one of
    /// its key's) and its position is behind; otherwise nothing, and no error.
    pub(crate) async fn advance_read_position(
        &self,
        table: &str,
        key: Item,
        key_attribute: &str,
        number: u64,
    ) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(key))
            .update_expression("SET #read = :number")
            .condition_expression(
                "attribute_exists(#key) AND (attribute_not_exists(#read) OR #read < :number)",
            )
            .expression_attribute_names("#key", key_attribute)
            .expression_attribute_names("#read", READ_COUNT)
            .expression_attribute_values(":number", n(number))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result.map_err(StoreError::from_sdk) {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(())
            }
            Err(StoreError::ConditionFailed) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// The peers of at most `limit` of `user_id`'s direct conversations: Queries that read at
    /// most `limit` entries, whatever the size of the inbox.
    pub async fn direct_peers(&self, user_id: &str, limit: i32) -> StoreResult<Vec<String>> {
        let max = usize::try_from(limit).unwrap_or(0);
        Ok(self
            .direct_conversations(user_id, max)
            .await?
            .into_iter()
            .map(|entry| entry.peer_id)
            .collect())
    }
}
