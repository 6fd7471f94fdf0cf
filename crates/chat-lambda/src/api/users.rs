//! `/users/...`: the users endpoint group.

use std::sync::Arc;

use chat_core::error::ErrorBody;
use chat_core::error::Result;
use chat_core::presence::audience;
use chat_core::users::sessions::authenticate;
use chat_core::users::{
    AccountDeletion, Login, PrivateUser, ProfileChange, ProfileUpdated, PublicUser, RefreshRequest,
    Registration, SearchQuery, Session, StatusChange,
};
use lambda_http::http::Method;

use super::failures::{AuthFailures, BodyFailures, Failures};
use super::{caller, unrouted};
use crate::app::App;
use crate::domain::users::{self, sessions};
use crate::http::{ApiRequest, ApiResponse};
use chat_core::paging::{Page, PageRequest};

pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["users", "register"]) => register(app, &req).await,
        (&Method::POST, ["users", "login"]) => login(app, &req).await,
        (&Method::POST, ["users", "refresh"]) => refresh(app, &req).await,
        (&Method::POST, ["users", "logout"]) => logout(app, &req).await,
        (&Method::GET, ["users", "me"]) => get_me(app, &req).await,
        (&Method::PUT, ["users", "me"]) => update_me(app, &req).await,
        (&Method::DELETE, ["users", "me"]) => delete_me(app, &req).await,
        (&Method::PATCH, ["users", "me", "status"]) => set_status(app, &req).await,
        (&Method::GET, ["users", "search"]) => search(app, &req).await,
        (&Method::GET, ["users"]) => list(app, &req).await,
        (&Method::GET, ["users", user_id]) => get_user(app, &req, user_id).await,
        (_, path) => unrouted(allowed(path)),
    }
}

/// The methods the group serves at `path`, as an `Allow` header lists them.
fn allowed(path: &[&str]) -> &'static str {
    match path {
        ["users"] | ["users", "search"] => "GET",
        // GET looks these up as user ids (and finds none).
        ["users", "register" | "login" | "refresh" | "logout"] => "GET, POST",
        ["users", "me"] => "GET, PUT, DELETE",
        ["users", "me", "status"] => "PATCH",
        ["users", _] => "GET",
        _ => "",
    }
}

/// Create an account.
#[utoipa::path(post, path = "/users/register", tag = "users", request_body = Registration,
    responses(
        (status = 201, description = "The new account", body = PrivateUser),
        (status = 409, description = "`username_taken` or `email_taken`", body = ErrorBody),
        BodyFailures, Failures,
    ))]
pub(super) async fn register(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let user = users::register(app, req.body()?, req.client_ip()).await?;
    Ok(ApiResponse::created(&user.private()))
}

/// Log in: an access token for the REST API and the WebSocket API, and a refresh token to renew
/// it. From the 6th failure within a minute for one account from one address (by default),
/// every attempt of that pair is refused with 429 until the minute ends, right password or not.
#[utoipa::path(post, path = "/users/login", tag = "users", request_body = Login,
    responses(
        (status = 200, description = "A session", body = Session),
        (status = 401, description = "`invalid_credentials`: the same answer for an unknown user and a wrong password", body = ErrorBody),
        BodyFailures, Failures,
    ))]
pub(super) async fn login(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let login = req.body::<Login>()?;
    Ok(ApiResponse::ok(
        &users::login(app, login, req.client_ip()).await?,
    ))
}

/// Swap a refresh token for a new access and refresh pair (the old refresh token is used up).
/// Renew before the access token's `expires_in` runs out, then reconnect the WebSocket with the
/// new access token: a socket closes at its first frame or push after its token expired.
/// Presenting a refresh token that was already used ends its whole session.
#[utoipa::path(post, path = "/users/refresh", tag = "users", request_body = RefreshRequest,
    responses(
        (status = 200, description = "The session's new tokens", body = Session),
        (status = 401, description = "`unauthorized`: unknown, expired or already used (which ends the session)", body = ErrorBody),
        BodyFailures, Failures,
    ))]
pub(super) async fn refresh(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let request: RefreshRequest = req.body()?;
    Ok(ApiResponse::ok(
        &sessions::refresh(app, &request.refresh_token).await?,
    ))
}

/// End the caller's session: its access and refresh tokens stop working and the sockets opened
/// with them close. Other sessions of the account (other devices) go on.
#[utoipa::path(post, path = "/users/logout", tag = "users", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), AuthFailures, Failures))]
pub(super) async fn logout(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let (me, token) = authenticate(&app.store, &app.tokens, req.bearer()?).await?;
    sessions::logout(app, &me, &token).await?;
    Ok(ApiResponse::no_content())
}

