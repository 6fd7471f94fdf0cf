//! One upgraded socket: reads client frames and hands each to its route's function
//! concurrently, writes queued frames in order, enforces the idle timeout, the maximum
//! connection duration and the message size, and ends with exactly one `$disconnect`.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};

use crate::apis::websocket::events::{self, FrameBody};
use crate::gateway::Gateway;
use crate::runtime::clock::Timestamp;
use crate::runtime::connections::{Connection, Disconnect, Outbound, Session, TaskGuard};
use crate::runtime::ids;

/// How long a closed socket may take to answer our close frame before it is dropped.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

pub(crate) async fn run(
    gateway: Arc<Gateway>,
    connection: Arc<Connection>,
    mut outbound: mpsc::Receiver<Outbound>,
    mut socket: WebSocket,
    _task: TaskGuard,
) {
    gateway.connections.insert(Arc::clone(&connection));
    tracing::info!(connection_id = connection.id(), "websocket connected");
    if let Some(after) = gateway.faults.socket_drop() {
        schedule_crash(&gateway, connection.id(), after);
    }
    let cause = pump(&gateway, &connection, &mut outbound, &mut socket).await;
    gateway.connections.remove(connection.id());
    if cause.is_crash() {
        // Dropping the socket closes the TCP stream at once: no close frame, no `$disconnect`.
        drop(socket);
        tracing::info!(
            connection_id = connection.id(),
            "websocket crashed on request"
        );
        return;
    }
    // Anything still queued was posted to a connection that is now gone.
    outbound.close();
    let _ = timeout(CLOSE_GRACE, async {
        while let Some(Ok(_)) = socket.recv().await {}
    })
    .await;
    drop(socket);
    tracing::info!(
        connection_id = connection.id(),
        status = cause.status_code,
        reason = %cause.reason,
        "websocket disconnected"
    );
    invoke_disconnect(&gateway, &connection.session, &cause).await;
}

/// A socket fault: the connection is cut `after` its start as a crashed client or a lost
/// network leaves it (no close frame, no `$disconnect`), through the same path as the local
/// crash control of the Management API.
fn schedule_crash(gateway: &Arc<Gateway>, id: &str, after: std::time::Duration) {
    let gateway = Arc::clone(gateway);
    let id = id.to_owned();
    tokio::spawn(async move {
        sleep(after).await;
        if let Some(connection) = gateway.connections.remove(&id) {
            tracing::info!(target: "local_gateway::faults", fault = "socket_drop", connection_id = id, "socket cut");
            let _ = connection.send(Outbound::Crash).await;
        }
    });
}

async fn pump(
    gateway: &Arc<Gateway>,
    connection: &Arc<Connection>,
    outbound: &mut mpsc::Receiver<Outbound>,
    socket: &mut WebSocket,
) -> Disconnect {
    let config = &gateway.config;
    let mut shutdown = gateway.connections.shutdown_signal();
    if *shutdown.borrow_and_update() {
        return close(socket, Disconnect::going_away()).await;
    }
    let idle = sleep(config.ws_idle_timeout);
    let lifetime = sleep(config.ws_max_connection_duration);
    tokio::pin!(idle, lifetime);
    let mut keepalive = interval_at(
        Instant::now() + config.ws_keepalive_interval,
        config.ws_keepalive_interval,
    );
    keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();

    loop {
        tokio::select! {
            frame = socket.recv() => {
                let message = match frame {
                    Some(Ok(message)) => message,
                    Some(Err(error)) if is_message_too_big(&error) => {
                        return close(socket, Disconnect::message_too_big()).await;
                    }
                    Some(Err(_)) | None => return Disconnect::abnormal(),
                };
                last_heard = Instant::now();
                let body = match message {
                    Message::Text(text) => FrameBody::text(text.as_str().to_owned()),
                    Message::Binary(bytes) => FrameBody::binary(&bytes),
                    Message::Ping(_) => {
                        // The WebSocket layer answers the ping itself.
                        idle.as_mut().reset(Instant::now() + config.ws_idle_timeout);
                        continue;
                    }
                    // Answers to our keepalive pings are not client activity.
                    Message::Pong(_) => continue,
                    Message::Close(frame) => return client_close(frame),
                };
                idle.as_mut().reset(Instant::now() + config.ws_idle_timeout);
                connection.touch();
                tokio::spawn(route_frame(Arc::clone(gateway), Arc::clone(connection), body));
            }
            queued = outbound.recv() => match queued {
                Some(Outbound::Frame(message)) => {
                    if socket.send(message).await.is_err() {
                        return Disconnect::abnormal();
                    }
                }
                Some(Outbound::Close(cause)) => return close(socket, cause).await,
                Some(Outbound::Crash) => return Disconnect::crash(),
                // The connection itself holds a sender, so this is unreachable in practice.
                None => return close(socket, Disconnect::deleted()).await,
            },
            () = &mut idle => return close(socket, Disconnect::going_away()).await,
            () = &mut lifetime => return close(socket, Disconnect::going_away()).await,
            _ = keepalive.tick() => {
                // A peer that vanished without closing (sleeping laptop, pulled cable) never
                // errors a read; silence across two pings is the only sign.
                if last_heard.elapsed() > config.ws_keepalive_interval * 2 {
                    return Disconnect::abnormal();
                }
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return Disconnect::abnormal();
                }
            }
            _ = shutdown.changed() => return close(socket, Disconnect::going_away()).await,
        }
    }
}

