//! The message routes: `sendMessage`, `typing`, `markRead`, `ping` and `$default`. Every frame
//! is answered on the sending connection only when the contract says so (`message.sent`, `pong`,
//! `error`); a bad frame never closes the connection.
//!
//! Every frame first renews its connection's lease (see `domain::presence`). That one
//! UpdateItem also returns the connection's user, which the routes used to read with a GetItem,
//! so the renewal adds no round trip. A frame whose record is gone (swept while the client was
//! silent) closes the connection: the client reconnects and re-syncs instead of missing pushes.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{WsRequest, WsResponse, connection_id, ok};
use crate::app::App;
use crate::domain::messages::{self, NewMessage};
use crate::domain::presence;
use crate::error::{Error, Result};
use crate::events::{Event, EventType};
use crate::http::ApiResponse;
use crate::input::Body;

pub async fn handle(app: Arc<App>, req: WsRequest) -> Result<WsResponse> {
    let connection = connection_id(&req)?.to_owned();
    let route = req
        .request_context
        .route_key
        .as_deref()
        .unwrap_or("$default");
    let body = req.body.as_deref().unwrap_or_default();
    let lease = presence::lease_expiry(&app);
    let Some(user_id) = app.store.renew_lease(&connection, lease).await? else {
        tracing::info!(connection_id = %connection, "frame on a connection with no record; closing it");
        app.delivery()?.close(&connection).await;
        return Ok(ok());
    };
    let reply = match serve(&app, route, body, &user_id).await {
        Ok(Some(event)) => event,
        Ok(None) => return Ok(ok()),
        Err(err) => error_event(err),
    };
    app.delivery()?
        .to_connection(&connection, reply.to_json().as_bytes())
        .await;
    Ok(ok())
}

async fn serve(app: &App, route: &str, body: &str, user_id: &str) -> Result<Option<Event>> {
    let frame = Body::parse(body.as_bytes())?;
    match route {
        "ping" => Ok(Some(Event::new(EventType::Pong, json!({})))),
        "sendMessage" => {
            let me = caller(app, user_id).await?;
            let client_message_id = frame.opt_str("client_message_id")?;
            let sent = messages::send(
                app,
                &me,
                NewMessage {
                    recipient_id: frame.opt_str("recipient_id")?,
                    chat_id: frame.opt_str("chat_id")?,
                    content: frame.str("content")?,
                    message_type: frame.opt_str("message_type")?,
                    reply_to_id: frame.opt_str("reply_to_id")?,
                    client_message_id,
                },
            )
            .await?;
            app.notifier.notify(sent.notifications).await;
            let mut data = serde_json::to_value(&sent.value.message).map_err(Error::unavailable)?;
            data["client_message_id"] = client_message_id.map_or(Value::Null, Value::from);
            Ok(Some(Event::new(EventType::MessageSent, data)))
        }
        "typing" => {
            let me = caller(app, user_id).await?;
            let is_typing = frame.opt_bool("is_typing")?.unwrap_or(true);
            let notifications = messages::typing(
                app,
                &me,
                frame.opt_str("recipient_id")?,
                frame.opt_str("chat_id")?,
                is_typing,
            )
            .await?;
            app.notifier.notify(notifications).await;
            Ok(None)
        }
        "markRead" => {
            let me = caller(app, user_id).await?;
            let read = messages::mark_read(app, &me, frame.str("message_id")?).await?;
            app.notifier.notify(read.notifications).await;
            Ok(None)
        }
        _ => {
            let action = frame.opt_str("action").ok().flatten().unwrap_or_default();
            Err(Error::validation(
                "action",
                format!("unknown action '{action}': use sendMessage, typing, markRead or ping"),
            ))
        }
    }
}

/// The user behind a connection, if the account still exists.
async fn caller(app: &App, user_id: &str) -> Result<String> {
    let user = app
        .store
        .get_user(user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(user.id)
}

/// An `error` event with the same `{code, message, field}` the REST API answers.
fn error_event(err: Error) -> Event {
    let body = ApiResponse::from(err).body.unwrap_or(Value::Null);
    Event::new(EventType::Error, body["error"].clone())
}
