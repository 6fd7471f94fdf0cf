//! `/chats/...`: the chats endpoint group.

use std::sync::Arc;

use chat_core::chats::{Chat, NewChat, NewMember, rules};
use chat_core::error::ErrorBody;
use chat_core::error::{Error, Result};
use chat_core::ids::{ChatId, UserId};
use lambda_http::http::Method;

use super::failures::{AuthFailures, BodyFailures, Failures, IdempotencyKeyHeader};
use super::{caller, unrouted, writer};
use crate::app::App;
use crate::domain::chats;
use crate::http::{ApiRequest, ApiResponse};
use chat_core::paging::{Page, PageRequest};

/// Ids in the path are parsed here; one that cannot name a chat or user (`None`) names none
/// that exists, so the handler answers 404, but only after the checks that answered first
/// before ids were typed (the token, the write limit, the body).
pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["chats"]) => create(app, &req).await,
        (&Method::GET, ["chats"]) => list(app, &req).await,
        (&Method::GET, ["chats", chat_id]) => get(app, &req, ChatId::parse(chat_id)).await,
        (&Method::POST, ["chats", chat_id, "members"]) => {
            add_member(app, &req, ChatId::parse(chat_id)).await
        }
        (&Method::DELETE, ["chats", chat_id, "members", user_id]) => {
            remove_member(app, &req, ChatId::parse(chat_id), UserId::parse(user_id)).await
        }
        (_, path) => unrouted(allowed(path)),
    }
}

/// The methods the group serves at `path`, as an `Allow` header lists them.
fn allowed(path: &[&str]) -> &'static str {
    match path {
        ["chats"] => "GET, POST",
        ["chats", _] => "GET",
        ["chats", _, "members"] => "POST",
        ["chats", _, "members", _] => "DELETE",
        _ => "",
    }
}

/// Create a chat; the creator is always a member.
///
/// With an `Idempotency-Key`, a retry answers the chat the first request made.
#[utoipa::path(post, path = "/chats", tag = "chats", security(("bearer" = [])),
    params(IdempotencyKeyHeader),
    request_body = NewChat,
    responses(
        (status = 201, description = "The new chat", body = Chat),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn create(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = writer(app, req).await?;
    let keyed = req.keyed()?;
    let chat = rules::create(&app.store, &me.id, req.body()?, keyed.as_ref()).await?;
    Ok(ApiResponse::created(&chat))
}

/// The caller's chats, a page at a time.
#[utoipa::path(get, path = "/chats", operation_id = "list_chats", tag = "chats", security(("bearer" = [])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of the caller's chats", body = Page<Chat>),
        (status = 422, description = "A bad `limit` or `cursor` (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn list(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let page = chats::list(app, &me.id, req.query_as()?).await?;
    Ok(ApiResponse::page(&page))
}

/// A chat the caller is a member of.
#[utoipa::path(get, path = "/chats/{chat_id}", operation_id = "get_chat", tag = "chats", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "A chat id")),
    responses(
        (status = 200, description = "The chat", body = Chat),
        (status = 404, description = "No such chat, or the caller is not a member (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn get(
    app: &App,
    req: &ApiRequest,
    chat_id: Option<ChatId>,
) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let chat_id = chat_id.ok_or(Error::NotFound)?;
    Ok(ApiResponse::ok(
        &rules::get(&app.store, &me.id, &chat_id).await?,
    ))
}

/// Add a member; only members may add. A chat has at most 1,000 members.
///
/// With an `Idempotency-Key`, a retry answers the first request's chat.
#[utoipa::path(post, path = "/chats/{chat_id}/members", tag = "chats", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "A chat id"), IdempotencyKeyHeader),
    request_body = NewMember,
    responses(
        (status = 200, description = "The chat with its new member", body = Chat),
        (status = 403, description = "The caller is not a member (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such chat or user (`not_found`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn add_member(
    app: &App,
    req: &ApiRequest,
    chat_id: Option<ChatId>,
) -> Result<ApiResponse> {
    let me = writer(app, req).await?;
    let new: NewMember = req.body()?;
    let keyed = req.keyed()?;
    let chat_id = chat_id.ok_or(Error::NotFound)?;
    let chat =
        rules::add_member(&app.store, &me.id, &chat_id, &new.user_id, keyed.as_ref()).await?;
    Ok(ApiResponse::ok(&chat))
}

/// Remove a member: a member may remove itself, the creator may remove anyone.
///
/// With an `Idempotency-Key`, a retry answers the first request's chat (not 404).
#[utoipa::path(delete, path = "/chats/{chat_id}/members/{user_id}", tag = "chats",
    security(("bearer" = [])),
    params(
        ("chat_id" = String, Path, description = "A chat id"),
        ("user_id" = String, Path, description = "The member to remove"),
        IdempotencyKeyHeader,
    ),
    responses(
        (status = 200, description = "The chat without the member", body = Chat),
        (status = 403, description = "Neither the member itself nor the creator (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such chat or member (`not_found`)", body = ErrorBody),
        (status = 422, description = "A malformed `Idempotency-Key`, or one used for another request (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn remove_member(
    app: &App,
    req: &ApiRequest,
    chat_id: Option<ChatId>,
    user_id: Option<UserId>,
) -> Result<ApiResponse> {
    let me = writer(app, req).await?;
    let keyed = req.keyed()?;
    let chat_id = chat_id.ok_or(Error::NotFound)?;
    // Nobody can be a member under an id that cannot name a user.
    let user_id = user_id.ok_or(Error::NotFound)?;
    let chat = rules::remove_member(&app.store, &me.id, &chat_id, &user_id, keyed.as_ref()).await?;
    Ok(ApiResponse::ok(&chat))
}
