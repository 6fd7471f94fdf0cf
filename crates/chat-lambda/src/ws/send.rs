//! The message routes: `sendMessage`, `typing`, `markRead`, `subscribePresence`, `ping` and
//! `$default`. Every frame is answered on the sending connection only when the contract says so
//! (`message.sent`, `presence.snapshot`, `pong`, `error`); a bad frame never closes the
//! connection.
//!
//! Every frame first renews its connection's lease (see `domain::presence`). That one
//! UpdateItem also returns the connection's user, which the routes used to read with a GetItem,
//! so the renewal adds no round trip. A frame whose record is gone (swept while the client was
//! silent) closes the connection: the client reconnects and re-syncs instead of missing pushes.
//! So does a frame after the token the socket was opened with expired: a socket lives no longer
//! than its token (the client reconnects with a refreshed one).
//!
//! A write (`sendMessage`, `markRead`) takes the user's write limit, the bucket REST writes take:
//! the frame limit is per connection, and a user may open several, so without it every socket
//! would be a write budget of its own.
//!
//! A frame that acts for the user (`sendMessage`, `typing`, `markRead`) reads the account, and
//! with it the sessions: one whose socket's session ended closes the socket instead of being
//! served. Ending a session closes its sockets already; this covers a close that failed.

use std::sync::Arc;
use std::time::Duration;

use chat_aws::metrics;
use chat_core::connections::LiveConnection;
use chat_core::error::{Error, Result};
use chat_core::events::{Event, Payload, Pong, SentMessage};
use chat_core::input;
use chat_core::messages::{MarkRead, NewMessage, TypingSignal, rules};
use chat_core::presence::subscriptions::{self, PresenceSubscription};
use chat_core::rate_limits::Bucket;
use serde::Deserialize;

use super::{WsRequest, WsResponse, connection_id, ok};
use crate::app::App;
use crate::deadline;
use crate::domain::attachments::Files;
use crate::domain::{messages, presence};
use crate::limits::{self, FrameVerdict};

/// A client frame, chosen by its `action` (API Gateway's route selection
/// `$request.body.action`); each action's fields are those of the matching REST request.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action")]
pub enum Action {
    #[serde(rename = "sendMessage")]
    SendMessage(NewMessage),
    #[serde(rename = "typing")]
    Typing(TypingSignal),
    #[serde(rename = "markRead")]
    MarkRead(MarkRead),
    #[serde(rename = "subscribePresence")]
    SubscribePresence(PresenceSubscription),
    #[serde(rename = "ping")]
    Ping,
}

/// Left of a frame's budget for pushing its answer (one Management API call, 3 s at most).
const ERROR_PUSH_ROOM: Duration = Duration::from_millis(1500);

pub async fn handle(app: Arc<App>, req: WsRequest) -> Result<WsResponse> {
    let connection = connection_id(&req)?.to_owned();
    let route = req
        .request_context
        .route_key
        .as_deref()
        .unwrap_or("$default");
    let body = req.body.as_deref().unwrap_or_default();
    // Messages, typing signals and subscriptions (up to 200 writes each) count against the
    // connection's limit; the count is independent of the renewal, so both writes go at once.
    let limited = matches!(route, "sendMessage" | "typing" | "subscribePresence");
    // The frame's work stops early enough to push its `error` (503 `unavailable`) when slow
    // dependencies take it to its budget (crate::deadline).
    let (renewed, verdict) = tokio::join!(
        deadline::within(ERROR_PUSH_ROOM, presence::renew(&app, &connection)),
        deadline::within(ERROR_PUSH_ROOM, async {
            if limited {
                limits::frame(&app, &connection).await.map(Some)
            } else {
                Ok(None)
            }
        })
    );
    let renewed = match renewed {
        Err(err @ Error::Unavailable(_)) => {
            app.delivery()?
                .to_connection(&connection, error_event(err).to_json().as_bytes())
                .await;
            return Ok(ok());
        }
        other => other,
    };
    let Some(live) = renewed? else {
        tracing::info!(connection_id = %connection, "frame on a connection with no record or an expired token; closing it");
        app.delivery()?.close(&connection).await;
        return Ok(ok());
    };
    let served = match verdict? {
        None | Some(FrameVerdict::Allowed) => {
            deadline::within(ERROR_PUSH_ROOM, serve(&app, route, body, live)).await
        }
        Some(FrameVerdict::Refused { retry_after_secs }) => {
            Err(Error::RateLimited { retry_after_secs })
        }
        Some(FrameVerdict::Close) => {
            tracing::warn!(connection_id = %connection, user_id = %live.user_id, "a connection kept flooding; closing it");
            app.delivery()?.close(&connection).await;
            return Ok(ok());
        }
    };
    let reply = match served {
        Ok(Reply::Event(event)) => *event,
        Ok(Reply::Nothing) => return Ok(ok()),
        Ok(Reply::Close) => {
            tracing::info!(connection_id = %connection, "frame of an ended session or a deleted account; closing it");
            app.delivery()?.close(&connection).await;
            return Ok(ok());
        }
        Err(err) => error_event(err),
    };
    app.delivery()?
        .to_connection(&connection, reply.to_json().as_bytes())
        .await;
    Ok(ok())
}

