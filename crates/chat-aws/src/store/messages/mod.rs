//! The messages table (key `conversation_id`, `message_id`). `message_id` is a ULID, so a
//! conversation's history is one Query in either direction. Reactions are in [`reactions`],
//! the item's shape in [`item`].
//!
//! Idempotency items share the table: `conversation_id = idem#<sender>#<client_message_id>`,
//! `message_id = idem`, pointing at the message the first send stored in the same transaction.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{Put, ReturnConsumedCapacity, TransactWriteItem};
use chat_core::conversation::Fanout;
use chat_core::messages::{Message, PutMessage};
use chat_core::paging::Position;
use chat_core::ports::Attach;

use super::chats::member_read_position;
use super::conversations::{Advance, ConversationState, Sequenced};
use super::inbox::direct_entries;
use super::items::{key_at, n, position_of, req_s, s, split_page};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

mod changes;
mod reactions;

use changes::UpdateSpec;
pub(crate) use changes::changed_unless_condition_failed;
pub use reactions::reaction_attribute;

mod item;

pub use item::{CHANGE_INDEX, LastChange, RecordedChange, recorded_change};
use item::{
    FANOUT, IDEMPOTENCY_SORT_KEY, LAST_CHANGE, UPDATED_SEQ, fanout_of, idempotency_key, message_key,
};
pub(crate) use item::{message_from_item, message_item};

const HISTORY_PAGE_KEY: [&str; 2] = ["conversation_id", "message_id"];
const CHANGE_PAGE_KEY: [&str; 3] = ["conversation_id", "message_id", UPDATED_SEQ];

