//! The WebSocket API at `/ws`: the handshake runs `$connect` before accepting, then a socket
//! task (see [`lifecycle`]) takes over.

pub mod events;
pub(crate) mod lifecycle;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::apis::http_api::into_response;
use crate::apis::http_util::{json_message, parse_query, read_body_first};
use crate::gateway::Gateway;
use crate::runtime::clock::Timestamp;
use crate::runtime::connections::{Connection, Disconnect, Session};
use crate::runtime::ids;
use crate::runtime::lambda::InvokeError;

/// Frames queued for one socket before posters wait: enough for bursts, bounded so a client
/// that stops reading cannot grow the gateway without limit.
const OUTBOUND_QUEUE: usize = 1024;

pub(crate) async fn handle_upgrade(
    gateway: Arc<Gateway>,
    peer: SocketAddr,
    request: Request,
) -> Response {
    let Some(routes) = gateway.websocket.as_ref() else {
        return json_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let (mut parts, body) = request.into_parts();
    // A handshake has no body; one sent anyway is read like any other, so that a refusal below
    // leaves the connection usable.
    let limit = gateway.config.ws_max_message_bytes;
    if let Err(answer) = read_body_first(&parts.headers, body, limit, |_| {
        json_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
    })
    .await
    {
        return answer;
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(_) => return json_message(StatusCode::UPGRADE_REQUIRED, "Upgrade Required"),
    };
    let session = Arc::new(session_from(&parts, peer));

    let mut subprotocol = None;
    if let Some(route) = routes.get("$connect") {
        // A throttled handshake is refused before `$connect` runs, with the HTTP API's 429.
        if !gateway.ws_throttles.allow(&route.route_key) {
            return json_message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        }
        match run_connect(&gateway, &route.function, &session).await {
            Ok(result) => match connect_verdict(&result) {
                Verdict::Accept { protocol } => subprotocol = protocol,
                Verdict::Refuse(response) => {
                    tracing::info!(
                        status = response.status().as_u16(),
                        "$connect refused the connection"
                    );
                    return response;
                }
            },
            Err(error) => {
                tracing::warn!(function = route.function, %error, "$connect failed");
                return json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
            }
        }
    }

    // Incoming only: tungstenite applies neither limit to the frames the gateway sends, so
    // pushes keep the 128 KB message limit the Management API enforces.
    let mut upgrade = upgrade
        .max_message_size(gateway.config.ws_max_message_bytes)
        .max_frame_size(gateway.config.ws_max_frame_bytes);
    if let Some(protocol) = subprotocol {
        // A subprotocol the client did not offer would make it drop the connection.
        if upgrade
            .requested_protocols()
            .any(|offered| *offered == protocol)
        {
            upgrade.set_selected_protocol(protocol);
        }
    }

    let (sender, receiver) = mpsc::channel(OUTBOUND_QUEUE);
    let connection = Arc::new(Connection::new(Arc::clone(&session), sender));
    // One guard per callback: exactly one of them runs, and the other is dropped unused.
    let on_upgrade_guard = gateway.connections.track();
    let on_failure_guard = gateway.connections.track();
    let failed_gateway = Arc::clone(&gateway);
    upgrade
        .on_failed_upgrade(move |error| {
            tracing::warn!(%error, "websocket upgrade failed after $connect");
            // `$connect` succeeded, so `$disconnect` is still owed.
            tokio::spawn(async move {
                lifecycle::invoke_disconnect(&failed_gateway, &session, &Disconnect::abnormal())
                    .await;
                drop(on_failure_guard);
            });
        })
        .on_upgrade(move |socket| {
            lifecycle::run(gateway, connection, receiver, socket, on_upgrade_guard)
        })
}

#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error(transparent)]
    Invoke(#[from] InvokeError),
    #[error("the $connect task ended without a result")]
    Lost,
}

/// Runs `$connect` in its own task so that a client hanging up mid-handshake cannot cancel it
/// half-way: when the function accepted but nobody is left to upgrade, `$disconnect` follows,
/// keeping "one `$disconnect` per accepted `$connect`" true.
async fn run_connect(
    gateway: &Arc<Gateway>,
    function: &str,
    session: &Arc<Session>,
) -> Result<Bytes, ConnectError> {
    let (sender, receiver) = oneshot::channel();
    let task_gateway = Arc::clone(gateway);
    let task_session = Arc::clone(session);
    let function = function.to_owned();
    let guard = gateway.connections.track();
    tokio::spawn(async move {
        let _guard = guard;
        let event = events::connect(&task_session, &task_gateway.config.stage, Timestamp::now());
        let within = Some(task_gateway.config.ws_integration_timeout);
        let result = task_gateway
            .lambda
            .invoke_within(&function, &event, within)
            .await;
        if let Err(Ok(orphaned)) = sender.send(result)
            && matches!(connect_verdict(&orphaned), Verdict::Accept { .. })
        {
            lifecycle::invoke_disconnect(&task_gateway, &task_session, &Disconnect::abnormal())
                .await;
        }
    });
    let result = receiver.await.map_err(|_| ConnectError::Lost)?;
    Ok(result?)
}

enum Verdict {
    Accept { protocol: Option<HeaderValue> },
    Refuse(Response),
}

/// A `$connect` result with a status outside 2xx refuses the handshake with that status and
/// body; anything else accepts it.
fn connect_verdict(result: &[u8]) -> Verdict {
    let Ok(value) = serde_json::from_slice::<Value>(result) else {
        return Verdict::Accept { protocol: None };
    };
    let status = match value.get("statusCode") {
        Some(Value::Number(code)) => code.as_u64(),
        Some(Value::String(code)) => code.parse().ok(),
        _ => None,
    };
    if status.is_some_and(|code| !(200..300).contains(&code)) {
        let response =
            into_response(&axum::body::Bytes::copy_from_slice(result)).unwrap_or_else(|_| {
                json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            });
        return Verdict::Refuse(response);
    }
    let protocol = value
        .get("headers")
        .and_then(Value::as_object)
        .and_then(|headers| {
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-protocol"))
        })
        .and_then(|(_, value)| value.as_str())
        .and_then(|value| HeaderValue::from_str(value).ok());
    Verdict::Accept { protocol }
}

fn session_from(parts: &Parts, peer: SocketAddr) -> Session {
    let text = |value: &HeaderValue| String::from_utf8_lossy(value.as_bytes()).into_owned();
    let source_ip = peer.ip().to_string();
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| (api_gateway_header_name(name.as_str()), text(value)))
        .collect();
    match headers
        .iter_mut()
        .find(|(name, _)| name == "X-Forwarded-For")
    {
        Some((_, value)) => {
            value.push_str(", ");
            value.push_str(&source_ip);
        }
        None => headers.push(("X-Forwarded-For".to_owned(), source_ip.clone())),
    }
    if !headers.iter().any(|(name, _)| name == "X-Forwarded-Proto") {
        headers.push(("X-Forwarded-Proto".to_owned(), "http".to_owned()));
    }
    Session {
        connection_id: ids::api_gateway_id(),
        connected_at: Timestamp::now(),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .map(text)
            .unwrap_or_default(),
        domain_name: parts
            .headers
            .get(header::HOST)
            .map(text)
            .unwrap_or_else(|| "localhost".to_owned()),
        source_ip,
        headers,
        query: parse_query(parts.uri.query().unwrap_or("")),
    }
}

