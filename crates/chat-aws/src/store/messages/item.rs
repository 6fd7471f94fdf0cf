//! A message as its item stores it, and the change it records for the stream's delivery.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::attachments::Attachment;
use chat_core::conversation::{Conversation, ConversationKind, Fanout, message_id};
use chat_core::messages::{Message, MessageType};

use super::reactions::{emoji_of, reaction_attribute};
use crate::store::conversations::{ConversationState, MEMBERS_VERSION};
use crate::store::items::{Item, item_from_json, n, opt_n, opt_s, req_s, s, string_set};
use crate::store::{StoreResult, corrupt};

/// The local secondary index of a conversation's messages by their last change's number: what
/// a client that was away fetches (`after_seq`), strongly consistent like the table.
pub const CHANGE_INDEX: &str = "by_change";
pub(super) const UPDATED_SEQ: &str = "updated_seq";
/// Who pushes the last change's event: `inline` or `stream` (see [`Fanout`]).
pub(super) const FANOUT: &str = "fanout";
/// What the last change was, for the stream's delivery: `{type, user_id?, emoji?}`.
pub(super) const LAST_CHANGE: &str = "last_change";

/// A message's last change as its item records it: the event type and, for reactions and
/// read marks, who and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastChange<'a> {
    pub event_type: &'a str,
    pub user_id: Option<&'a str>,
    pub emoji: Option<&'a str>,
}

impl<'a> LastChange<'a> {
    pub(crate) fn of(
        event_type: &'a str,
        user_id: Option<&'a str>,
        emoji: Option<&'a str>,
    ) -> Self {
        LastChange {
            event_type,
            user_id,
            emoji,
        }
    }

    pub(super) fn value(&self) -> AttributeValue {
        let mut map = Item::from([("type".to_owned(), s(self.event_type))]);
        if let Some(user_id) = self.user_id {
            map.insert("user_id".into(), s(user_id));
        }
        if let Some(emoji) = self.emoji {
            map.insert("emoji".into(), s(emoji));
        }
        AttributeValue::M(map)
    }
}

/// A message's last change as the stream's delivery reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedChange {
    pub event_type: String,
    pub user_id: Option<String>,
    pub emoji: Option<String>,
}

/// The message a stream record's new image (DynamoDB JSON) holds, and its last change.
pub fn recorded_change(
    image: &serde_json::Map<String, serde_json::Value>,
) -> StoreResult<(Message, RecordedChange)> {
    let item = &item_from_json(image)?;
    let message = message_from_item(item)?;
    let change = item
        .get(LAST_CHANGE)
        .and_then(|v| v.as_m().ok())
        .ok_or_else(|| corrupt("a message without its last change"))?;
    Ok((
        message,
        RecordedChange {
            event_type: req_s(change, "type")?,
            user_id: opt_s(change, "user_id").map(str::to_owned),
            emoji: opt_s(change, "emoji").map(str::to_owned),
        },
    ))
}

/// Who pushes the events of the conversation in `state`.
pub(super) fn fanout_of(state: &ConversationState) -> Fanout {
    let kind =
        Conversation::parse(&state.conversation_id).map_or(ConversationKind::Chat, |c| c.kind());
    Fanout::for_audience(kind, state.member_count)
}
pub(super) const IDEMPOTENCY_SORT_KEY: &str = "idem";

pub(super) fn idempotency_key(sender_id: &str, client_message_id: &str) -> String {
    format!("idem#{sender_id}#{client_message_id}")
}

pub(super) fn message_key(conversation_id: &str, ulid: &str) -> Item {
    Item::from([
        ("conversation_id".to_owned(), s(conversation_id)),
        ("message_id".to_owned(), s(ulid)),
    ])
}

