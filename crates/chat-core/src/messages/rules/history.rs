//! A conversation's history: newest first, or, with `after_seq`, every message created or
//! changed after a number of the conversation's sequence, in the order of their last changes
//! (what a client that was away has missed). Pages resume with signed cursors of this
//! conversation and this kind of page only.

use serde::{Deserialize, Deserializer, de::Error as _};
use utoipa::IntoParams;

use crate::chats::rules::takes_part;
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::input::Limit;
use crate::messages::Message;
use crate::paging::{Cursors, Page, PageRequest};
use crate::ports::{AttachmentFiles, ChatStore, MessageHistory};

/// The query of a history: a page, and optionally where to resume.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Items per page.
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 50)]
    pub limit: Limit,
    /// `next_cursor` of the previous page; a forged or foreign cursor gives 422.
    pub cursor: Option<String>,
    /// Only messages created or changed after this number of the conversation's sequence,
    /// oldest change first, each in its current state (`seq`, `updated_seq`).
    #[serde(default, deserialize_with = "after_seq")]
    #[param(value_type = Option<u64>, minimum = 0)]
    pub after_seq: Option<u64>,
}

/// Query values arrive as strings.
fn after_seq<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<u64>, D::Error> {
    let raw = String::deserialize(deserializer)?;
    raw.parse::<u64>()
        .map(Some)
        .map_err(|_| D::Error::custom("after_seq must be a non-negative integer"))
}

/// A plain page of the newest messages.
impl From<PageRequest> for HistoryQuery {
    fn from(page: PageRequest) -> Self {
        HistoryQuery {
            limit: page.limit,
            cursor: page.cursor,
            after_seq: None,
        }
    }
}

/// A page of `conversation` for `me`: 404 unless `me` takes part in it (non-participants may
/// not even learn that it exists).
pub async fn history<S, F>(
    store: &S,
    files: &F,
    cursors: &Cursors,
    me: &str,
    conversation: &Conversation,
    query: HistoryQuery,
) -> Result<Page<Message>>
where
    S: ChatStore + MessageHistory,
    F: AttachmentFiles,
{
    if !takes_part(store, conversation, me).await? {
        return Err(Error::NotFound);
    }
    let id = conversation.id();
    let scope = match query.after_seq {
        // A cursor resumes the same catch-up only.
        Some(after) => format!("messages:{id}:after:{after}"),
        None => format!("messages:{id}"),
    };
    let page = PageRequest {
        limit: query.limit,
        cursor: query.cursor,
    };
    let start = page.start(cursors, &scope)?;
    let (mut items, next) = match query.after_seq {
        Some(after) => {
            store
                .changed_messages(&id, after, page.limit(), start)
                .await?
        }
        None => store.newest_messages(&id, page.limit(), start).await?,
    };
    files.with_downloads(&mut items).await;
    Ok(Page::new(cursors, &scope, items, next))
}
