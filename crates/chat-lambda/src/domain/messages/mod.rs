//! The two ways into a conversation's history that the REST API offers: with a user, or in a
//! chat. The rule (participants only, pages, cursors, the catch-up after a sequence number) is
//! chat-core's, as are sending, typing and every change to a message
//! (`chat_core::messages::rules`).

use chat_core::conversation::Conversation;
use chat_core::error::{Error, Result};
use chat_core::ids::{ChatId, UserId};
use chat_core::messages::Message;
use chat_core::messages::rules::history;
use chat_core::paging::Page;

pub use chat_core::messages::rules::HistoryQuery;

use crate::app::App;
use crate::domain::attachments::Files;

/// The direct conversation of `me` with `peer`; 404 with oneself.
pub async fn direct_history(
    app: &App,
    me: &str,
    peer: &UserId,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::direct(&UserId::trusted(me), peer).ok_or(Error::NotFound)?;
    history(
        &app.store,
        &Files(app),
        &app.cursors,
        me,
        &conversation,
        query.into(),
    )
    .await
}

/// A chat's messages; 404 for non-members.
pub async fn chat_history(
    app: &App,
    me: &str,
    chat_id: &ChatId,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::chat(chat_id);
    history(
        &app.store,
        &Files(app),
        &app.cursors,
        me,
        &conversation,
        query.into(),
    )
    .await
}
