//! Changes to stored messages (edits, tombstones, read marks; reactions are in `reactions`):
//! each an update of the message in one transaction with the step of its conversation's
//! sequence, so that it takes the next number or nothing.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chat_core::conversation::{Conversation, ConversationKind, Fanout};
use chat_core::messages::Changed;

use super::{
    FANOUT, LAST_CHANGE, LastChange, UPDATED_SEQ, fanout_of, message_key, reaction_attribute,
};
use crate::store::conversations::{Advance, ConversationState, MEMBERS_VERSION, Sequenced};
use crate::store::items::{n, s};
use crate::store::{Store, StoreError, StoreResult, corrupt};

impl Store {
    /// Replaces the content if the message exists, is not deleted, `sender_id` sent it and
    /// its content is another; otherwise `ConditionFailed`.
    pub async fn edit_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        content: &str,
        edited_at: &str,
        seen: Option<ConversationState>,
    ) -> StoreResult<Changed> {
        self.update_message(
            conversation_id,
            ulid,
            seen,
            UpdateSpec {
                change: LastChange::of("message.updated", None, None),
                update: "SET #content = :content, #edited_at = :at ADD #version :one".into(),
                // Unchanged content: a concurrent retry of the same edit won, and this one must
                // take no second number.
                condition: "attribute_exists(message_id) AND #deleted = :false AND #sender = :me \
                            AND #content <> :content",
                names: &[
                    ("#content", "content"),
                    ("#edited_at", "edited_at"),
                    ("#version", "version"),
                    ("#deleted", "deleted"),
                    ("#sender", "sender_id"),
                ],
                values: vec![
                    (":content", s(content)),
                    (":at", s(edited_at)),
                    (":one", n(1)),
                    (":false", AttributeValue::Bool(false)),
                    (":me", s(sender_id)),
                ],
            },
        )
        .await
    }

    /// Turns the message into a tombstone (empty content, the reactions of `emojis` removed) if
    /// `sender_id` sent it and it is still at `version`; otherwise `ConditionFailed`.
    pub async fn tombstone_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        sender_id: &str,
        version: u64,
        emojis: &[&str],
        seen: Option<ConversationState>,
    ) -> StoreResult<Changed> {
        let reaction_names: Vec<(String, String)> = emojis
            .iter()
            .enumerate()
            .map(|(i, emoji)| (format!("#r{i}"), reaction_attribute(emoji)))
            .collect();
        let mut update = "SET #deleted = :true, #content = :empty ADD #version :one".to_owned();
        let mut removed: Vec<&str> = vec!["#attachments"];
        removed.extend(reaction_names.iter().map(|(p, _)| p.as_str()));
        update.push_str(" REMOVE ");
        update.push_str(&removed.join(", "));
        let mut names: Vec<(&str, &str)> = vec![
            ("#deleted", "deleted"),
            ("#content", "content"),
            ("#version", "version"),
            ("#sender", "sender_id"),
            ("#attachments", "attachments"),
        ];
        names.extend(
            reaction_names
                .iter()
                .map(|(p, name)| (p.as_str(), name.as_str())),
        );
        self.update_message(
            conversation_id,
            ulid,
            seen,
            UpdateSpec {
                change: LastChange::of("message.deleted", None, None),
                update,
                condition: "#sender = :me AND #version = :v",
                names: &names,
                values: vec![
                    (":true", AttributeValue::Bool(true)),
                    (":empty", s("")),
                    (":one", n(1)),
                    (":me", s(sender_id)),
                    (":v", n(version)),
                ],
            },
        )
        .await
    }

    /// Adds `user_id` to `read_by`. `None` when it was there already, `read_by` holds
    /// `max_readers`, or the message is gone.
    pub async fn mark_read(
        &self,
        conversation_id: &str,
        ulid: &str,
        user_id: &str,
        max_readers: usize,
        seen: Option<ConversationState>,
    ) -> StoreResult<Option<Changed>> {
        let result = self
            .update_message(
                conversation_id,
                ulid,
                seen,
                UpdateSpec {
                    change: LastChange::of("message.read", Some(user_id), None),
                    update: "ADD #read_by :users".into(),
                    condition: "attribute_exists(message_id) AND NOT contains(#read_by, :me) \
                         AND (attribute_not_exists(#read_by) OR size(#read_by) < :max)",
                    names: &[("#read_by", "read_by")],
                    values: vec![
                        (":users", AttributeValue::Ss(vec![user_id.to_owned()])),
                        (":me", s(user_id)),
                        (":max", n(max_readers)),
                    ],
                },
            )
            .await;
        changed_unless_condition_failed(result)
    }

    /// Applies `spec` to the message with the conversation's next number, in one transaction;
    /// `ConditionFailed` when the spec's condition does not hold. Answers the message as it is
    /// after the change (read back: a transaction returns no values).
    pub(super) async fn update_message(
        &self,
        conversation_id: &str,
        ulid: &str,
        seen: Option<ConversationState>,
        spec: UpdateSpec<'_>,
    ) -> StoreResult<Changed> {
        // Every change also records its number, who pushes its event, what it was and in a chat
        // the membership version it was stored at (for the stream's delivery), in the same SET
        // clause as the spec's own.
        let in_chat = Conversation::parse(conversation_id)
            .is_some_and(|c| c.kind() == ConversationKind::Chat);
        let recorded = if in_chat {
            "#updated_seq = :updated_seq, #fanout = :fanout, #change = :change, \
             #members_version = :members_version"
        } else {
            "#updated_seq = :updated_seq, #fanout = :fanout, #change = :change"
        };
        let update = match spec.update.strip_prefix("SET ") {
            Some(rest) => format!("SET {recorded}, {rest}"),
            None => format!("SET {recorded} {}", spec.update),
        };
        let mut fanout = Fanout::Inline;
        let mut members_version = None;
        let stored = self
            .sequenced(conversation_id, seen, |state| {
                fanout = fanout_of(state);
                members_version = state.members_version_of_chat();
                let mut builder = Update::builder()
                    .table_name(&self.tables.messages)
                    .set_key(Some(message_key(conversation_id, ulid)))
                    .update_expression(&update)
                    .condition_expression(spec.condition)
                    .expression_attribute_names("#updated_seq", UPDATED_SEQ)
                    .expression_attribute_names("#fanout", FANOUT)
                    .expression_attribute_names("#change", LAST_CHANGE)
                    .expression_attribute_values(":updated_seq", n(state.next_seq()))
                    .expression_attribute_values(":fanout", s(<&str>::from(fanout)))
                    .expression_attribute_values(":change", spec.change.value());
                if let Some(version) = members_version {
                    builder = builder
                        .expression_attribute_names("#members_version", MEMBERS_VERSION)
                        .expression_attribute_values(":members_version", n(version));
                }
                for (placeholder, name) in spec.names {
                    builder = builder.expression_attribute_names(*placeholder, *name);
                }
                for (placeholder, value) in &spec.values {
                    builder = builder.expression_attribute_values(*placeholder, value.clone());
                }
                let item = TransactWriteItem::builder()
                    .update(builder.build().map_err(corrupt)?)
                    .build();
                Ok((vec![(item, ())], Advance::Change))
            })
            .await?;
        match stored {
            Sequenced::Stored(seq) => {
                let message = self
                    .get_message(conversation_id, ulid)
                    .await?
                    .ok_or_else(|| corrupt("a changed message is gone"))?;
                Ok(Changed {
                    seq,
                    fanout,
                    message,
                })
            }
            Sequenced::Refused(()) => Err(StoreError::ConditionFailed),
        }
    }
}

pub(crate) fn changed_unless_condition_failed(
    result: StoreResult<Changed>,
) -> StoreResult<Option<Changed>> {
    match result {
        Ok(changed) => Ok(Some(changed)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(err) => Err(err),
    }
}

pub(super) struct UpdateSpec<'a> {
    pub update: String,
    pub condition: &'a str,
    pub names: &'a [(&'a str, &'a str)],
    pub values: Vec<(&'a str, AttributeValue)>,
    pub change: LastChange<'a>,
}
