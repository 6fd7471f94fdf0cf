//! The event each function gets and the answer expected from it: a request a signed-in user
//! makes, or the stream record or schedule that drives the background functions, each served
//! for real (2xx, its DynamoDB calls made and its pushes sent). An answer that refuses the event
//! (401, any 4xx or 5xx, an `error` frame, a batch failure, a sweep that closed nothing) fails
//! the run, so a figure can never be the cost of an early refusal.
//!
//! What a request needs (an account with a live session, a peer, open connections, a large
//! chat's message) is written before each run by [`crate::seed`].
//!
//! Event shapes follow what API Gateway sends (and infra/local-gateway mirrors); adjust
//! [`FUNCTIONS`] when a function's route or expected answer changes.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::measure::Sample;
use crate::seed::Seeder;

/// How a function is invoked.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `lambda_http` behind the HTTP API (payload 2.0), called by a fresh account with a live
    /// session.
    Rest {
        method: &'static str,
        path: &'static str,
        route_key: &'static str,
        body: Body,
    },
    /// `$connect` with `?token=<JWT>` of a fresh account's session.
    WsConnect,
    /// `$disconnect` of a fresh account's open connection.
    WsDisconnect,
    /// `sendMessage` on a fresh account's open connection: a direct message to a peer with a
    /// socket open; the sender hears `message.sent`.
    WsSendMessage,
    /// The messages table's stream: a message of a chat too large for inline fan-out, pushed to
    /// its members' sockets.
    Stream,
    /// The sweeper's schedule, with an expired connection to close.
    Schedule,
}

/// A REST request's body.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    None,
    /// A direct message to a fresh peer with a socket open.
    DirectMessage,
    /// An upload's declaration (`POST /attachments`).
    Upload,
}

#[derive(Debug, Clone, Copy)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// `statusCode`s of a request served in full; only 2xx (a test holds this).
    pub accepted: &'static [u16],
}

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec {
        name: "users",
        kind: Kind::Rest {
            method: "GET",
            path: "/users/me",
            route_key: "GET /users/me",
            body: Body::None,
        },
        accepted: &[200],
    },
    FunctionSpec {
        name: "chats",
        kind: Kind::Rest {
            method: "GET",
            path: "/chats/",
            route_key: "GET /chats",
            body: Body::None,
        },
        accepted: &[200],
    },
    FunctionSpec {
        name: "messages",
        kind: Kind::Rest {
            method: "POST",
            path: "/messages",
            route_key: "POST /messages",
            body: Body::DirectMessage,
        },
        accepted: &[201],
    },
    FunctionSpec {
        name: "attachments",
        kind: Kind::Rest {
            method: "POST",
            path: "/attachments",
            route_key: "POST /attachments",
            body: Body::Upload,
        },
        accepted: &[201],
    },
    FunctionSpec {
        name: "delivery",
        kind: Kind::Stream,
        // Not an HTTP answer: `check` takes an empty `batchItemFailures` as 200.
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-connect",
        kind: Kind::WsConnect,
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-disconnect",
        kind: Kind::WsDisconnect,
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-send",
        kind: Kind::WsSendMessage,
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-sweep",
        kind: Kind::Schedule,
        // Not an HTTP answer: `check` takes a sweep that closed a connection as 200.
        accepted: &[200],
    },
];

pub fn spec(name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|spec| spec.name == name)
}

/// A fresh id per run, so no run finds what an earlier one left behind.
fn random_id() -> String {
    ulid::Ulid::generate().to_string()
}

fn epoch() -> (u64, u128) {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (since.as_secs(), since.as_millis())
}

/// The frame `sendMessage` answers with on the sending connection.
const SENT_FRAME: &str = "message.sent";

impl FunctionSpec {
    /// This run's event, after seeding what it needs.
    pub async fn event(&self, seed: &mut Seeder) -> Result<Value, String> {
        Ok(match self.kind {
            Kind::Rest {
                method,
                path,
                route_key,
                body,
            } => {
                let caller = seed.account().await?;
                let body = match body {
                    Body::None => None,
                    Body::DirectMessage => {
                        let peer = seed.account().await?;
                        seed.connection(&peer).await?;
                        Some(direct_message(&peer.id))
                    }
                    Body::Upload => Some(json!({
                        "file_name": "cold-start.txt",
                        "content_type": "text/plain",
                        "size_bytes": 11,
                        // SHA-256 of "hello world", base64.
                        "checksum_sha256": "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
                    })),
                };
                http_api_event(method, path, route_key, &caller.token, body)
            }
            Kind::WsConnect => ws_connect_event(&seed.account().await?.token),
            Kind::WsDisconnect => {
                let account = seed.account().await?;
                ws_disconnect_event(&seed.connection(&account).await?)
            }
            Kind::WsSendMessage => {
                let (sender, peer) = (seed.account().await?, seed.account().await?);
                seed.connection(&peer).await?;
                let connection = seed.connection(&sender).await?;
                let mut frame = direct_message(&peer.id);
                frame["action"] = json!("sendMessage");
                ws_message_event("sendMessage", &connection, &frame.to_string())
            }
            Kind::Stream => seed.stream_record().await?,
            Kind::Schedule => {
                let account = seed.account().await?;
                seed.expired_connection(&account).await?;
                scheduled_event()
            }
        })
    }