/// The stored form of a message (also kept as an inbox entry's `last_message`).
pub(crate) fn message_item(m: &Message) -> Item {
    let mut item = message_key(&m.conversation_id, &m.ulid);
    item.insert("sender_id".into(), s(&m.sender_id));
    if let Some(recipient) = &m.recipient_id {
        item.insert("recipient_id".into(), s(recipient));
    }
    if let Some(chat) = &m.chat_id {
        item.insert("chat_id".into(), s(chat));
    }
    item.insert("content".into(), s(&m.content));
    item.insert("message_type".into(), s(<&str>::from(m.message_type)));
    if let Some(reply_to) = &m.reply_to_id {
        item.insert("reply_to_id".into(), s(reply_to));
    }
    if !m.read_by.is_empty() {
        item.insert("read_by".into(), AttributeValue::Ss(m.read_by.clone()));
    }
    item.insert("created_at".into(), s(&m.created_at));
    if let Some(edited_at) = &m.edited_at {
        item.insert("edited_at".into(), s(edited_at));
    }
    item.insert("deleted".into(), AttributeValue::Bool(m.deleted));
    item.insert("version".into(), n(m.version));
    item.insert("seq".into(), n(m.seq));
    item.insert(UPDATED_SEQ.into(), n(m.updated_seq));
    item.insert("number".into(), n(m.number));
    item.insert(FANOUT.into(), s(<&str>::from(m.fanout)));
    if let Some(version) = m.members_version {
        item.insert(MEMBERS_VERSION.into(), n(version));
    }
    if !m.attachments.is_empty() {
        item.insert(
            "attachments".into(),
            AttributeValue::L(m.attachments.iter().map(attachment_value).collect()),
        );
    }
    for (emoji, users) in &m.reactions {
        if !users.is_empty() {
            item.insert(reaction_attribute(emoji), AttributeValue::Ss(users.clone()));
        }
    }
    item
}

/// An attachment as the message item keeps it (never its download URL, which expires).
fn attachment_value(a: &Attachment) -> AttributeValue {
    AttributeValue::M(Item::from([
        ("id".to_owned(), s(&a.attachment_id)),
        ("name".to_owned(), s(&a.file_name)),
        ("type".to_owned(), s(&a.content_type)),
        ("size".to_owned(), n(a.size_bytes)),
        ("sha256".to_owned(), s(&a.checksum_sha256)),
    ]))
}

fn attachments_of(item: &Item) -> StoreResult<Vec<Attachment>> {
    let Some(list) = item.get("attachments") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_l()
        .map_err(|_| corrupt("message attachments is not a list"))?;
    list.iter()
        .map(|value| {
            let map = value
                .as_m()
                .map_err(|_| corrupt("message attachment is not a map"))?;
            Ok(Attachment {
                attachment_id: req_s(map, "id")?,
                file_name: req_s(map, "name")?,
                content_type: req_s(map, "type")?,
                size_bytes: opt_n(map, "size")?
                    .ok_or_else(|| corrupt("message attachment lacks its size"))?,
                // Files attached before checksums were required have none.
                checksum_sha256: opt_s(map, "sha256").unwrap_or_default().to_owned(),
                download_url: None,
            })
        })
        .collect()
}

