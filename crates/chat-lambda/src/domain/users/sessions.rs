//! Sessions' effects beyond the store: the rules (`chat_core::users::sessions`) end a session
//! and say which sockets must close; this closes them through the WebSocket delivery.

use chat_core::error::{Error, Result};
use chat_core::ports::Verified;
use chat_core::users::sessions::{self as rules, CloseSockets, Refreshed};
use chat_core::users::{Session, User};

use crate::app::App;

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

/// Closes the sockets of ended sessions. The sessions are ended already, so a socket left open
/// by a failure here still closes at its next frame or push.
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
