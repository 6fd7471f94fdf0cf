//! The inbox: one item per conversation of a user, with its last message and unread count,
//! most recent activity first.
//!
//! Nothing of it is written per message per member. A user's conversations are its direct
//! entries and its chat memberships (each with its read position); their last activity and
//! message counts are on the conversations' items; an inbox read joins the three. Its cost
//! therefore grows with the user's number of conversations, which it caps
//! ([`MAX_INBOX_CHATS`], [`MAX_INBOX_DIRECT`]), and never with chat sizes or message counts.

use std::collections::{BTreeMap, HashMap};

use chat_core::chats::Chat;
use chat_core::conversation::{Conversation, ConversationKind};
use chat_core::error::{Error, Result};
use chat_core::ids::ChatId;
use chat_core::messages::Message;
use chat_core::users::PublicUser;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chat_aws::store::conversations::ConversationState;
use chat_core::paging::{self, Page, PageRequest, PositionPart};

use crate::app::App;

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

/// The chats an inbox shows at most: the most recently joined.
pub const MAX_INBOX_CHATS: usize = 500;
/// The direct conversations an inbox shows at most.
pub const MAX_INBOX_DIRECT: usize = 500;

fn scope(me: &str) -> String {
    format!("inbox:{me}")
}

/// Where a conversation stands in the inbox order: newest activity first, ties by id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    last_activity: String,
    conversation_id: String,
}

impl Position {
    /// As a cursor carries it: the inbox is merged here, not paged by one Query, so its
    /// position is this order's, not a table key.
    fn resume_point(&self) -> paging::Position {
        paging::Position(BTreeMap::from([
            (
                "last_activity".to_owned(),
                PositionPart::S(self.last_activity.clone()),
            ),
            (
                "conversation_id".to_owned(),
                PositionPart::S(self.conversation_id.clone()),
            ),
        ]))
    }

    fn from_resume_point(position: &paging::Position) -> Option<Self> {
        let text = |name: &str| match position.0.get(name)? {
            PositionPart::S(text) => Some(text.clone()),
            PositionPart::N(_) => None,
        };
        Some(Position {
            last_activity: text("last_activity")?,
            conversation_id: text("conversation_id")?,
        })
    }
}

/// One of the user's conversations before its details are read.
struct Row {
    position: Position,
    state: ConversationState,
    peer_id: Option<String>,
    chat_id: Option<String>,
    /// Known for direct conversations; a chat's comes from its membership item.
    read_count: Option<u64>,
}

pub async fn inbox(app: &App, me: &str, page: PageRequest) -> Result<Page<InboxItem>> {
    let scope = scope(me);
    let after = match page.start(&app.cursors, &scope)? {
        Some(key) => Some(
            Position::from_resume_point(&key)
                .ok_or_else(|| Error::validation("cursor", "the cursor is not an inbox cursor"))?,
        ),
        None => None,
    };
    let (directs, chat_ids) = futures::try_join!(
        app.store.direct_conversations(me, MAX_INBOX_DIRECT),
        app.store.recent_member_chat_ids(me, MAX_INBOX_CHATS)
    )?;
    let ids: Vec<String> = directs
        .iter()
        .map(|d| d.conversation_id.clone())
        .chain(
            chat_ids
                .iter()
                .map(|id| Conversation::Chat(ChatId::trusted(id.clone())).id()),
        )
        .collect();
    let states: HashMap<String, ConversationState> = app
        .store
        .conversations(&ids)
        .await?
        .into_iter()
        .map(|state| (state.conversation_id.clone(), state))
        .collect();
    let row = |conversation_id: &str, peer_id: Option<String>, chat_id: Option<String>, read| {
        let state = states.get(conversation_id)?.clone();
        Some(Row {
            position: Position {
                last_activity: state.last_activity.clone()?,
                conversation_id: conversation_id.to_owned(),
            },
            state,
            peer_id,
            chat_id,
            read_count: read,
        })
    };
    let mut rows: Vec<Row> = directs
        .iter()
        .filter_map(|d| {
            row(
                &d.conversation_id,
                Some(d.peer_id.clone()),
                None,
                Some(d.read_count),
            )
        })
        .chain(chat_ids.iter().filter_map(|id| {
            row(
                &Conversation::Chat(ChatId::trusted(id.clone())).id(),
                None,
                Some(id.clone()),
                None,
            )
        }))
        .filter(|r| after.as_ref().is_none_or(|after| r.position < *after))
        .collect();
    rows.sort_by(|a, b| b.position.cmp(&a.position));
    let limit = usize::try_from(page.limit()).unwrap_or(0);
    let next = (rows.len() > limit)
        .then(|| rows.get(limit.saturating_sub(1)))
        .flatten();
    let next = next.map(|r| r.position.resume_point());
    rows.truncate(limit);
    let items = details(app, me, rows).await?;
    Ok(Page::new(&app.cursors, &scope, items, next))
}

/// The page's rows with their last messages, peers, chats and unread counts.
async fn details(app: &App, me: &str, rows: Vec<Row>) -> Result<Vec<InboxItem>> {
    let peer_ids: Vec<String> = rows.iter().filter_map(|r| r.peer_id.clone()).collect();
    let chat_ids: Vec<String> = rows.iter().filter_map(|r| r.chat_id.clone()).collect();
    let last_keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.position.conversation_id.clone(),
                r.position.last_activity.clone(),
            )
        })
        .collect();
    let (peers, chats, positions, last_messages) = futures::try_join!(
        app.store.get_public_users(&peer_ids),
        app.store.get_chats(&chat_ids),
        app.store.read_positions(me, &chat_ids),
        app.store.get_messages(&last_keys)
    )?;
    let peers: HashMap<String, PublicUser> = peers.into_iter().map(|u| (u.id.clone(), u)).collect();
    let chats: HashMap<String, Chat> = chats.into_iter().map(|c| (c.id.clone(), c)).collect();
    let positions: HashMap<String, u64> = positions.into_iter().collect();
    let mut last_messages: HashMap<String, Message> = last_messages
        .into_iter()
        .map(|m| (m.conversation_id.clone(), m))
        .collect();
    let mut items: Vec<InboxItem> = rows
        .into_iter()
        .filter_map(|row| {
            let (chat, read_count) = match &row.chat_id {
                // Left the chat since its id was listed: not this user's any more.
                Some(id) => (Some(chats.get(id)?.clone()), *positions.get(id)?),
                None => (None, row.read_count.unwrap_or(0)),
            };
            let conversation_id = row.position.conversation_id;
            Some(InboxItem {
                peer: row.peer_id.as_ref().and_then(|id| peers.get(id).cloned()),
                chat,
                kind: if row.chat_id.is_some() {
                    ConversationKind::Chat
                } else {
                    ConversationKind::Direct
                },
                last_message: last_messages.remove(&conversation_id)?,
                unread_count: row.state.message_count.saturating_sub(read_count),
                conversation_id,
            })
        })
        .collect();
    crate::domain::attachments::with_downloads(
        app.storage.as_ref(),
        items.iter_mut().map(|i| &mut i.last_message),
    )
    .await;
    Ok(items)
}