/// The HTTP server hands us lower-cased names; WebSocket events carry them as clients
/// conventionally send them (`Sec-WebSocket-Key`, `User-Agent`).
fn api_gateway_header_name(lower: &str) -> String {
    lower
        .split('-')
        .map(|word| match word {
            "websocket" => "WebSocket".to_owned(),
            _ => {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_spelled_like_api_gateway() {
        assert_eq!(
            api_gateway_header_name("sec-websocket-key"),
            "Sec-WebSocket-Key"
        );
        assert_eq!(api_gateway_header_name("host"), "Host");
        assert_eq!(
            api_gateway_header_name("x-amzn-trace-id"),
            "X-Amzn-Trace-Id"
        );
    }

    #[test]
    fn connect_verdicts() {
        assert!(matches!(
            connect_verdict(br#"{"statusCode":401,"body":"no"}"#),
            Verdict::Refuse(response) if response.status() == StatusCode::UNAUTHORIZED
        ));
        assert!(matches!(
            connect_verdict(br#"{"statusCode":200}"#),
            Verdict::Accept { protocol: None }
        ));
        assert!(matches!(
            connect_verdict(b"null"),
            Verdict::Accept { protocol: None }
        ));
        assert!(matches!(
            connect_verdict(br#"{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"chat"}}"#),
            Verdict::Accept { protocol: Some(p) } if p == "chat"
        ));
    }
}
