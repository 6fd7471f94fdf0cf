//! The conversations table (key `conversation_id`): per conversation its sequence `seq` (the
//! number of its last change), `message_count` and `last_activity` (the last message's ULID).
//!
//! Every change of a conversation (a new message, an edit, a deletion, a reaction, a read mark)
//! takes the next number in the transaction that stores it: the transaction sets `seq` on the
//! condition that it still holds the number read just before. A failed change therefore takes
//! no number, and the numbers have no gaps. Two changes racing for a number: the loser reads
//! again and retries, so a conversation's changes are serialised on this one item (a hot chat
//! is bounded by what one item takes, about 1,000 writes a second on DynamoDB).

use std::time::Duration;

use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TransactWriteItem, Update};
use chat_core::conversation::{Conversation, ConversationKind};

use super::items::{Item, n, opt_n, opt_s, s};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

/// A change retries this often when other changes of the conversation keep taking the number it
/// read; each retry means another change succeeded, so only a flood of one conversation ends
/// it (503, retry later).
const SEQ_ATTEMPTS: u32 = 30;

/// What a change reads before it takes the next number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationState {
    pub conversation_id: String,
    /// The last change's number; 0 before the first message.
    pub seq: u64,
    pub message_count: u64,
    /// The last message's ULID.
    pub last_activity: Option<String>,
    /// A chat's members (kept by the membership changes); `None` for direct conversations and
    /// chats that never counted.
    pub member_count: Option<u64>,
    /// A chat's membership changes so far (each adds one, here and on the chat's meta item, in
    /// its transaction); 0 for direct conversations. A change holds it in its condition, so it
    /// is stored only while the members are those of this version.
    pub members_version: u64,
}

impl ConversationState {
    /// The membership version a change stored from this state is stored at: a chat's, `None`
    /// for a direct conversation.
    pub fn members_version_of_chat(&self) -> Option<u64> {
        let chat = Conversation::parse(&self.conversation_id)
            .is_some_and(|c| c.kind() == ConversationKind::Chat);
        chat.then_some(self.members_version)
    }

    /// The number the next change takes.
    pub fn next_seq(&self) -> u64 {
        self.seq + 1
    }
}

/// What taking the next number in a transaction also records.
#[derive(Debug, Clone)]
pub(crate) enum Advance {
    /// A change to an existing message.
    Change,
    /// A new message with this ULID: it is the conversation's last one and counts.
    Message(String),
}

/// How a sequenced transaction ended.
#[derive(Debug)]
pub(crate) enum Sequenced<F> {
    /// Stored with this number.
    Stored(u64),
    /// One of the change's own items failed its condition: its meaning.
    Refused(F),
}

const MEMBER_COUNT: &str = "member_count";
pub(crate) const MEMBERS_VERSION: &str = "members_version";

/// A transaction item that counts `delta` more members of a chat's conversation and steps its
/// membership version (a membership change writes it with the membership).
pub(crate) fn member_count_item(
    table: &str,
    conversation_id: &str,
    delta: i64,
) -> StoreResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(conversation_id)))
        .update_expression("ADD #members :delta, #version :one")
        .expression_attribute_names("#members", MEMBER_COUNT)
        .expression_attribute_names("#version", MEMBERS_VERSION)
        .expression_attribute_values(":delta", n(delta))
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

fn key(conversation_id: &str) -> Item {
    Item::from([("conversation_id".to_owned(), s(conversation_id))])
}

fn state_from_item(conversation_id: &str, item: Option<&Item>) -> StoreResult<ConversationState> {
    let Some(item) = item else {
        return Ok(ConversationState {
            conversation_id: conversation_id.to_owned(),
            ..ConversationState::default()
        });
    };
    Ok(ConversationState {
        conversation_id: conversation_id.to_owned(),
        seq: opt_n(item, "seq")?.unwrap_or(0),
        message_count: opt_n(item, "message_count")?.unwrap_or(0),
        last_activity: opt_s(item, "last_activity").map(str::to_owned),
        member_count: opt_n(item, MEMBER_COUNT)?,
        members_version: opt_n(item, MEMBERS_VERSION)?.unwrap_or(0),
    })
}

impl Store {
    /// The conversation's current numbers (zeros before its first message): one strongly
    /// consistent GetItem.
    pub async fn conversation(&self, conversation_id: &str) -> StoreResult<ConversationState> {
        let item = self
            .get_item(&self.tables.conversations, key(conversation_id))
            .await?;
        state_from_item(conversation_id, item.as_ref())
    }

