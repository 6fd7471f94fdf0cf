//! A conversation's history: newest first, or, with `after_seq`, every message created or
//! changed after a number of the conversation's sequence, in the order of their last changes
//! (what a client that was away has missed).

use chat_core::chats::rules::takes_part;
use chat_core::conversation::Conversation;
use chat_core::error::{Error, Result};
use chat_core::input::Limit;
use chat_core::messages::Message;
use serde::{Deserialize, Deserializer, de::Error as _};
use utoipa::IntoParams;

use crate::app::App;
use crate::domain::paging::{Page, PageRequest};

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

impl HistoryQuery {
    fn page(&self) -> PageRequest {
        PageRequest {
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// Cursors of a history only resume that conversation's history.
fn history_scope(conversation: &Conversation) -> String {
    format!("messages:{}", conversation.id())
}

/// The direct conversation of `me` with `peer`, newest first.
pub async fn direct_history(
    app: &App,
    me: &str,
    peer: &str,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::direct(me, peer).ok_or(Error::NotFound)?;
    history(app, &conversation, query.into()).await
}

/// A chat's messages, newest first; 404 for non-members.
pub async fn chat_history(
    app: &App,
    me: &str,
    chat_id: &str,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::chat(chat_id).ok_or(Error::NotFound)?;
    if !takes_part(&app.store, &conversation, me).await? {
        return Err(Error::NotFound);
    }
    history(app, &conversation, query.into()).await
}

async fn history(
    app: &App,
    conversation: &Conversation,
    query: HistoryQuery,
) -> Result<Page<Message>> {
    let page = query.page();
    let scope = match query.after_seq {
        // A cursor resumes the same catch-up only.
        Some(after) => format!("{}:after:{after}", history_scope(conversation)),
        None => history_scope(conversation),
    };
    let start = page.start(app, &scope)?;
    let id = conversation.id();
    let (mut items, next) = match query.after_seq {
        Some(after) => {
            app.store
                .changes_after(&id, after, page.limit(), start)
                .await?
        }
        None => app.store.history(&id, page.limit(), start).await?,
    };
    crate::domain::attachments::with_downloads(app.storage.as_ref(), &mut items).await;
    Ok(Page::new(app, &scope, items, next))
}