/// What a served frame leads to.
enum Reply {
    /// An event to the sending connection (boxed: far larger than the other outcomes).
    Event(Box<Event>),
    Nothing,
    /// The socket's session ended, or its account is gone: close it.
    Close,
}

impl Reply {
    fn with(payload: Payload) -> Self {
        Reply::Event(Box::new(Event::new(payload)))
    }
}

async fn serve(app: &App, route: &str, body: &str, live: LiveConnection) -> Result<Reply> {
    // API Gateway chose the route by the frame's `action`; the frame itself says the same.
    if !matches!(
        route,
        "sendMessage" | "typing" | "markRead" | "subscribePresence" | "ping"
    ) {
        return Err(unknown_action(body));
    }
    match input::body::<Action>(body.as_bytes())? {
        Action::Ping => Ok(Reply::with(Payload::Pong(Pong {}))),
        Action::SubscribePresence(request) => {
            let snapshot = subscriptions::subscribe(&app.store, live, &request).await?;
            Ok(Reply::with(Payload::PresenceSnapshot(snapshot)))
        }
        Action::SendMessage(new) => {
            // As REST's send: the session and the write count in the send's first wave, beside
            // its reads and the look-up of the recipients' sockets. An ended session is the
            // only 401 a send gives, and it closes the socket.
            let sent = messages::send(app, &live.user_id, &new, authorised(app, &live)).await;
            let sent = match sent {
                Err(Error::Unauthorized) => return Ok(Reply::Close),
                sent => sent?,
            };
            if sent.created {
                metrics::message_sent("websocket");
            }
            Ok(Reply::with(Payload::MessageSent(SentMessage {
                message: sent.message,
                client_message_id: new.client_message_id,
            })))
        }
        Action::Typing(signal) => {
            let Some(me) = caller(app, &live).await? else {
                return Ok(Reply::Close);
            };
            let notifications = rules::typing(&app.store, &me, &signal).await?;
            app.notifier.notify(notifications).await;
            Ok(Reply::Nothing)
        }
        Action::MarkRead(read) => {
            // In waves as the send, and as REST's read mark.
            let (me, files, id) = (&live.user_id, Files(app), &read.message_id);
            let rule = Box::pin(rules::mark_read(
                &app.store,
                &files,
                me,
                id,
                authorised(app, &live),
            ));
            match messages::change(app, id, rule).await {
                Err(Error::Unauthorized) => Ok(Reply::Close),
                read => read.map(|_| Reply::Nothing),
            }
        }
    }
}

/// The `$default` route: a frame that is not JSON (400), or names no action this API has.
fn unknown_action(body: &str) -> Error {
    #[derive(Deserialize)]
    struct Named {
        action: Option<serde_json::Value>,
    }
    match input::body::<Named>(body.as_bytes()) {
        Err(err) => err,
        Ok(named) => {
            let action = named
                .action
                .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
                .unwrap_or_default();
            Error::validation(
                "action",
                format!(
                    "unknown action '{action}': use sendMessage, typing, markRead, subscribePresence or ping"
                ),
            )
        }
    }
}

/// The user behind a connection, if the account still exists and the session the socket was
/// opened with goes on; `None` otherwise (the socket must close). A record written before
/// sockets named their session is only checked for its account.
async fn caller(app: &App, live: &LiveConnection) -> Result<Option<String>> {
    let Some(user) = app.store.get_user(&live.user_id).await? else {
        return Ok(None);
    };
    let ended = live
        .session_id
        .as_ref()
        .is_some_and(|sid| !user.sessions.contains_key(sid));
    Ok((!ended).then_some(user.id))
}

/// The user behind a connection for a write, as [`caller`], counted against its write limit
/// as a REST write is (429 once the limit is reached). The count runs concurrently with reading
/// the user, so it adds no round trip, and is given back when the session turns out ended: a
/// socket of an ended session spends nothing of its former owner's budget (as REST's `writer`).
async fn writer(app: &App, live: &LiveConnection) -> Result<Option<String>> {
    let (user, counted) = tokio::join!(
        caller(app, live),
        limits::take(app, Bucket::Writes, &live.user_id)
    );
    match (user, counted) {
        (Ok(Some(user)), counted) => counted.map(|_| Some(user)),
        (user, Ok(reservation)) => {
            limits::give_back(app, reservation).await;
            user
        }
        (user, Err(_)) => user,
    }
}

/// [`writer`] as a rule's first-wave check: an ended session or a deleted account is the
/// only 401 a rule then gives, and the frame's handler closes the socket on it.
async fn authorised(app: &App, live: &LiveConnection) -> Result<()> {
    match writer(app, live).await? {
        Some(_) => Ok(()),
        None => Err(Error::Unauthorized),
    }
}

/// An `error` event with the same `{code, message, field}` the REST API answers.
fn error_event(err: Error) -> Event {
    err.log_cause();
    Event::new(Payload::Error(err.detail().1))
}
