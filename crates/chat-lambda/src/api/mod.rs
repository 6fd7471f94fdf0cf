//! The REST endpoint groups: each turns an [`ApiRequest`](crate::http::ApiRequest) into calls of
//! the domain and answers with the contract's shapes. One module per Lambda; [`docs`] gathers
//! their OpenAPI descriptions.

pub mod attachments;
pub mod chats;
pub mod docs;
pub mod failures;
pub mod messages;
pub mod users;

use chat_core::error::{Error, Result};
use chat_core::ports::Verified;
use chat_core::rate_limits::Bucket;
use chat_core::users::User;
use chat_core::users::sessions::{authenticate, session_user};

use crate::app::App;
use crate::http::{ApiRequest, ApiResponse};
use crate::limits;

/// The caller, from the bearer token; 401 unless the token is valid and the account exists.
pub async fn caller(app: &App, req: &ApiRequest) -> Result<User> {
    Ok(authenticate(&app.store, &app.tokens, req.bearer()?)
        .await?
        .0)
}

/// The caller of a write (a send, an edit, a reaction, a chat change...), counted against its
/// per-user write limit: 401 first, then 429 once the limit is reached. The token names the
/// user, so the count runs concurrently with reading the user and adds no round trip; when the
/// session turns out to be ended (a logged-out or stolen token), the count is given back before
/// the 401, so that such a token spends nothing of its owner's limit.
pub async fn writer(app: &App, req: &ApiRequest) -> Result<User> {
    let token = app.tokens.verify(req.bearer()?)?;
    counted_writer(app, &token).await
}

/// [`writer`] after the token's signature and expiry were checked: the session and the count,
/// the part a write can run beside its own reads.
async fn counted_writer(app: &App, token: &Verified) -> Result<User> {
    let (user, counted) = tokio::join!(
        session_user(&app.store, token),
        limits::take(app, Bucket::Writes, &token.user_id),
    );
    match (user, counted) {
        (Ok(user), counted) => counted.map(|_| user),
        (Err(err), Ok(reservation)) => {
            limits::give_back(app, reservation).await;
            Err(err)
        }
        (Err(err), Err(_)) => Err(err),
    }
}

/// A write's check of the session and the write count, as a future a rule runs in its first
/// wave, beside its own reads.
pub async fn authorised(app: &App, token: &Verified) -> Result<()> {
    counted_writer(app, token).await.map(drop)
}

/// The answer to a request that none of a group's routes takes, given the methods the group
/// serves at its path (`""` for none). The template's greedy route (`ANY /users/{proxy+}`, ...)
/// delivers every path under the group, so a path the group does not serve must get API
/// Gateway's own 404, exactly as a path no route matches; a path it serves, with another
/// method, gets the contract's 405 with an `Allow` header.
pub fn unrouted(allow: &'static str) -> Result<ApiResponse> {
    if allow.is_empty() {
        Ok(ApiResponse::route_not_found())
    } else {
        Err(Error::MethodNotAllowed { allow })
    }
}
