//! Presence: a user's first open connection makes it `online` (or the `away`/`busy` it chose),
//! its last closed connection makes it `offline` with `last_seen_at`. The decision rests on an
//! atomic per-user connection counter and status writes conditioned on it (see
//! `Store::set_presence`), so connections opening and closing at once end in the right status.

use std::time::{Duration, SystemTime};

use super::contacts::presence_notifications;
use super::users::{Status, User};
use crate::app::App;
use crate::error::Result;
use crate::events::Notification;
use crate::time::{format_rfc3339, unix_seconds};

/// API Gateway closes a WebSocket after two hours; a record outliving that (a lost
/// `$disconnect`) expires through the table's TTL a little later.
const CONNECTION_TTL: Duration = Duration::from_secs(2 * 3600 + 600);

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Online => "online",
        Status::Away => "away",
        Status::Busy => "busy",
        Status::Offline => "offline",
    }
}

/// The status a connected user shows: what it chose, if it chose away or busy.
pub fn connected_status(user: &User) -> Status {
    match user.chosen_status {
        Some(chosen @ (Status::Away | Status::Busy)) => chosen,
        _ => Status::Online,
    }
}

/// Records a new connection of `user`; the presence events it yields, if its status changed.
pub async fn connected(app: &App, user: &User, connection_id: &str) -> Result<Vec<Notification>> {
    let now = SystemTime::now();
    let open = app
        .store
        .open_connection(
            connection_id,
            &user.id,
            &format_rfc3339(now),
            unix_seconds(now + CONNECTION_TTL),
        )
        .await?;
    if open < 1 {
        return Ok(Vec::new());
    }
    let status = connected_status(user);
    let changed = app
        .store
        .set_presence(&user.id, status_name(status), true, &format_rfc3339(now))
        .await?;
    announce(app, &user.id, changed).await
}

/// Forgets a connection; the presence events it yields if it was its user's last one.
pub async fn disconnected(app: &App, connection_id: &str) -> Result<Vec<Notification>> {
    let Some((user_id, remaining)) = app.store.close_connection(connection_id).await? else {
        return Ok(Vec::new());
    };
    if remaining > 0 {
        return Ok(Vec::new());
    }
    let now = format_rfc3339(SystemTime::now());
    let changed = app
        .store
        .set_presence(&user_id, status_name(Status::Offline), false, &now)
        .await?;
    announce(app, &user_id, changed).await
}

async fn announce(app: &App, user_id: &str, changed: bool) -> Result<Vec<Notification>> {
    if !changed {
        return Ok(Vec::new());
    }
    match app.store.get_user(user_id).await? {
        Some(user) => presence_notifications(app, &user).await,
        None => Ok(Vec::new()),
    }
}
