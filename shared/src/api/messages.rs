//! `/messages/...`: the messages endpoint group. Every change is handed to the notifier once it
//! is stored.

use std::sync::Arc;

use lambda_http::http::Method;

use super::{caller, page_request, unrouted};
use crate::app::App;
use crate::domain::{inbox, messages};
use crate::error::Result;
use crate::events::Outcome;
use crate::http::{ApiRequest, ApiResponse};

pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["messages"]) => send(app, &req).await,
        (&Method::GET, ["messages", "conversations"]) => {
            let me = caller(app, &req).await?;
            let page = inbox::inbox(app, &me.id, page_request(&req)?).await?;
            Ok(ApiResponse::page(&page.items, page.next_cursor))
        }
        (&Method::GET, ["messages", "conversation", user_id]) => {
            let me = caller(app, &req).await?;
            let page = messages::direct_history(app, &me.id, user_id, page_request(&req)?).await?;
            Ok(ApiResponse::page(&page.items, page.next_cursor))
        }
        (&Method::GET, ["messages", "chat", chat_id]) => {
            let me = caller(app, &req).await?;
            let page = messages::chat_history(app, &me.id, chat_id, page_request(&req)?).await?;
            Ok(ApiResponse::page(&page.items, page.next_cursor))
        }
        (&Method::GET, ["messages", id]) => {
            let me = caller(app, &req).await?;
            Ok(ApiResponse::ok(&messages::get(app, &me.id, id).await?))
        }
        (&Method::PUT, ["messages", id]) => {
            let me = caller(app, &req).await?;
            let body = req.json()?;
            let outcome = messages::edit(app, &me.id, id, body.str("content")?).await?;
            Ok(ApiResponse::ok(&notify(app, outcome).await))
        }
        (&Method::DELETE, ["messages", id]) => {
            let me = caller(app, &req).await?;
            notify(app, messages::delete(app, &me.id, id).await?).await;
            Ok(ApiResponse::no_content())
        }
        (&Method::POST, ["messages", id, "reactions"]) => {
            let me = caller(app, &req).await?;
            let body = req.json()?;
            let outcome = messages::add_reaction(app, &me.id, id, body.str("emoji")?).await?;
            Ok(ApiResponse::ok(&notify(app, outcome).await))
        }
        (&Method::DELETE, ["messages", id, "reactions"]) => {
            let me = caller(app, &req).await?;
            // Some clients cannot send a body with DELETE: the query parameter comes first.
            let body = req.json()?;
            let emoji = match req.query("emoji") {
                Some(emoji) => emoji,
                None => body.str("emoji")?,
            };
            let outcome = messages::remove_reaction(app, &me.id, id, emoji).await?;
            Ok(ApiResponse::ok(&notify(app, outcome).await))
        }
        (&Method::PATCH, ["messages", id, "read"]) => {
            let me = caller(app, &req).await?;
            let outcome = messages::mark_read(app, &me.id, id).await?;
            Ok(ApiResponse::ok(&notify(app, outcome).await))
        }
        (_, path) => unrouted(serves(path)),
    }
}

/// The paths of the group's routes, whatever the method.
fn serves(path: &[&str]) -> bool {
    matches!(
        path,
        ["messages"]
            | ["messages", _]
            | ["messages", "conversation" | "chat", _]
            | ["messages", _, "reactions" | "read"]
    )
}

/// Hands the change's notifications to the notifier and returns its result.
async fn notify<T>(app: &App, outcome: Outcome<T>) -> T {
    if !outcome.notifications.is_empty() {
        app.notifier.notify(outcome.notifications).await;
    }
    outcome.value
}

async fn send(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let body = req.json()?;
    let new = messages::NewMessage {
        recipient_id: body.opt_str("recipient_id")?,
        chat_id: body.opt_str("chat_id")?,
        content: body.str("content")?,
        message_type: body.opt_str("message_type")?,
        reply_to_id: body.opt_str("reply_to_id")?,
        client_message_id: body.opt_str("client_message_id")?,
    };
    let sent = notify(app, messages::send(app, &me.id, new).await?).await;
    Ok(if sent.created {
        ApiResponse::created(&sent.message)
    } else {
        ApiResponse::ok(&sent.message)
    })
}