/// The caller's own profile.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = PrivateUser), AuthFailures, Failures))]
pub(super) async fn get_me(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    Ok(ApiResponse::ok(&caller(app, req).await?.private()))
}

/// Change the caller's profile; absent fields stay as they are. A new password needs the
/// `current_password`; a new email needs it too, unless the session logged in within the last
/// five minutes (a refresh does not count). A wrong `current_password` counts as a failed login
/// of the account from the caller's address, and is refused like one past the limit (429). A
/// new password ends every session of the account (each earlier token gets 401, each socket
/// closes) and answers with a new session's tokens beside the profile, so the caller stays
/// logged in. `email_taken` answers are limited per address (429, then for any new email).
#[utoipa::path(put, path = "/users/me", tag = "users", security(("bearer" = [])),
    request_body(content = Option<ProfileChange>,
        description = "Every field is optional; no body at all changes nothing"),
    responses(
        (status = 200, description = "The changed profile, with new tokens after a password change", body = ProfileUpdated),
        (status = 403, description = "`current_password` is wrong (`forbidden`)", body = ErrorBody),
        (status = 409, description = "`email_taken`, or a concurrent change (`conflict`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn update_me(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let (me, token) = authenticate(&app.store, &app.tokens, req.bearer()?).await?;
    let change: ProfileChange = req.body()?;
    let (user, session) = users::update_profile(app, me, &token, change, req.client_ip()).await?;
    Ok(ApiResponse::ok(&ProfileUpdated::new(
        user.private(),
        session,
    )))
}

/// Delete the caller's account: its tokens stop working, its sockets close, and its username
/// and email become free. The `current_password`, in an optional JSON body, is needed unless
/// the session logged in within the last five minutes (a refresh does not count); a wrong one
/// counts as a failed login of the account from the caller's address.
#[utoipa::path(delete, path = "/users/me", tag = "users", security(("bearer" = [])),
    request_body(content = Option<AccountDeletion>,
        description = "Optional: no body is the same as `{}`"),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`current_password` is wrong (`forbidden`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn delete_me(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let (me, token) = authenticate(&app.store, &app.tokens, req.bearer()?).await?;
    let deletion: AccountDeletion = req.body()?;
    users::delete(app, &me, &token, &deletion, req.client_ip()).await?;
    Ok(ApiResponse::no_content())
}

/// Set the caller's status. With a connection open it shows at once and its presence audience
/// (direct peers, subscribers) gets a `presence` event; with none the choice is only recorded for the next connection, and the
/// caller stays `offline`.
#[utoipa::path(patch, path = "/users/me/status", tag = "users", security(("bearer" = [])),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The caller with its new status", body = PrivateUser),
        (status = 409, description = "A concurrent change (`conflict`)", body = ErrorBody),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn set_status(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let change: StatusChange = req.body()?;
    let user = users::set_status(app, me, change.status).await?;
    // With no open connection the choice is only recorded: nothing changed that anyone sees.
    if user.connection_count <= 0 {
        return Ok(ApiResponse::ok(&user.private()));
    }
    // The status is stored; failing to reach the audience must not turn that into an error.
    match audience::presence_notifications(&app.store, &user).await {
        Ok(notifications) if !notifications.is_empty() => app.notifier.notify(notifications).await,
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "presence not announced"),
    }
    Ok(ApiResponse::ok(&user.private()))
}

/// Users whose username or display name starts with `q`, case-insensitively. One page: refine
/// `q` to find more.
#[utoipa::path(get, path = "/users/search", tag = "users", security(("bearer" = [])),
    params(SearchQuery),
    responses(
        (status = 200, description = "Matching users; `next_cursor` is always null", body = Page<PublicUser>),
        (status = 422, description = "`q` or `limit` out of range (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn search(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    caller(app, req).await?;
    let query: SearchQuery = req.query_as()?;
    let found = users::search(app, &query).await?;
    tracing::debug!(consumed_rcu = found.consumed_rcu, "user search");
    Ok(ApiResponse::page(&Page {
        items: found.users,
        next_cursor: None,
    }))
}

/// Every user, a page at a time.
#[utoipa::path(get, path = "/users", operation_id = "list_users", tag = "users", security(("bearer" = [])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of users", body = Page<PublicUser>),
        (status = 422, description = "A bad `limit` or `cursor` (`validation_error`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn list(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    caller(app, req).await?;
    let page = users::list(app, req.query_as()?).await?;
    Ok(ApiResponse::page(&page))
}

/// Anybody's public profile.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "A user id")),
    responses(
        (status = 200, description = "The user", body = PublicUser),
        (status = 404, description = "No such user (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn get_user(app: &App, req: &ApiRequest, user_id: &str) -> Result<ApiResponse> {
    caller(app, req).await?;
    Ok(ApiResponse::ok(&users::get_public(app, user_id).await?))
}
