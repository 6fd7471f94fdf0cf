//! The two ways into a conversation's history that the REST API offers: with a user, or in a
//! chat. The rule (participants only, pages, cursors, the catch-up after a sequence number) is
//! chat-core's, as are sending, typing and every change to a message
//! (`chat_core::messages::rules`).

use chat_core::conversation::Conversation;
use chat_core::error::{Error, Result};
use chat_core::events::Audience;
use chat_core::events::LookedUp;
use chat_core::ids::{ChatId, UserId};
use chat_core::messages::rules::{change_audience, history, send_audience};
use chat_core::messages::{Message, NewMessage};
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

/// The sockets of the audience a send from `me` notifies, looked up beside the send's reads
/// (nothing for an address the send refuses).
pub async fn look_up_audience(app: &App, me: &str, new: &NewMessage) -> LookedUp {
    look_up(app, send_audience(me, new)).await
}

/// The sockets of the audience a change to message `id` notifies, looked up beside the
/// change's reads.
pub async fn look_up_change_audience(app: &App, id: &str) -> LookedUp {
    look_up(app, change_audience(id)).await
}

async fn look_up(app: &App, audience: Option<Audience>) -> LookedUp {
    match audience {
        Some(audience) => app.notifier.look_up(audience).await,
        None => LookedUp::default(),
    }
}
