//! What clients send to change messages: over REST, and the same types for the WebSocket
//! actions (a `sendMessage` frame is parsed by [`NewMessage`], like `POST /messages`).

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::MessageType;
use crate::ids::{AttachmentId, ChatId, UserId};

/// `POST /messages` and the WebSocket `sendMessage` action: exactly one of `recipient_id` and
/// `chat_id`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(example = json!({
    "recipient_id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR", "content": "Hello!",
    "client_message_id": "c-42"
}))]
pub struct NewMessage {
    /// The other user of a direct conversation.
    #[schema(value_type = Option<String>)]
    pub recipient_id: Option<UserId>,
    /// A chat the sender is a member of.
    #[schema(value_type = Option<String>)]
    pub chat_id: Option<ChatId>,
    /// 1..4000 characters; 0..4000 with `attachment_ids`.
    #[schema(min_length = 0, max_length = 4000)]
    #[serde(default)]
    pub content: String,
    /// `text` when absent. `image` and `file` need `attachment_ids` (all `image/*` for `image`);
    /// attachments need one of those two. `system` is the service's own (422).
    pub message_type: Option<MessageType>,
    /// 1 to 10 of the sender's own uploads (`POST /attachments`), each not attached before and
    /// in storage with its declared size and type.
    #[schema(min_items = 1, max_items = 10, value_type = Option<Vec<String>>)]
    pub attachment_ids: Option<Vec<AttachmentId>>,
    /// A message of the same conversation.
    pub reply_to_id: Option<String>,
    /// Idempotency key: the same sender with the same key gets the first message back.
    #[schema(min_length = 1, max_length = 64)]
    pub client_message_id: Option<String>,
}

/// `PUT /messages/{message_id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"content": "Hello again!"}))]
pub struct Edit {
    #[schema(min_length = 1, max_length = 4000)]
    pub content: String,
}

/// `POST /messages/{message_id}/reactions`, and the body form of its `DELETE`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"emoji": "👍"}))]
pub struct Reaction {
    /// One Unicode emoji (skin tones, ZWJ sequences and flags included) or a short code
    /// `:name:` of 1 to 32 of `[a-z0-9_+-]`.
    #[schema(min_length = 1, max_length = 34)]
    pub emoji: String,
}

/// The query form of `DELETE /messages/{message_id}/reactions`, for clients that cannot send
/// a body with `DELETE`; it wins over the body.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReactionQuery {
    /// The reaction to remove (else the body's `emoji`).
    pub emoji: Option<String>,
}

/// The WebSocket `typing` action: relayed to the conversation, never stored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"action": "typing", "chat_id": "01JDQ40B5HZ3K6S9D1F4G7J2LM", "is_typing": true}))]
pub struct TypingSignal {
    #[schema(value_type = Option<String>)]
    pub recipient_id: Option<UserId>,
    #[schema(value_type = Option<String>)]
    pub chat_id: Option<ChatId>,
    #[serde(default = "typing_default")]
    #[schema(default = true)]
    pub is_typing: bool,
}

fn typing_default() -> bool {
    true
}

/// The WebSocket `markRead` action, as `PATCH /messages/{message_id}/read`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"action": "markRead", "message_id": "d.01JDQ3Y6S1W8X5V9K2M4N7P0QR.01JDQ3YF4T2W6X8Z0B3C5D7E9G.01JDQ41H7K9M2N4P6Q8R0S2T4V"}))]
pub struct MarkRead {
    pub message_id: String,
}