impl Store {
    /// Stores a new message with the conversation's next number, in one transaction with: the
    /// step of the conversation's sequence, the sender's read position (a chat's member item,
    /// whose existence is the membership check; a direct conversation's two inbox entries),
    /// the idempotency marker of `client_message_id`, and the attachments flipped to attached.
    /// On success `message` carries its `seq`, `updated_seq` and `number`. `seen` is the
    /// conversation's state as the caller read it, if it did: the first attempt starts from it.
    pub async fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
        seen: Option<ConversationState>,
    ) -> StoreResult<PutMessage> {
        let mut number = 0;
        let mut fanout = Fanout::Inline;
        let mut members_version = None;
        let stored = self
            .sequenced(&message.conversation_id.clone(), seen, |state| {
                number = state.message_count + 1;
                let mut numbered = message.clone();
                numbered.seq = state.next_seq();
                numbered.updated_seq = state.next_seq();
                numbered.number = number;
                numbered.fanout = fanout_of(state);
                numbered.members_version = state.members_version_of_chat();
                fanout = numbered.fanout;
                members_version = numbered.members_version;
                let items = self.new_message_items(&numbered, client_message_id, attach)?;
                Ok((items, Advance::Message(numbered.ulid.clone())))
            })
            .await?;
        match stored {
            Sequenced::Stored(seq) => {
                message.seq = seq;
                message.updated_seq = seq;
                message.number = number;
                message.fanout = fanout;
                message.members_version = members_version;
                Ok(PutMessage::Stored)
            }
            Sequenced::Refused(outcome) => Ok(outcome),
        }
    }

    fn new_message_items(
        &self,
        message: &Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
    ) -> StoreResult<Vec<(TransactWriteItem, PutMessage)>> {
        let table = &self.tables.messages;
        let mut item = message_item(message);
        item.insert(
            LAST_CHANGE.into(),
            LastChange::of("message.created", None, None).value(),
        );
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(message_id)")
            .build()
            .map_err(corrupt)?;
        let mut items = vec![(
            TransactWriteItem::builder().put(put).build(),
            PutMessage::IdTaken,
        )];
        match (&message.chat_id, &message.recipient_id) {
            (Some(chat_id), _) => items.push((
                member_read_position(
                    &self.tables.chats,
                    chat_id,
                    &message.sender_id,
                    message.number,
                )?,
                PutMessage::NotMember,
            )),
            (None, Some(recipient)) => {
                for entry in direct_entries(&self.tables.inbox, message, recipient)? {
                    // Unconditional upserts: they cannot fail a condition.
                    items.push((entry, PutMessage::IdTaken));
                }
            }
            (None, None) => return Err(corrupt("a message with neither chat nor recipient")),
        }
        if let Some(key) = client_message_id {
            let marker = Put::builder()
                .table_name(table)
                .item(
                    "conversation_id",
                    s(idempotency_key(&message.sender_id, key)),
                )
                .item("message_id", s(IDEMPOTENCY_SORT_KEY))
                .item("target_conversation_id", s(&message.conversation_id))
                .item("target_message_id", s(&message.ulid))
                .condition_expression("attribute_not_exists(message_id)")
                .build()
                .map_err(corrupt)?;
            items.push((
                TransactWriteItem::builder().put(marker).build(),
                PutMessage::DuplicateKey,
            ));
        }
        if let Some(attach) = attach.filter(|a| !a.uploads.is_empty()) {
            items.extend(self.attach_items(
                &message.sender_id,
                &message.id,
                attach.uploads,
                PutMessage::AttachmentRefused,
            )?);
        }
        Ok(items)
    }

    /// The (conversation id, message ULID) the sender's first send with this key stored.
    pub async fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> StoreResult<Option<(String, String)>> {
        let key = message_key(
            &idempotency_key(sender_id, client_message_id),
            IDEMPOTENCY_SORT_KEY,
        );
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.messages)
            .set_key(Some(key))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        out.item
            .map(|item| {
                Ok((
                    req_s(&item, "target_conversation_id")?,
                    req_s(&item, "target_message_id")?,
                ))
            })
            .transpose()
    }

    pub async fn get_message(
        &self,
        conversation_id: &str,
        ulid: &str,
    ) -> StoreResult<Option<Message>> {
        let key = message_key(conversation_id, ulid);
        let item = self.get_item(&self.tables.messages, key).await?;
        item.as_ref().map(message_from_item).transpose()
    }

    /// The messages of `keys` (conversation id, ULID) that exist, in no particular order:
    /// strongly consistent BatchGetItems of 100.
    pub async fn get_messages(&self, keys: &[(String, String)]) -> StoreResult<Vec<Message>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys = keys
            .iter()
            .map(|(conversation_id, ulid)| message_key(conversation_id, ulid))
            .collect();
        self.batch_get(&self.tables.messages, keys, true, &[])
            .await?
            .iter()
            .map(message_from_item)
            .collect()
    }

    /// One page of a conversation, newest first: one Query of `limit + 1` items.
    pub async fn history(
        &self,
        conversation_id: &str,
        limit: i32,
        start: Option<Position>,
    ) -> StoreResult<(Vec<Message>, Option<Position>)> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.messages)
            .key_condition_expression("conversation_id = :c")
            .expression_attribute_values(":c", s(conversation_id))
            .scan_index_forward(false);
        self.message_page(query, limit, start, &HISTORY_PAGE_KEY)
            .await
    }

    /// A conversation's messages created or changed after `after_seq`, oldest change first,
    /// each in its current state: one strongly consistent Query of [`CHANGE_INDEX`].
    pub async fn changes_after(
        &self,
        conversation_id: &str,
        after_seq: u64,
        limit: i32,
        start: Option<Position>,
    ) -> StoreResult<(Vec<Message>, Option<Position>)> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.messages)
            .index_name(CHANGE_INDEX)
            .key_condition_expression("conversation_id = :c AND #updated_seq > :after")
            .expression_attribute_names("#updated_seq", UPDATED_SEQ)
            .expression_attribute_values(":c", s(conversation_id))
            .expression_attribute_values(":after", n(after_seq))
            .scan_index_forward(true);
        self.message_page(query, limit, start, &CHANGE_PAGE_KEY)
            .await
    }

    /// Runs `query` (strongly consistent, `limit + 1` items from `start`) as one page of
    /// messages; `page_key` names the attributes of its cursor.
    async fn message_page(
        &self,
        query: QueryFluentBuilder,
        limit: i32,
        start: Option<Position>,
        page_key: &[&str],
    ) -> StoreResult<(Vec<Message>, Option<Position>)> {
        let out = query
            .limit(limit.saturating_add(1))
            .set_exclusive_start_key(start.map(key_at))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        let (items, next) = split_page(
            out.items.unwrap_or_default(),
            limit,
            out.last_evaluated_key,
            page_key,
        );
        let messages = items
            .iter()
            .map(message_from_item)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((messages, next.map(position_of)))
    }
}
