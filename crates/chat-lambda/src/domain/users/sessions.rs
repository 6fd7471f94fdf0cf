//! Sessions' effects beyond the store: the rules (`chat_core::users::sessions`) end a session
//! and say which sockets must close; this closes them through the WebSocket delivery.

use chat_core::error::{Error, Result};
use chat_core::ports::Verified;
use chat_core::users::sessions::{self as rules, CloseSockets, Refreshed};
use chat_core::users::{Session, User};

use crate::app::App;

/// Starts a session for `user`, who just proved its password; the sessions it pushes out (the
/// oldest beyond the cap, expired ones) end with their sockets.
pub async fn start(app: &App, user: &User) -> Result<Session> {
    let started = rules::start(&app.store, &app.tokens, user).await?;
    if let Some(closing) = &started.closing {
        close_sockets(app, closing).await;
    }
    Ok(started.session)
}

/// Swaps a refresh token for a new pair; a token that was already used or expired ends its
/// session and closes the session's sockets (401).
pub async fn refresh(app: &App, raw: &str) -> Result<Session> {
    match rules::refresh(&app.store, &app.tokens, raw).await? {
        Refreshed::Renewed(session) => Ok(*session),
        Refreshed::Ended(closing) => {
            close_sockets(app, &closing).await;
            Err(Error::Unauthorized)
        }
    }
}

/// Ends the session of the token the caller presented and closes the sockets opened with it.
pub async fn logout(app: &App, user: &User, token: &Verified) -> Result<()> {
    let closing = rules::logout(&app.store, user, token).await?;
    close_sockets(app, &closing).await;
    Ok(())
}

/// Closes the sockets of ended sessions, after the sessions ended: a `$connect` of one of them
/// that has not written its record yet is refused by its own write (conditioned on the session),
/// and one that has is in the index item read here. A socket left open by a failure here (the
/// read, or a close the Management API refused and the record's deletion too) goes at its next
/// frame that acts for the user (it checks the session), or with its token's expiry.
pub(super) async fn close_sockets(app: &App, closing: &CloseSockets) {
    let Some(delivery) = &app.delivery else {
        return;
    };
    let user_id = closing.user_id.as_str();
    let sockets = match app.store.sockets_of_user(user_id).await {
        Ok(sockets) => sockets,
        Err(err) => {
            tracing::warn!(error = %err, user_id, "sockets of an ended session not closed");
            return;
        }
    };
    let closed = sockets
        .iter()
        .filter(|s| closing.includes(s.session_id.as_deref()));
    futures::future::join_all(closed.map(|s| delivery.close(&s.connection_id))).await;
}
