//! `/messages/...`: the messages endpoint group. A send and every change go through
//! `domain::messages::{send, change}`, as the WebSocket frames do: the rule beside the look-up
//! of its audience's sockets, then the pushes once it is stored.
//!
//! A change's rule is boxed where its handler makes it: a rule's first wave joins several
//! reads, and held inline by the handler's future (and so by `route`'s), it overflowed the
//! 2 MiB stack of a debug build's thread that awaits a route itself (`tests/tests/unavailable.rs`).

use std::future::Future;
use std::sync::Arc;

use chat_aws::metrics;
use chat_core::authorisation::refused;
use chat_core::error::ErrorBody;
use chat_core::error::{Error, Result};
use chat_core::ids::{ChatId, UserId};
use chat_core::messages::{Edit, Message, NewMessage, Reaction, ReactionQuery, rules};
use lambda_http::http::Method;

use super::failures::{AuthFailures, BodyFailures, Failures};
use super::{authorised, caller, unrouted};
use crate::app::App;
use crate::domain::attachments::Files;
use crate::domain::inbox::{self, InboxItem};
use crate::domain::messages::{self, HistoryQuery};
use crate::http::{ApiRequest, ApiResponse};
use chat_core::paging::{Page, PageRequest};

/// User and chat ids in the path are parsed here; one that cannot name any (`None`) is 404 from
/// the handler, after the token and the query, which answered first before ids were typed.
pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["messages"]) => send(app, &req).await,
        (&Method::GET, ["messages", "conversations"]) => inbox(app, &req).await,
        (&Method::GET, ["messages", "conversation", user_id]) => {
            direct_history(app, &req, UserId::parse(user_id)).await
        }
        (&Method::GET, ["messages", "chat", chat_id]) => {
            chat_history(app, &req, ChatId::parse(chat_id)).await
        }
        (&Method::GET, ["messages", id]) => get(app, &req, id).await,
        (&Method::PUT, ["messages", id]) => edit(app, &req, id).await,
        (&Method::DELETE, ["messages", id]) => delete(app, &req, id).await,
        (&Method::POST, ["messages", id, "reactions"]) => add_reaction(app, &req, id).await,
        (&Method::DELETE, ["messages", id, "reactions"]) => remove_reaction(app, &req, id).await,
        (&Method::PATCH, ["messages", id, "read"]) => mark_read(app, &req, id).await,
        (_, path) => unrouted(allowed(path)),
    }
}

/// The methods the group serves at `path`, as an `Allow` header lists them.
fn allowed(path: &[&str]) -> &'static str {
    match path {
        ["messages"] => "POST",
        ["messages", _] => "GET, PUT, DELETE",
        ["messages", _, "reactions"] => "POST, DELETE",
        ["messages", _, "read"] => "PATCH",
        ["messages", "conversation" | "chat", _] => "GET",
        _ => "",
    }
}

/// The request's `input`, with the caller's authorisation still to run in the rule's first wave;
/// an invalid input is answered once the authorisation has (its 401 or 429 comes first).
async fn valid<T, A>(input: Result<T>, authorised: A) -> Result<(T, A)>
where
    A: Future<Output = Result<()>>,
{
    match input {
        Ok(input) => Ok((input, authorised)),
        Err(invalid) => Err(refused(authorised, invalid).await),
    }
}

/// Send a message to a user or a chat. The same sender with the same `client_message_id` gets
/// the first message back (200), never a second copy.
#[utoipa::path(post, path = "/messages", tag = "messages", security(("bearer" = [])),
    request_body = NewMessage,
    responses(
        (status = 201, description = "The new message", body = Message),
        (status = 200, description = "The first message sent with this `client_message_id`", body = Message),
        (status = 403, description = "The caller is not a member of the chat (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such recipient or chat (`not_found`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn send(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    // The token's signature names the caller; its session and write count are checked in the
    // send's first wave, beside the send's reads and the look-up of the recipients' sockets
    // (`rules::send`), and the 401 or 429 still comes first.
    let token = app.tokens.verify(req.bearer()?)?;
    let (new, authorised) = valid(req.body::<NewMessage>(), authorised(app, &token)).await?;
    let sent = messages::send(app, &token.user_id, &new, authorised).await?;
    Ok(if sent.created {
        metrics::message_sent("rest");
        ApiResponse::created(&sent.message)
    } else {
        ApiResponse::ok(&sent.message)
    })
}

/// The caller's conversations, most recent activity first.
#[utoipa::path(get, path = "/messages/conversations", tag = "messages",
    security(("bearer" = [])), params(PageRequest),
    responses(
        (status = 200, description = "A page of the inbox", body = Page<InboxItem>),
        (status = 422, description = "A bad `limit` or `cursor` (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn inbox(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let page = inbox::inbox(app, &me.id, req.query_as()?).await?;
    Ok(ApiResponse::page(&page))
}

/// The direct conversation with a user, newest first.
#[utoipa::path(get, path = "/messages/conversation/{user_id}", tag = "messages",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The other user"), HistoryQuery),
    responses(
        (status = 200, description = "A page of messages; empty when the two never talked", body = Page<Message>),
        (status = 404, description = "Not a user id, or the caller's own (`not_found`)", body = ErrorBody),
        (status = 422, description = "A bad `limit`, `cursor` or `after_seq` (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn direct_history(
    app: &App,
    req: &ApiRequest,
    user_id: Option<UserId>,
) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let query = req.query_as::<HistoryQuery>()?;
    let peer = user_id.ok_or(Error::NotFound)?;
    let page = messages::direct_history(app, &me.id, &peer, query).await?;
    Ok(ApiResponse::page(&page))
}

/// A chat's messages, newest first.
#[utoipa::path(get, path = "/messages/chat/{chat_id}", tag = "messages",
    security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "A chat id"), HistoryQuery),
    responses(
        (status = 200, description = "A page of messages", body = Page<Message>),
        (status = 404, description = "No such chat, or the caller is not a member (`not_found`)", body = ErrorBody),
        (status = 422, description = "A bad `limit`, `cursor` or `after_seq` (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn chat_history(
    app: &App,
    req: &ApiRequest,
    chat_id: Option<ChatId>,
) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let query = req.query_as::<HistoryQuery>()?;
    let chat_id = chat_id.ok_or(Error::NotFound)?;
    let page = messages::chat_history(app, &me.id, &chat_id, query).await?;
    Ok(ApiResponse::page(&page))
}

