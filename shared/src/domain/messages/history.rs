//! A conversation's history, newest first.

use super::{Conversation, Message, Page, PageRequest, participants};
use crate::app::App;
use crate::error::{Error, Result};

/// Cursors of a history only resume that conversation's history.
fn history_scope(conversation: &Conversation) -> String {
    format!("messages:{}", conversation.id())
}

/// The direct conversation of `me` with `peer`, newest first.
pub async fn direct_history(
    app: &App,
    me: &str,
    peer: &str,
    page: PageRequest,
) -> Result<Page<Message>> {
    let conversation = Conversation::direct(me, peer).ok_or(Error::NotFound)?;
    history(app, &conversation, page).await
}

/// A chat's messages, newest first; 404 for non-members.
pub async fn chat_history(
    app: &App,
    me: &str,
    chat_id: &str,
    page: PageRequest,
) -> Result<Page<Message>> {
    let conversation = Conversation::chat(chat_id).ok_or(Error::NotFound)?;
    participants(app, &conversation, me)
        .await?
        .ok_or(Error::NotFound)?;
    history(app, &conversation, page).await
}

async fn history(
    app: &App,
    conversation: &Conversation,
    page: PageRequest,
) -> Result<Page<Message>> {
    let scope = history_scope(conversation);
    let start = page.start(app, &scope)?;
    let (mut items, next) = app
        .store
        .history(&conversation.id(), page.limit(), start)
        .await?;
    crate::domain::attachments::with_downloads(app, &mut items).await;
    Ok(Page::new(app, &scope, items, next))
}
