//! `/chats/...`: the chats endpoint group.

use std::sync::Arc;

use lambda_http::http::Method;

use super::{caller, page_request, unrouted};
use crate::app::App;
use crate::domain::chats::{self, NewChat};
use crate::error::Result;
use crate::http::{ApiRequest, ApiResponse};

pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["chats"]) => create(app, &req).await,
        (&Method::GET, ["chats"]) => list(app, &req).await,
        (&Method::GET, ["chats", chat_id]) => {
            let me = caller(app, &req).await?;
            Ok(ApiResponse::ok(&chats::get(app, &me.id, chat_id).await?))
        }
        (&Method::POST, ["chats", chat_id, "members"]) => add_member(app, &req, chat_id).await,
        (&Method::DELETE, ["chats", chat_id, "members", user_id]) => {
            let me = caller(app, &req).await?;
            let chat = chats::remove_member(app, &me.id, chat_id, user_id).await?;
            Ok(ApiResponse::ok(&chat))
        }
        (_, path) => unrouted(serves(path)),
    }
}

/// The paths of the group's routes, whatever the method.
fn serves(path: &[&str]) -> bool {
    matches!(
        path,
        ["chats"] | ["chats", _] | ["chats", _, "members"] | ["chats", _, "members", _]
    )
}

async fn create(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let body = req.json()?;
    let new = NewChat {
        name: body.str("name")?,
        member_ids: body.opt_str_list("member_ids")?.unwrap_or_default(),
    };
    let chat = chats::create(app, &me.id, new).await?;
    Ok(ApiResponse::created(&chat))
}

async fn list(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let page = chats::list(app, &me.id, page_request(req)?).await?;
    Ok(ApiResponse::page(&page.items, page.next_cursor))
}

async fn add_member(app: &App, req: &ApiRequest, chat_id: &str) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let body = req.json()?;
    let chat = chats::add_member(app, &me.id, chat_id, body.str("user_id")?).await?;
    Ok(ApiResponse::ok(&chat))
}
