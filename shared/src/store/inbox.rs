//! The inbox table (key `user_id`, `conversation_id`): one entry per conversation of a user with
//! the conversation's kind, peer or chat, last message, `last_activity` (the last message's
//! ULID) and unread count. The `by_activity` index (partition `user_id`, sort `last_activity`)
//! serves the inbox newest activity first, one Query per page.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};

use super::items::{Item, n, opt_n, opt_s, req_s, s, split_page};
use super::messages::{message_from_item, message_item};
use super::{Store, StoreError, StoreResult, capacity, corrupt};
use crate::cursor::Key;
use crate::domain::inbox::InboxEntry;
use crate::domain::messages::{ConversationKind, Message};

pub const ACTIVITY_INDEX: &str = "by_activity";
const ACTIVITY_PAGE_KEY: [&str; 3] = ["user_id", "conversation_id", "last_activity"];

/// A new message, as it concerns one participant's inbox entry.
#[derive(Debug, Clone, Copy)]
pub struct Activity<'a> {
    pub user_id: &'a str,
    pub message: &'a Message,
    /// The peer (direct) or chat id the entry names.
    pub counterpart: &'a str,
    /// Whether the message counts as unread for this user (everybody but the sender).
    pub unread: bool,
}

fn counterpart_attribute(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Direct => "peer_id",
        ConversationKind::Chat => "chat_id",
    }
}

fn entry_from_item(item: &Item) -> StoreResult<InboxEntry> {
    let kind: ConversationKind = opt_s(item, "kind")
        .and_then(|kind| kind.parse().ok())
        .ok_or_else(|| corrupt(format!("inbox entry kind {:?}", opt_s(item, "kind"))))?;
    let last_message = item
        .get("last_message")
        .and_then(|v| v.as_m().ok())
        .ok_or_else(|| corrupt("inbox entry without last_message"))?;
    Ok(InboxEntry {
        conversation_id: req_s(item, "conversation_id")?,
        kind,
        peer_id: opt_s(item, "peer_id").map(str::to_owned),
        chat_id: opt_s(item, "chat_id").map(str::to_owned),
        last_message: message_from_item(last_message)?,
        unread_count: opt_n(item, "unread_count")?.unwrap_or(0),
    })
}