    /// The `statusCode` of an answer that served the event, or why the answer is not one.
    pub fn check(&self, sample: &Sample) -> Result<u16, String> {
        let response = &sample.response;
        let shown = || {
            String::from_utf8_lossy(response)
                .chars()
                .take(300)
                .collect::<String>()
        };
        let value: Value = serde_json::from_slice(response)
            .map_err(|_| format!("the response is not JSON: {}", shown()))?;
        match self.kind {
            Kind::Stream => {
                return match value["batchItemFailures"].as_array() {
                    Some(failures) if failures.is_empty() && sample.pushes > 0 => Ok(200),
                    Some(failures) if failures.is_empty() => {
                        Err("the batch was delivered to no socket".to_owned())
                    }
                    _ => Err(format!("the batch failed: {}", shown())),
                };
            }
            Kind::Schedule => {
                return match value["closed"].as_u64() {
                    Some(closed) if closed > 0 => Ok(200),
                    _ => Err(format!("the sweep closed no connection: {}", shown())),
                };
            }
            _ => {}
        }
        let status = value
            .get("statusCode")
            .and_then(Value::as_u64)
            .and_then(|status| u16::try_from(status).ok())
            .ok_or_else(|| format!("the response has no statusCode: {}", shown()))?;
        if !self.accepted.contains(&status) {
            return Err(format!(
                "statusCode {status}, expected one of {:?}: {}",
                self.accepted,
                shown()
            ));
        }
        if matches!(self.kind, Kind::WsSendMessage) {
            // The WebSocket routes answer 200 whatever happened: what the client hears is the
            // frame pushed back to its connection.
            let types: Vec<String> = sample
                .frames
                .iter()
                .map(|frame| {
                    serde_json::from_slice::<Value>(frame)
                        .ok()
                        .and_then(|f| f["type"].as_str().map(str::to_owned))
                        .unwrap_or_else(|| String::from_utf8_lossy(frame).into_owned())
                })
                .collect();
            if !types.iter().any(|t| t == SENT_FRAME) {
                return Err(format!(
                    "no {SENT_FRAME} frame pushed to the sender; pushed: {types:?}"
                ));
            }
        }
        Ok(status)
    }
}

fn direct_message(peer: &str) -> Value {
    json!({
        "recipient_id": peer,
        "content": "measured as a user meets it",
        "client_message_id": random_id(),
    })
}

/// What EventBridge sends on a schedule; the sweeper ignores its content.
fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": random_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/coldstart"],
        "detail": {},
    })
}

/// API Gateway HTTP API, payload format 2.0.
fn http_api_event(
    method: &str,
    path: &str,
    route_key: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (_, now_ms) = epoch();
    let request_id = random_id();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "authorization": format!("Bearer {token}"),
            "host": "127.0.0.1",
            "user-agent": "coldstart",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "coldstart",
            "domainName": "127.0.0.1",
            "domainPrefix": "127",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "coldstart",
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": "24/Nov/2026:00:00:00 +0000",
            "timeEpoch": now_ms,
        },
        "isBase64Encoded": false,
    });
    if let Some(body) = body {
        event["headers"]["content-type"] = json!("application/json");
        event["body"] = json!(body.to_string());
    }
    event
}

/// The `requestContext` every WebSocket event carries.
fn ws_context(route_key: &str, event_type: &str, connection_id: &str) -> Value {
    let (_, now_ms) = epoch();
    let request_id = random_id();
    json!({
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": "24/Nov/2026:00:00:00 +0000",
        "messageDirection": "IN",
        "stage": "local",
        "connectedAt": now_ms,
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "coldstart"},
        "requestId": request_id,
        "domainName": "127.0.0.1",
        "connectionId": connection_id,
        "apiId": "coldstart",
    })
}

fn ws_connect_event(token: &str) -> Value {
    json!({
        "headers": {"Host": "127.0.0.1", "User-Agent": "coldstart"},
        "multiValueHeaders": {"Host": ["127.0.0.1"], "User-Agent": ["coldstart"]},
        "queryStringParameters": {"token": token},
        "multiValueQueryStringParameters": {"token": [token]},
        "requestContext": ws_context("$connect", "CONNECT", &random_id()),
        "isBase64Encoded": false,
    })
}

