//! The caller's list of chats: a page of the membership index, then the chats themselves.
//! Making chats and changing their members are rules of their own (`chat_core::chats::rules`).

use chat_core::chats::Chat;
use chat_core::error::Result;

use crate::app::App;
use chat_core::paging::{Page, PageRequest};

/// Cursors of one user's chat list only resume that list.
fn list_scope(me: &str) -> String {
    format!("chats:{me}")
}

/// The chats `me` belongs to, most recently joined first.
pub async fn list(app: &App, me: &str, page: PageRequest) -> Result<Page<Chat>> {
    let scope = list_scope(me);
    let start = page.start(&app.cursors, &scope)?;
    let (ids, next) = app.store.member_chat_ids(me, page.limit(), start).await?;
    let mut chats = app.store.get_chats(&ids).await?;
    // Keep the index order; drop chats left between the index read and the item read.
    chats.retain(|c| c.has_member(me));
    chats.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(Page::new(&app.cursors, &scope, chats, next))
}