/// Sends a close frame carrying the cause; the socket may already be unusable, which changes
/// nothing about the cause.
async fn close(socket: &mut WebSocket, cause: Disconnect) -> Disconnect {
    let frame = CloseFrame {
        code: cause.status_code,
        reason: cause.reason.as_str().into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
    cause
}

fn client_close(frame: Option<CloseFrame>) -> Disconnect {
    match frame {
        Some(frame) => Disconnect::new(frame.code, frame.reason.as_str()),
        None => Disconnect::new(1005, "Client-side close frame status not set"),
    }
}

fn is_message_too_big(error: &axum::Error) -> bool {
    use std::error::Error as _;
    matches!(
        error
            .source()
            .and_then(|inner| inner.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}

/// Runs one client frame through its route, as API Gateway does: concurrently with every
/// other frame of the connection.
async fn route_frame(gateway: Arc<Gateway>, connection: Arc<Connection>, frame: FrameBody) {
    let Some(routes) = gateway.websocket.as_ref() else {
        return;
    };
    let request_id = ids::api_gateway_id();
    let Some(route) = routes.select(frame.as_text()) else {
        reply_error(&connection, "Forbidden", &request_id).await;
        return;
    };
    // Throttled: API Gateway's error frame instead of an invocation; the socket stays open.
    if !gateway.ws_throttles.allow(&route.route_key) {
        reply_error(&connection, "Too Many Requests", &request_id).await;
        return;
    }
    let event = events::message(
        &connection.session,
        &gateway.config.stage,
        &route.route_key,
        &request_id,
        &frame,
        Timestamp::now(),
    );
    let within = Some(gateway.config.ws_integration_timeout);
    match gateway
        .lambda
        .invoke_within(&route.function, &event, within)
        .await
    {
        Ok(result) if route.two_way => {
            if let Some(body) = route_response_body(&result) {
                let _ = connection.send(Outbound::Frame(Message::text(body))).await;
            }
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(
                route = route.route_key,
                function = route.function,
                %error,
                "websocket route failed"
            );
            let message = if error.is_integration_timeout() {
                "Endpoint request timed out"
            } else {
                "Internal server error"
            };
            reply_error(&connection, message, &request_id).await;
        }
    }
}

/// The frame API Gateway sends the client when it cannot route or run a message.
async fn reply_error(connection: &Connection, message: &str, request_id: &str) {
    let frame = json!({
        "message": message,
        "connectionId": connection.id(),
        "requestId": request_id,
    });
    let _ = connection
        .send(Outbound::Frame(Message::text(frame.to_string())))
        .await;
}

/// The `body` of a Lambda proxy result, which a two-way route returns to the client.
fn route_response_body(result: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(result).ok()?;
    value.get("body")?.as_str().map(str::to_owned)
}

pub(crate) async fn invoke_disconnect(gateway: &Gateway, session: &Session, cause: &Disconnect) {
    let Some(route) = gateway
        .websocket
        .as_ref()
        .and_then(|routes| routes.get("$disconnect"))
    else {
        return;
    };
    let event = events::disconnect(session, &gateway.config.stage, cause, Timestamp::now());
    if let Err(error) = gateway.lambda.invoke(&route.function, &event).await {
        tracing::warn!(
            connection_id = session.connection_id,
            %error,
            "$disconnect failed"
        );
    }
}
