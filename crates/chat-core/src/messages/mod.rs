//! Messages as data: what a message is, what clients send to make and change one, the bounds
//! that keep its item and its events finite, and the event each change is.

mod emoji;
mod requests;
pub mod rules;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::attachments::Attachment;
use crate::conversation::{ConversationKind, Fanout};
use crate::error::Result;
use crate::input::check_len;

pub use emoji::validate_emoji;
pub use requests::{Edit, MarkRead, NewMessage, Reaction, ReactionQuery, TypingSignal};

pub const MAX_CONTENT_CHARS: usize = 4000;
pub const MAX_CLIENT_MESSAGE_ID_CHARS: usize = 64;
/// The longest short code (`:name:`) a reaction may use, in characters.
pub const MAX_SHORTCODE_CHARS: usize = 34;
/// Distinct emoji on one message. Each is one attribute of the item and one name in a delete's
/// `REMOVE` expression, which DynamoDB caps at 4 KB.
pub const MAX_DISTINCT_REACTIONS: usize = 50;
/// (user, emoji) reactions on one message, about 30 bytes each in the item and in every event
/// that carries the message; with the other bounds, an event stays under API Gateway's 128 KB.
pub const MAX_REACTIONS: usize = 1000;
/// Readers a message records in `read_by` (about 29 bytes each); a chat has at most
/// [`super::chats::MAX_MEMBERS`] members, but members come and go. Reads past the bound are not
/// recorded (and do not lower the reader's unread count).
pub const MAX_READ_RECEIPTS: usize = 1000;
/// What a message holds. The stored item keeps the same lowercase name (`strum`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum MessageType {
    Text,
    Image,
    File,
    System,
}

/// A message as clients see it. A deleted message is a tombstone: empty content and no
/// reactions, whatever a racing write may have left behind (the store renders it so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01JDQ41H7K9M2N4P6Q8R0S2T4V.d.01JDQ3Y6S1W8X5V9K2M4N7P0QR.01JDQ3YF4T2W6X8Z0B3C5D7E9G",
    "conversation_id": "d.01JDQ3Y6S1W8X5V9K2M4N7P0QR.01JDQ3YF4T2W6X8Z0B3C5D7E9G",
    "sender_id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR", "recipient_id": "01JDQ3YF4T2W6X8Z0B3C5D7E9G",
    "chat_id": null, "content": "Hello!", "message_type": "text", "reply_to_id": null,
    "reactions": {"👍": ["01JDQ3YF4T2W6X8Z0B3C5D7E9G"]}, "read_by": ["01JDQ3YF4T2W6X8Z0B3C5D7E9G"],
    "created_at": "2026-11-24T01:02:03.456Z", "edited_at": null, "deleted": false,
    "attachments": [], "seq": 41, "updated_seq": 43
}))]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub sender_id: String,
    pub recipient_id: Option<String>,
    pub chat_id: Option<String>,
    pub content: String,
    pub message_type: MessageType,
    pub reply_to_id: Option<String>,
    pub reactions: BTreeMap<String, Vec<String>>,
    pub read_by: Vec<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted: bool,
    /// Files the sender attached (none on a tombstone).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// The conversation's sequence number when the message was created.
    pub seq: u64,
    /// The sequence number of the message's last change (its creation, an edit, the deletion,
    /// a reaction or a read mark): `GET` history with `after_seq` returns what changed after a
    /// number.
    pub updated_seq: u64,
    /// The message's position among the conversation's messages (1 for the first): unread
    /// counts are differences of these.
    #[serde(skip)]
    #[schema(ignore)]
    pub number: u64,
    /// Who pushed its last change's event (see [`Fanout`]).
    #[serde(skip)]
    #[schema(ignore)]
    pub fanout: Fanout,
    /// The sort key within the conversation.
    #[serde(skip)]
    #[schema(ignore)]
    pub ulid: String,
    /// Bumped by every edit, reaction and deletion; a deletion expects the version it read.
    #[serde(skip)]
    #[schema(ignore)]
    pub version: u64,
    /// In a chat, the version of its membership (see [`Audience::Chat`]) that the store's
    /// last change of this message was written at; `None` elsewhere and when read back.
    ///
    /// [`Audience::Chat`]: crate::events::Audience::Chat
    #[serde(skip)]
    #[schema(ignore)]
    pub members_version: Option<u64>,
}

impl Message {
    pub fn kind(&self) -> ConversationKind {
        if self.chat_id.is_some() {
            ConversationKind::Chat
        } else {
            ConversationKind::Direct
        }
    }

    /// For a direct message: the user of the conversation who is not `user`.
    pub fn peer_of(&self, user: &str) -> Option<&str> {
        let recipient = self.recipient_id.as_deref()?;
        Some(if self.sender_id == user {
            recipient
        } else {
            &self.sender_id
        })
    }

    /// (user, emoji) reactions in all.
    pub fn reaction_count(&self) -> usize {
        self.reactions.values().map(Vec::len).sum()
    }

    pub fn has_reaction(&self, emoji: &str, user: &str) -> bool {
        self.reactions
            .get(emoji)
            .is_some_and(|users| users.iter().any(|u| u == user))
    }
}

/// Content may be empty only when files carry the message.
pub fn validate_content(content: &str, with_attachments: bool) -> Result<()> {
    check_len(
        "content",
        content,
        usize::from(!with_attachments),
        MAX_CONTENT_CHARS,
    )
}

/// How storing a new message ended: the storage's answer to the send's one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMessage {
    Stored,
    /// The sender is no member of the chat (any more).
    NotMember,
    /// The sender sent a message with this `client_message_id` before.
    DuplicateKey,
    /// The generated id exists already (a ULID collision: never in practice).
    IdTaken,
    /// An attachment is not (any more) a pending upload of the sender: attached by a
    /// concurrent send, say.
    AttachmentRefused,
}

/// A stored change: its number in the conversation's sequence and the message after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub seq: u64,
    /// Who pushes the change's event.
    pub fanout: Fanout,
    pub message: Message,
}

/// A reaction to add, with what the message was like when the rule read it: the store adds it
/// only if the message is still so.
#[derive(Debug, Clone, Copy)]
pub struct NewReaction<'a> {
    pub emoji: &'a str,
    pub user_id: &'a str,
    /// Nobody had reacted with `emoji`.
    pub new_emoji: bool,
    pub bounds: ReactionBounds,
}

/// The bounds a new reaction is checked against.
#[derive(Debug, Clone, Copy)]
pub struct ReactionBounds {
    pub max_distinct: usize,
    pub max_total: usize,
}