pub(crate) fn message_from_item(item: &Item) -> StoreResult<Message> {
    let conversation_id = req_s(item, "conversation_id")?;
    let ulid = req_s(item, "message_id")?;
    let deleted = item
        .get("deleted")
        .and_then(|v| v.as_bool().ok())
        .copied()
        .unwrap_or(false);
    let raw_type = req_s(item, "message_type")?;
    let message_type: MessageType = raw_type
        .parse()
        .map_err(|_| corrupt(format!("message type {raw_type}")))?;
    // A tombstone shows nothing of what it was, whatever a racing write left in the item.
    let reactions = if deleted {
        BTreeMap::new()
    } else {
        item.keys()
            .filter_map(|name| Some((emoji_of(name)?, string_set(item, name))))
            .filter(|(_, users)| !users.is_empty())
            .collect()
    };
    Ok(Message {
        id: message_id(&ulid, &conversation_id),
        sender_id: req_s(item, "sender_id")?,
        recipient_id: opt_s(item, "recipient_id").map(str::to_owned),
        chat_id: opt_s(item, "chat_id").map(str::to_owned),
        content: if deleted {
            String::new()
        } else {
            req_s(item, "content")?
        },
        message_type,
        reply_to_id: opt_s(item, "reply_to_id").map(str::to_owned),
        reactions,
        read_by: string_set(item, "read_by"),
        created_at: req_s(item, "created_at")?,
        edited_at: opt_s(item, "edited_at").map(str::to_owned),
        attachments: if deleted {
            Vec::new()
        } else {
            attachments_of(item)?
        },
        deleted,
        version: opt_n(item, "version")?.unwrap_or(1),
        members_version: opt_n(item, MEMBERS_VERSION)?,
        seq: opt_n(item, "seq")?.unwrap_or(0),
        updated_seq: opt_n(item, UPDATED_SEQ)?.unwrap_or(0),
        number: opt_n(item, "number")?.unwrap_or(0),
        fanout: opt_s(item, FANOUT)
            .and_then(|f| f.parse().ok())
            .unwrap_or_default(),
        conversation_id,
        ulid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            id: message_id("01JD8X3B1R0000000000000000", "c.CHAT1"),
            conversation_id: "c.CHAT1".into(),
            sender_id: "A".into(),
            recipient_id: None,
            chat_id: Some("CHAT1".into()),
            content: "hello".into(),
            message_type: MessageType::Image,
            reply_to_id: Some("x".into()),
            reactions: BTreeMap::from([
                ("👍".to_owned(), vec!["A".to_owned(), "B".to_owned()]),
                ("👨‍👩‍👧".to_owned(), vec!["B".to_owned()]),
            ]),
            read_by: vec!["B".into()],
            created_at: "2026-11-24T01:02:03.456Z".into(),
            edited_at: None,
            deleted: false,
            ulid: "01JD8X3B1R0000000000000000".into(),
            version: 3,
            members_version: None,
            seq: 9,
            updated_seq: 12,
            number: 4,
            fanout: Fanout::Stream,
            attachments: vec![Attachment {
                attachment_id: "01JD8X3B1R0000000000000001".into(),
                file_name: "cat.png".into(),
                content_type: "image/png".into(),
                size_bytes: 42,
                checksum_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
                download_url: None,
            }],
        }
    }

    /// A stream record's image (DynamoDB JSON, as the stream serves it) reads back as the
    /// message and its last change.
    #[test]
    fn stream_images_read_back_with_their_change() {
        let m = message();
        let mut item = message_item(&m);
        item.insert(
            LAST_CHANGE.into(),
            LastChange::of("reaction.added", Some("B"), Some("👍")).value(),
        );
        let json = serde_json::json!(
            item.iter()
                .map(|(k, v)| (k.clone(), dynamodb_json(v)))
                .collect::<serde_json::Map<_, _>>()
        );
        let image = json.as_object().cloned().unwrap_or_default();
        let read = recorded_change(&image);
        let (back, change) = read.expect("an image of a message");
        assert_eq!(back, m);
        assert_eq!(
            (
                change.event_type.as_str(),
                change.user_id.as_deref(),
                change.emoji.as_deref()
            ),
            ("reaction.added", Some("B"), Some("👍"))
        );
    }

    fn dynamodb_json(v: &AttributeValue) -> serde_json::Value {
        use serde_json::json;
        match v {
            AttributeValue::S(s) => json!({"S": s}),
            AttributeValue::N(n) => json!({"N": n}),
            AttributeValue::Bool(b) => json!({"BOOL": b}),
            AttributeValue::Ss(ss) => json!({"SS": ss}),
            AttributeValue::M(m) => {
                json!({"M": m.iter().map(|(k, v)| (k.clone(), dynamodb_json(v))).collect::<serde_json::Map<_, _>>()})
            }
            AttributeValue::L(l) => json!({"L": l.iter().map(dynamodb_json).collect::<Vec<_>>()}),
            other => json!({"unsupported": format!("{other:?}")}),
        }
    }

    #[test]
    fn items_round_trip() {
        let m = message();
        assert_eq!(message_from_item(&message_item(&m)).ok(), Some(m));
    }

    #[test]
    fn a_tombstone_never_shows_content_or_reactions() {
        let mut item = message_item(&message());
        item.insert("deleted".into(), AttributeValue::Bool(true));
        let m = message_from_item(&item).ok();
        assert_eq!(m.as_ref().map(|m| m.content.as_str()), Some(""));
        assert_eq!(m.as_ref().map(|m| m.reactions.len()), Some(0));
        assert_eq!(m.map(|m| m.attachments.len()), Some(0));
    }
}