fn ws_disconnect_event(connection_id: &str) -> Value {
    let mut context = ws_context("$disconnect", "DISCONNECT", connection_id);
    context["disconnectStatusCode"] = json!(1001);
    context["disconnectReason"] = json!("Going away");
    json!({
        "headers": {"Host": "127.0.0.1"},
        "multiValueHeaders": {"Host": ["127.0.0.1"]},
        "requestContext": context,
        "isBase64Encoded": false,
    })
}

fn ws_message_event(route_key: &str, connection_id: &str, body: &str) -> Value {
    let mut context = ws_context(route_key, "MESSAGE", connection_id);
    context["messageId"] = json!(random_id());
    json!({"requestContext": context, "body": body, "isBase64Encoded": false})
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use std::time::Duration;

    fn sample(response: &str, pushes: usize, frames: &[&str]) -> Sample {
        Sample {
            total: Duration::from_millis(5),
            init: None,
            peak_rss_kib: None,
            response: Bytes::from(response.to_owned()),
            pushes,
            frames: frames
                .iter()
                .map(|f| Bytes::from((*f).to_owned()))
                .collect(),
        }
    }

    fn check(name: &str, response: &str, pushes: usize, frames: &[&str]) -> Result<u16, String> {
        let spec = spec(name).ok_or_else(|| format!("no spec for {name}"))?;
        spec.check(&sample(response, pushes, frames))
    }

    #[test]
    fn only_success_is_accepted() {
        for spec in FUNCTIONS {
            assert!(
                spec.accepted.iter().all(|s| (200..300).contains(s)),
                "{} accepts {:?}",
                spec.name,
                spec.accepted
            );
        }
    }

    /// What the events got before they carried a live session: every refusal fails the run.
    #[test]
    fn refusals_fail() {
        let unauthorised = r#"{"statusCode":401,"body":"{\"error\":\"unauthorized\"}"}"#;
        for name in ["users", "chats", "messages", "attachments", "ws-connect"] {
            assert!(check(name, unauthorised, 0, &[]).is_err(), "{name}");
        }
        for status in [400, 403, 404, 422, 429, 500, 503] {
            let answer = format!(r#"{{"statusCode":{status}}}"#);
            assert!(check("users", &answer, 0, &[]).is_err(), "{status}");
        }
        assert!(check("users", "nope", 0, &[]).is_err());
    }

    #[test]
    fn checks_the_status_code() {
        assert_eq!(
            check("users", r#"{"statusCode":200,"body":"{}"}"#, 0, &[]),
            Ok(200)
        );
        assert_eq!(check("messages", r#"{"statusCode":201}"#, 1, &[]), Ok(201));
        assert!(check("messages", r#"{"statusCode":200}"#, 1, &[]).is_err());
    }

    #[test]
    fn a_frame_is_served_only_when_the_sender_hears_it_sent() {
        let ok = r#"{"statusCode":200}"#;
        let sent = r#"{"type":"message.sent","data":{}}"#;
        let error = r#"{"type":"error","data":{"code":"unauthorized"}}"#;
        assert_eq!(check("ws-send", ok, 1, &[sent]), Ok(200));
        assert!(check("ws-send", ok, 1, &[error]).is_err());
        // A frame on a connection with no record only closes it (a DELETE, no frame).
        assert!(check("ws-send", ok, 1, &[]).is_err());
    }

    #[test]
    fn background_functions_must_do_their_work() {
        let delivered = r#"{"batchItemFailures":[]}"#;
        assert_eq!(check("delivery", delivered, 2, &[]), Ok(200));
        assert!(check("delivery", delivered, 0, &[]).is_err());
        let failed = r#"{"batchItemFailures":[{"itemIdentifier":"1"}]}"#;
        assert!(check("delivery", failed, 2, &[]).is_err());
        assert_eq!(
            check("ws-sweep", r#"{"expired":1,"closed":1}"#, 1, &[]),
            Ok(200)
        );
        assert!(check("ws-sweep", r#"{"expired":0,"closed":0}"#, 0, &[]).is_err());
    }

    #[test]
    fn rest_events_carry_the_route_the_token_and_the_body() {
        let body = Some(direct_message("peer"));
        let event = http_api_event("POST", "/messages", "POST /messages", "ey.x.y", body);
        assert_eq!(event["routeKey"], "POST /messages");
        assert_eq!(event["requestContext"]["http"]["method"], "POST");
        assert_eq!(event["headers"]["authorization"], "Bearer ey.x.y");
        let sent: Value =
            serde_json::from_str(event["body"].as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!(sent["recipient_id"], "peer");
    }
}