    /// The states of `ids` (strongly consistent BatchGetItems of 100); every id gets one.
    pub async fn conversations(&self, ids: &[String]) -> StoreResult<Vec<ConversationState>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids.iter().map(|id| key(id)).collect();
        let found = self
            .batch_get(&self.tables.conversations, keys, true, &[])
            .await?;
        let mut states: Vec<ConversationState> = found
            .iter()
            .filter_map(|item| {
                let id = opt_s(item, "conversation_id")?.to_owned();
                Some(state_from_item(&id, Some(item)))
            })
            .collect::<StoreResult<_>>()?;
        for id in ids {
            if !states.iter().any(|s| &s.conversation_id == id) {
                states.push(state_from_item(id, None)?);
            }
        }
        Ok(states)
    }

    /// Counts a new chat's members (after the chat's own transaction, which holds 100 items
    /// already). Should it fail, the chat has no count and its events go through the stream,
    /// which serves any size.
    pub async fn count_members(&self, conversation_id: &str, count: u64) -> StoreResult<()> {
        let out = self
            .client
            .update_item()
            .table_name(&self.tables.conversations)
            .set_key(Some(key(conversation_id)))
            .update_expression("ADD #members :count")
            .expression_attribute_names("#members", MEMBER_COUNT)
            .expression_attribute_values(":count", n(count))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::write(out.consumed_capacity());
        Ok(())
    }

    /// Runs the transaction `build` makes for the conversation's current state, together with
    /// the step to its next number; reads and retries while other changes take that number
    /// first. `build` gets the state the change starts from: `seen` (read by the caller beside
    /// its other reads, so that the change costs one round trip) on the first attempt, when
    /// there is one.
    pub(crate) async fn sequenced<F>(
        &self,
        conversation_id: &str,
        mut seen: Option<ConversationState>,
        mut build: impl FnMut(&ConversationState) -> StoreResult<(Vec<(TransactWriteItem, F)>, Advance)>,
    ) -> StoreResult<Sequenced<F>> {
        for attempt in 0..SEQ_ATTEMPTS {
            let state = match seen.take() {
                Some(state) if state.conversation_id == conversation_id => state,
                _ => self.conversation(conversation_id).await?,
            };
            let (items, advance) = build(&state)?;
            let step = self.step_item(&state, advance)?;
            // `None` marks the step: its condition failing means "raced", nothing of the change's.
            let mut all: Vec<(TransactWriteItem, Option<F>)> = vec![(step, None)];
            all.extend(
                items
                    .into_iter()
                    .map(|(item, meaning)| (item, Some(meaning))),
            );
            match self.transact_or(all).await? {
                None => return Ok(Sequenced::Stored(state.next_seq())),
                Some(Some(meaning)) => return Ok(Sequenced::Refused(meaning)),
                Some(None) => {
                    // Spread the losers out so they do not collide on the next number as well.
                    let backoff = rand::random_range(0..=2 + 2 * u64::from(attempt));
                    tokio::time::sleep(Duration::from_millis(backoff)).await;
                }
            }
        }
        Err(StoreError::Unavailable(
            format!("conversation {conversation_id} is too busy: every attempt lost its number")
                .into(),
        ))
    }

    /// The transaction item that moves the conversation from `state` to its next number.
    fn step_item(
        &self,
        state: &ConversationState,
        advance: Advance,
    ) -> StoreResult<TransactWriteItem> {
        let mut update = "SET #seq = :next".to_owned();
        let mut builder = Update::builder()
            .table_name(&self.tables.conversations)
            .set_key(Some(key(&state.conversation_id)))
            .expression_attribute_names("#seq", "seq")
            .expression_attribute_values(":next", n(state.next_seq()));
        if let Advance::Message(ulid) = advance {
            update.push_str(", #count = :count, #last = :last");
            builder = builder
                .expression_attribute_names("#count", "message_count")
                .expression_attribute_names("#last", "last_activity")
                .expression_attribute_values(":count", n(state.message_count + 1))
                .expression_attribute_values(":last", s(ulid));
        }
        // The membership too: a member added or removed since `state` was read fails the
        // change, which then starts again from the new state (and its audience).
        let seq = if state.seq == 0 {
            "attribute_not_exists(#seq)"
        } else {
            builder = builder.expression_attribute_values(":seen", n(state.seq));
            "#seq = :seen"
        };
        let members = if state.members_version == 0 {
            "attribute_not_exists(#version)"
        } else {
            builder = builder.expression_attribute_values(":version", n(state.members_version));
            "#version = :version"
        };
        builder = builder
            .expression_attribute_names("#version", MEMBERS_VERSION)
            .condition_expression(format!("{seq} AND {members}"));
        let update = builder.update_expression(update).build().map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
