//! Presence: a user's first open connection makes it `online` (or the `away`/`busy` it chose),
//! its last closed connection makes it `offline` with `last_seen_at`. The decision rests on an
//! atomic per-user connection counter and status writes conditioned on it (see
//! `Store::set_presence`), so connections opening and closing at once end in the right status.
//!
//! A connection lives on a lease that every client frame renews (see `sweep`): one whose
//! `$disconnect` never runs is closed by the sweeper like a real disconnect, so presence is a
//! function of live connections within the lease plus the sweep period.

pub mod sweep;

use std::time::{Duration, SystemTime};

use chat_core::connections::LiveConnection;
use chat_core::error::{Error, Result};
use chat_core::events::Notification;
use chat_core::ports::Verified;
use chat_core::presence::audience::presence_notifications;
use chat_core::time::{format_rfc3339, unix_millis, unix_seconds};
use chat_core::users::{Status, User};

use crate::app::App;
use chat_aws::store::Store;
use chat_aws::store::connections::{NewConnection, Opened};

/// API Gateway closes a WebSocket after two hours: the table's TTL reclaims a record a little
/// later whatever happens (storage only; the lease decides presence).
const CONNECTION_TTL: Duration = Duration::from_secs(2 * 3600 + 600);

/// When a lease taken or renewed now ends, in Unix milliseconds.
pub fn lease_expiry(app: &App) -> i64 {
    unix_millis(SystemTime::now() + app.config.connection_lease)
}

/// Renews a connection's lease at one of its frames: the connection's user and session after
/// it, or `None` when its record is gone (closed, or swept while the client was silent) or the
/// token it was opened with has expired; the socket must then close.
pub async fn renew(app: &App, connection_id: &str) -> Result<Option<LiveConnection>> {
    let now = unix_seconds(SystemTime::now());
    Ok(app
        .store
        .renew_lease(connection_id, lease_expiry(app), now)
        .await?)
}

/// The status a connected user shows: what it chose, if it chose away or busy.
pub fn connected_status(user: &User) -> Status {
    match user.chosen_status {
        Some(chosen @ (Status::Away | Status::Busy)) => chosen,
        _ => Status::Online,
    }
}

/// Records a new connection of `user`; the presence events it yields, if its status changed.
pub async fn connected(
    app: &App,
    user: &User,
    token: &Verified,
    connection_id: &str,
) -> Result<Vec<Notification>> {
    let now = SystemTime::now();
    let opened = app
        .store
        .open_connection(NewConnection {
            connection_id,
            user_id: &user.id,
            connected_at: &format_rfc3339(now),
            lease_expires_at: lease_expiry(app),
            expires_at: unix_seconds(now + CONNECTION_TTL),
            token_expires_at: token.expires_at,
            session_id: &token.session_id,
            max_connections: app.config.max_connections_per_user,
        })
        .await?;
    match opened {
        Opened::Counted => {}
        Opened::AlreadyOpen => return Ok(Vec::new()),
        // Deleted, or its session ended, between the token check and the write: refuse the
        // handshake, as the check itself would have.
        Opened::NoSuchUser | Opened::SessionEnded => return Err(Error::Unauthorized),
        // The handshake is refused with this status (422 `limit_exceeded`): a non-2xx answer
        // of a `$connect` integration refuses the connection on API Gateway.
        Opened::Full => {
            return Err(Error::LimitExceeded(format!(
                "a user holds at most {} connections at once; close one first",
                app.config.max_connections_per_user
            )));
        }
    }
    let status = connected_status(user);
    let changed = app
        .store
        .set_presence(&user.id, status.into(), true, &format_rfc3339(now))
        .await?;
    announce(&app.store, &user.id, changed).await
}

/// Forgets a connection; the presence events it yields if it was its user's last one.
pub async fn disconnected(app: &App, connection_id: &str) -> Result<Vec<Notification>> {
    match app.store.close_connection(connection_id).await? {
        Some(user_id) => closed(&app.store, &user_id).await,
        None => Ok(Vec::new()),
    }
}

/// After one of `user_id`'s connections was closed: `offline` and its events if that was the
/// last one (the status write is conditioned on a zero count, so no extra read decides it).
pub(crate) async fn closed(store: &Store, user_id: &str) -> Result<Vec<Notification>> {
    let now = format_rfc3339(SystemTime::now());
    let changed = store
        .set_presence(user_id, Status::Offline.into(), false, &now)
        .await?;
    announce(store, user_id, changed).await
}

async fn announce(store: &Store, user_id: &str, changed: bool) -> Result<Vec<Notification>> {
    if !changed {
        return Ok(Vec::new());
    }
    match store.get_user(user_id).await? {
        Some(user) => presence_notifications(store, &user).await,
        None => Ok(Vec::new()),
    }
}