impl Store {
    /// Makes `activity.message` the entry's last message unless a newer one is recorded (two
    /// sends racing), and counts it as unread either way.
    pub async fn record_activity(&self, activity: Activity<'_>) -> StoreResult<()> {
        let message = activity.message;
        let kind = message.kind();
        let mut update =
            "SET #kind = :kind, #counterpart = :counterpart, #last = :last, #activity = :activity"
                .to_owned();
        let (count_placeholder, count_value) = if activity.unread {
            update.push_str(" ADD #unread :one");
            (":one", n(1))
        } else {
            update.push_str(", #unread = if_not_exists(#unread, :zero)");
            (":zero", n(0))
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.inbox)
            .key("user_id", s(activity.user_id))
            .key("conversation_id", s(&message.conversation_id))
            .update_expression(update)
            .condition_expression("attribute_not_exists(#activity) OR #activity < :activity")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#counterpart", counterpart_attribute(kind))
            .expression_attribute_names("#last", "last_message")
            .expression_attribute_names("#activity", "last_activity")
            .expression_attribute_names("#unread", "unread_count")
            .expression_attribute_values(":kind", s(<&str>::from(kind)))
            .expression_attribute_values(":counterpart", s(activity.counterpart))
            .expression_attribute_values(":last", AttributeValue::M(message_item(message)))
            .expression_attribute_values(":activity", s(&message.ulid))
            .expression_attribute_values(count_placeholder, count_value)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(())
            }
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed if activity.unread => {
                    self.count_unread(activity.user_id, &message.conversation_id)
                        .await
                }
                StoreError::ConditionFailed => Ok(()),
                other => Err(other),
            },
        }
    }

    /// One more unread message in an existing entry (whose last message is newer).
    async fn count_unread(&self, user_id: &str, conversation_id: &str) -> StoreResult<()> {
        self.update_entry(
            user_id,
            conversation_id,
            "ADD #unread :one",
            "attribute_exists(#activity)",
            vec![(":one", n(1))],
        )
        .await
    }

    /// Shows an edited or deleted message in the entry if it is still the entry's last one.
    pub async fn refresh_last_message(&self, user_id: &str, message: &Message) -> StoreResult<()> {
        self.update_entry(
            user_id,
            &message.conversation_id,
            "SET #last = :last",
            "#activity = :activity",
            vec![
                (":last", AttributeValue::M(message_item(message))),
                (":activity", s(&message.ulid)),
            ],
        )
        .await
    }

    /// One unread message fewer, never below zero.
    pub async fn decrement_unread(&self, user_id: &str, conversation_id: &str) -> StoreResult<()> {
        self.update_entry(
            user_id,
            conversation_id,
            "ADD #unread :minus_one",
            "#unread > :zero",
            vec![(":minus_one", n(-1)), (":zero", n(0))],
        )
        .await
    }

    /// A conditional update of an entry; a failed condition means there is nothing to do.
    async fn update_entry(
        &self,
        user_id: &str,
        conversation_id: &str,
        update: &str,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> StoreResult<()> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.tables.inbox)
            .key("user_id", s(user_id))
            .key("conversation_id", s(conversation_id))
            .update_expression(update)
            .condition_expression(condition)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        for (placeholder, name) in [
            ("#last", "last_message"),
            ("#activity", "last_activity"),
            ("#unread", "unread_count"),
        ] {
            if update.contains(placeholder) || condition.contains(placeholder) {
                request = request.expression_attribute_names(placeholder, name);
            }
        }
        for (placeholder, value) in values {
            request = request.expression_attribute_values(placeholder, value);
        }
        match request.send().await {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(())
            }
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(()),
                other => Err(other),
            },
        }
    }

    /// One page of `user_id`'s inbox, most recent activity first: one Query of the index.
    pub async fn inbox_page(
        &self,
        user_id: &str,
        limit: i32,
        start: Option<Key>,
    ) -> StoreResult<(Vec<InboxEntry>, Option<Key>)> {
        let out = self
            .client
            .query()
            .table_name(&self.tables.inbox)
            .index_name(ACTIVITY_INDEX)
            .key_condition_expression("user_id = :u")
            .expression_attribute_values(":u", s(user_id))
            .scan_index_forward(false)
            .limit(limit.saturating_add(1))
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        let (items, next) = split_page(
            out.items.unwrap_or_default(),
            limit,
            out.last_evaluated_key,
            &ACTIVITY_PAGE_KEY,
        );
        let entries = items
            .iter()
            .map(entry_from_item)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((entries, next))
    }

    /// The peers of the direct conversations among `user_id`'s `limit` most recently active
    /// conversations: one Query of `by_activity` that reads at most `limit` entries, whatever
    /// the size of the inbox (the filter drops chat entries after the limit applies).
    pub async fn direct_peers(&self, user_id: &str, limit: i32) -> StoreResult<Vec<String>> {
        let query = self
            .query_index(&self.tables.inbox, ACTIVITY_INDEX, ("user_id", user_id))
            .filter_expression("#kind = :direct")
            .projection_expression("peer_id")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_values(":direct", s("direct"))
            .scan_index_forward(false)
            .limit(limit);
        let out = self.run_query(query).await?;
        Ok(out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| opt_s(item, "peer_id").map(str::to_owned))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::messages::{MessageType, message_id};
    use std::collections::BTreeMap;

    #[test]
    fn entries_read_back_with_their_message() {
        let message = Message {
            id: message_id("01JD8X3B1R0000000000000000", "d.A.B"),
            conversation_id: "d.A.B".into(),
            sender_id: "A".into(),
            recipient_id: Some("B".into()),
            chat_id: None,
            content: "hi".into(),
            message_type: MessageType::Text,
            reply_to_id: None,
            reactions: BTreeMap::new(),
            read_by: vec![],
            created_at: "t".into(),
            edited_at: None,
            deleted: false,
            attachments: vec![],
            ulid: "01JD8X3B1R0000000000000000".into(),
            version: 1,
        };
        let item = Item::from([
            ("user_id".to_owned(), s("B")),
            ("conversation_id".to_owned(), s("d.A.B")),
            ("kind".to_owned(), s("direct")),
            ("peer_id".to_owned(), s("A")),
            (
                "last_message".to_owned(),
                AttributeValue::M(message_item(&message)),
            ),
            ("last_activity".to_owned(), s(&message.ulid)),
            ("unread_count".to_owned(), n(2)),
        ]);
        let entry = entry_from_item(&item).ok();
        assert_eq!(entry.as_ref().map(|e| e.unread_count), Some(2));
        assert_eq!(
            entry.as_ref().map(|e| e.kind),
            Some(ConversationKind::Direct)
        );
        assert_eq!(entry.map(|e| e.last_message), Some(message));
    }
}
