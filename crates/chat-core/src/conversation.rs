//! Who talks and where a message lives: conversation ids, message ids and the participants of
//! a conversation.
//!
//! A message's public id is `<ulid>.<conversation_id>`: it still sorts by creation time (the
//! ULID comes first), and it locates the message, so every `/messages/{id}` call is one strongly
//! consistent GetItem or UpdateItem on the base table. A malformed or altered id names no
//! message and answers 404.

use serde::{Deserialize, Serialize};

use crate::ids::{ChatId, UserId};

/// The stored inbox entry keeps the same lowercase name (`strum`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ConversationKind {
    Direct,
    Chat,
}

/// Who talks: two users, or the members of a chat. Its id is the messages' partition key:
/// `d.<smaller user id>.<larger user id>` or `c.<chat_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Conversation {
    Direct { low: UserId, high: UserId },
    Chat(ChatId),
}

impl Conversation {
    /// The conversation of two distinct users, in either order.
    /// The conversation of two distinct users, in either order; `None` for a user and itself.
    pub fn direct(a: &UserId, b: &UserId) -> Option<Self> {
        if a == b {
            return None;
        }
        let (low, high) = if a < b { (a, b) } else { (b, a) };
        Some(Conversation::Direct {
            low: low.clone(),
            high: high.clone(),
        })
    }

    pub fn chat(chat_id: &ChatId) -> Self {
        Conversation::Chat(chat_id.clone())
    }

    pub fn parse(id: &str) -> Option<Self> {
        if let Some(rest) = id.strip_prefix("d.") {
            let (low, high) = rest.split_once('.')?;
            let conv = Conversation::direct(&UserId::parse(low)?, &UserId::parse(high)?)?;
            // Only the canonical order names the conversation.
            return (matches!(&conv, Conversation::Direct { low: l, .. } if l == low))
                .then_some(conv);
        }
        ChatId::parse(id.strip_prefix("c.")?).map(Conversation::Chat)
    }

    pub fn id(&self) -> String {
        match self {
            Conversation::Direct { low, high } => format!("d.{low}.{high}"),
            Conversation::Chat(chat_id) => format!("c.{chat_id}"),
        }
    }

    pub fn kind(&self) -> ConversationKind {
        match self {
            Conversation::Direct { .. } => ConversationKind::Direct,
            Conversation::Chat(_) => ConversationKind::Chat,
        }
    }

    /// For a direct conversation: whether `user` is one of its two users.
    pub fn is_direct_participant(&self, user: &str) -> bool {
        matches!(self, Conversation::Direct { low, high } if low == user || high == user)
    }
}

/// A parsed public message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef {
    pub ulid: String,
    pub conversation: Conversation,
}

impl MessageRef {
    pub fn parse(id: &str) -> Option<Self> {
        let (ulid, conversation) = id.split_once('.')?;
        let parsed = ulid::Ulid::from_string(ulid).ok()?;
        // Crockford base32 decodes lower case too; only the canonical spelling is a key.
        if parsed.to_string() != ulid {
            return None;
        }
        Some(MessageRef {
            ulid: ulid.to_owned(),
            conversation: Conversation::parse(conversation)?,
        })
    }

    pub fn id(&self) -> String {
        message_id(&self.ulid, &self.conversation.id())
    }
}

pub fn message_id(ulid: &str, conversation_id: &str) -> String {
    format!("{ulid}.{conversation_id}")
}

/// Conversations of at most this many members hear of a change from the request that made it
/// (the lowest latency); larger chats from the delivery function, which a DynamoDB stream of
/// the messages table triggers, so a send answers as fast for 1,000 members as for 2.
pub const INLINE_FANOUT_MAX_MEMBERS: u64 = 16;

/// Who pushes a change's event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "lowercase")]
pub enum Fanout {
    /// The request that made the change, before it answers.
    #[default]
    Inline,
    /// The delivery function, from the messages table's stream.
    Stream,
}

impl Fanout {
    /// Direct conversations and chats of at most [`INLINE_FANOUT_MAX_MEMBERS`] are pushed
    /// inline; a chat whose count is unknown goes through the stream (it works for any size).
    pub fn for_audience(kind: ConversationKind, member_count: Option<u64>) -> Self {
        match (kind, member_count) {
            (ConversationKind::Direct, _) => Fanout::Inline,
            (ConversationKind::Chat, Some(n)) if n <= INLINE_FANOUT_MAX_MEMBERS => Fanout::Inline,
            (ConversationKind::Chat, _) => Fanout::Stream,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "01HZZZZZZZZZZZZZZZZZZZZZZA";
    const B: &str = "01HZZZZZZZZZZZZZZZZZZZZZZB";
    const ULID: &str = "01JD8X3B1R0000000000000000";

    #[test]
    fn small_audiences_are_pushed_inline_and_large_or_uncounted_chats_by_the_stream() {
        use ConversationKind::{Chat, Direct};
        assert_eq!(Fanout::for_audience(Direct, None), Fanout::Inline);
        assert_eq!(Fanout::for_audience(Chat, Some(2)), Fanout::Inline);
        let limit = INLINE_FANOUT_MAX_MEMBERS;
        assert_eq!(Fanout::for_audience(Chat, Some(limit)), Fanout::Inline);
        assert_eq!(Fanout::for_audience(Chat, Some(limit + 1)), Fanout::Stream);
        assert_eq!(Fanout::for_audience(Chat, Some(1000)), Fanout::Stream);
        assert_eq!(Fanout::for_audience(Chat, None), Fanout::Stream);
    }

    #[test]
    fn conversation_ids_are_canonical() {
        let (a, b) = (UserId::trusted(A), UserId::trusted(B));
        let d = Conversation::direct(&b, &a);
        assert_eq!(d, Conversation::direct(&a, &b));
        let id = d
            .as_ref()
            .map(Conversation::id)
            .expect("two distinct users");
        assert_eq!(id, format!("d.{A}.{B}"));
        assert_eq!(Conversation::parse(&id), d);
        assert_eq!(Conversation::parse(&format!("d.{B}.{A}")), None);
        assert_eq!(Conversation::direct(&a, &a), None);
        let x1 = Conversation::chat(&ChatId::trusted("X1"));
        assert_eq!(Conversation::parse("c.X1"), Some(x1));
        assert_eq!(Conversation::parse("c.a.b"), None);
        assert_eq!(Conversation::parse("x.a"), None);
        assert_eq!(Conversation::parse("c.a#b"), None);
        assert_eq!(Conversation::parse(&format!("d.{A}.b#c")), None);
    }

    #[test]
    fn message_ids_locate_the_message_and_refuse_tampering() {
        let conv = Conversation::chat(&ChatId::trusted("CHAT1"));
        let id = message_id(ULID, &conv.id());
        let parsed = MessageRef::parse(&id);
        assert_eq!(parsed.as_ref().map(|r| r.ulid.as_str()), Some(ULID));
        assert_eq!(parsed.map(|r| r.id()), Some(id.clone()));
        assert_eq!(MessageRef::parse(&id.to_lowercase()), None);
        assert_eq!(MessageRef::parse("nonsense"), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}.")), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}.c.")), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}X.c.CHAT1")), None);
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let conv = format!("d.{A}.{B}");
        let earlier = ulid::Ulid::from_parts(1_000, u128::MAX >> 48).to_string();
        let later = ulid::Ulid::from_parts(1_001, 0).to_string();
        assert!(message_id(&earlier, &conv) < message_id(&later, &conv));
    }
}