/// One message of a conversation the caller takes part in.
#[utoipa::path(get, path = "/messages/{message_id}", operation_id = "get_message", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id")),
    responses(
        (status = 200, description = "The message", body = Message),
        (status = 404, description = "No such message, or the caller is not a participant (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn get(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    Ok(ApiResponse::ok(
        &rules::get(&app.store, &Files(app), &me.id, id).await?,
    ))
}

/// Edit a message; only its sender may.
///
/// An edit to the content the message has (a retry) changes nothing, pushes nothing and
/// answers the message as it is.
#[utoipa::path(put, path = "/messages/{message_id}", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id")),
    request_body = Edit,
    responses(
        (status = 200, description = "The edited message, `edited_at` set; or, for its own content, the message unchanged", body = Message),
        (status = 403, description = "Not the sender (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such message (`not_found`)", body = ErrorBody),
        (status = 409, description = "The message is deleted (`conflict`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn edit(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let token = app.tokens.verify(req.bearer()?)?;
    let (edit, authorised) = valid(req.body::<Edit>(), authorised(app, &token)).await?;
    let (me, files) = (&token.user_id, Files(app));
    let rule = Box::pin(rules::edit(
        &app.store,
        &files,
        me,
        id,
        &edit.content,
        authorised,
    ));
    Ok(ApiResponse::ok(&messages::change(app, id, rule).await?))
}

/// Delete a message; only its sender may. It stays in history as a tombstone.
#[utoipa::path(delete, path = "/messages/{message_id}", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the sender (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such message (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn delete(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let token = app.tokens.verify(req.bearer()?)?;
    let (me, files) = (&token.user_id, Files(app));
    let rule = Box::pin(rules::delete(
        &app.store,
        &files,
        me,
        id,
        authorised(app, &token),
    ));
    messages::change(app, id, rule).await?;
    Ok(ApiResponse::no_content())
}

/// React to a message; the same reaction twice changes nothing. A message takes at most 50
/// distinct emoji and 1,000 reactions (`limit_exceeded`).
#[utoipa::path(post, path = "/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id")),
    request_body = Reaction,
    responses(
        (status = 200, description = "The message with the reaction", body = Message),
        (status = 404, description = "No such message (`not_found`)", body = ErrorBody),
        (status = 409, description = "The message is deleted (`conflict`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn add_reaction(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let token = app.tokens.verify(req.bearer()?)?;
    let (reaction, authorised) = valid(req.body::<Reaction>(), authorised(app, &token)).await?;
    let (me, files) = (&token.user_id, Files(app));
    let rule = Box::pin(rules::add_reaction(
        &app.store,
        &files,
        me,
        id,
        &reaction.emoji,
        authorised,
    ));
    Ok(ApiResponse::ok(&messages::change(app, id, rule).await?))
}

/// Take back a reaction: `emoji` as a query parameter (which wins) or in the body.
#[utoipa::path(delete, path = "/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id"), ReactionQuery),
    request_body(content = Option<Reaction>, description = "The reaction, unless the query names it"),
    responses(
        (status = 200, description = "The message without the reaction", body = Message),
        (status = 404, description = "No such message (`not_found`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn remove_reaction(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let token = app.tokens.verify(req.bearer()?)?;
    let emoji = match req.query_as::<ReactionQuery>().map(|query| query.emoji) {
        Ok(Some(emoji)) => Ok(emoji),
        Ok(None) => req.body::<Reaction>().map(|reaction| reaction.emoji),
        Err(invalid) => Err(invalid),
    };
    let (emoji, authorised) = valid(emoji, authorised(app, &token)).await?;
    let (me, files) = (&token.user_id, Files(app));
    let rule = Box::pin(rules::remove_reaction(
        &app.store, &files, me, id, &emoji, authorised,
    ));
    Ok(ApiResponse::ok(&messages::change(app, id, rule).await?))
}

/// Mark a message read. `read_by` records at most 1,000 readers; later reads answer 200
/// unrecorded.
#[utoipa::path(patch, path = "/messages/{message_id}/read", tag = "messages",
    security(("bearer" = [])),
    params(("message_id" = String, Path, description = "A message id")),
    responses(
        (status = 200, description = "The message with the caller in `read_by`", body = Message),
        (status = 404, description = "No such message (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn mark_read(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let token = app.tokens.verify(req.bearer()?)?;
    let (me, files) = (&token.user_id, Files(app));
    let rule = Box::pin(rules::mark_read(
        &app.store,
        &files,
        me,
        id,
        authorised(app, &token),
    ));
    Ok(ApiResponse::ok(&messages::change(app, id, rule).await?))
}
