//! The inbox: one entry per conversation of a user, with its last message and unread count,
//! most recent activity first. Entries are written by the message changes (see
//! [`super::messages`]) and only read here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::error::Result;

use super::chats::Chat;
use super::messages::{ConversationKind, Message};
use super::paging::{Page, PageRequest};
use super::users::PublicUser;

/// An inbox entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxEntry {
    pub conversation_id: String,
    pub kind: ConversationKind,
    pub peer_id: Option<String>,
    pub chat_id: Option<String>,
    pub last_message: Message,
    pub unread_count: i64,
}

/// An inbox entry as clients see it: exactly one of `peer` and `chat` is set, except that the
/// peer of a deleted account is `null`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InboxItem {
    pub conversation_id: String,
    pub kind: ConversationKind,
    pub peer: Option<PublicUser>,
    pub chat: Option<Chat>,
    pub last_message: Message,
    pub unread_count: u64,
}

fn scope(me: &str) -> String {
    format!("inbox:{me}")
}

pub async fn inbox(app: &App, me: &str, page: PageRequest) -> Result<Page<InboxItem>> {
    let scope = scope(me);
    let start = page.start(app, &scope)?;
    let (entries, next) = app.store.inbox_page(me, page.limit(), start).await?;
    let peer_ids: Vec<String> = entries.iter().filter_map(|e| e.peer_id.clone()).collect();
    let chat_ids: Vec<String> = entries.iter().filter_map(|e| e.chat_id.clone()).collect();
    let (peers, chats) = futures::try_join!(
        app.store.get_public_users(&peer_ids),
        app.store.get_chats(&chat_ids)
    )?;
    let peers: HashMap<String, PublicUser> = peers.into_iter().map(|u| (u.id.clone(), u)).collect();
    let chats: HashMap<String, Chat> = chats.into_iter().map(|c| (c.id.clone(), c)).collect();
    let mut items: Vec<InboxItem> = entries
        .into_iter()
        .filter_map(|entry| {
            let chat = match &entry.chat_id {
                // Left the chat after the entry was last written: not this user's any more.
                Some(id) => Some(chats.get(id).filter(|c| c.has_member(me))?.clone()),
                None => None,
            };
            Some(InboxItem {
                peer: entry.peer_id.as_ref().and_then(|id| peers.get(id).cloned()),
                chat,
                conversation_id: entry.conversation_id,
                kind: entry.kind,
                last_message: entry.last_message,
                unread_count: u64::try_from(entry.unread_count).unwrap_or(0),
            })
        })
        .collect();
    crate::domain::attachments::with_downloads(app, items.iter_mut().map(|i| &mut i.last_message))
        .await;
    Ok(Page::new(app, &scope, items, next))
}
