//! Whether a user takes part in a conversation.

use chat_core::conversation::Conversation;

use crate::app::App;
use chat_core::error::Result;

/// Whether `me` takes part in `conversation`: for a chat, one strongly consistent GetItem of
/// its membership item (never the member set). Callers choose the status for `false`: 404 for
/// reads (non-participants may not even learn that it exists), 403 for a chat send.
pub async fn takes_part(app: &App, conversation: &Conversation, me: &str) -> Result<bool> {
    Ok(match conversation {
        Conversation::Direct { .. } => conversation.is_direct_participant(me),
        Conversation::Chat(chat_id) => app.store.is_member(chat_id, me).await?,
    })
}
