//! The event each function gets and the answer expected from it. Every event makes the handler
//! do exactly one remote call, so a cold start measures init + one real round trip, not an
//! early rejection: a valid token for a user that does not exist passes verification and costs
//! one GetItem before the 401; `$disconnect` of an unknown connection costs one DeleteItem;
//! `ping` costs one Management API push (its `pong`).
//!
//! Event shapes follow what API Gateway sends (and infra/local-gateway mirrors); adjust
//! [`FUNCTIONS`] when a function's route or expected answer changes.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// How a function is invoked.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `lambda_http` behind the HTTP API (payload 2.0), called with a bearer token.
    Rest {
        method: &'static str,
        path: &'static str,
        route_key: &'static str,
    },
    /// `$connect` with `?token=<JWT>`.
    WsConnect,
    /// `$disconnect` of a connection id nobody holds.
    WsDisconnect,
    /// A client frame on a connection id nobody holds.
    WsMessage {
        route_key: &'static str,
        body: &'static str,
    },
    /// The delivery function's share (what a coordinator invokes it with) for a user nobody
    /// connected: one Query of the connections, no push; it answers `{}`.
    DeliveryShare,
}

#[derive(Debug, Clone, Copy)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// `statusCode`s that show the handler ran to its DynamoDB call and answered normally.
    pub accepted: &'static [u16],
}

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec {
        name: "users",
        kind: Kind::Rest {
            method: "GET",
            path: "/users/me",
            route_key: "GET /users/me",
        },
        accepted: &[401],
    },
    FunctionSpec {
        name: "chats",
        kind: Kind::Rest {
            method: "GET",
            path: "/chats/",
            route_key: "GET /chats",
        },
        accepted: &[401],
    },
    FunctionSpec {
        name: "messages",
        kind: Kind::Rest {
            method: "GET",
            path: "/messages/conversations",
            route_key: "GET /messages/conversations",
        },
        accepted: &[401],
    },
    FunctionSpec {
        name: "attachments",
        kind: Kind::Rest {
            method: "GET",
            path: "/attachments/01ARZ3NDEKTSV4RRFFQ69G5FAV",
            route_key: "GET /attachments/{attachment_id}",
        },
        accepted: &[401],
    },
    FunctionSpec {
        name: "delivery",
        kind: Kind::DeliveryShare,
        // Not an HTTP answer: `check` takes `{}` as 200.
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-connect",
        kind: Kind::WsConnect,
        accepted: &[401],
    },
    FunctionSpec {
        name: "ws-disconnect",
        kind: Kind::WsDisconnect,
        accepted: &[200],
    },
    FunctionSpec {
        name: "ws-send",
        // API Gateway selects the route by `action`. `ping` renews the connection's lease (one
        // DynamoDB call); this id has no record, so the function then closes the connection
        // through the Management API (served by this tool) instead of pushing `pong`.
        kind: Kind::WsMessage {
            route_key: "ping",
            body: r#"{"action":"ping"}"#,
        },
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

/// An HS256 session token as the users function issues them, for a user id that does not exist.
pub fn token_for_unknown_user(secret: &[u8]) -> Result<String, jsonwebtoken::errors::Error> {
    let (now, _) = epoch();
    let claims = json!({"sub": random_id(), "iss": "chat-api", "iat": now, "exp": now + 600});
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
}

impl FunctionSpec {
    pub fn event(&self, secret: &[u8]) -> Result<Value, jsonwebtoken::errors::Error> {
        Ok(match self.kind {
            Kind::Rest {
                method,
                path,
                route_key,
            } => http_api_event(method, path, route_key, &token_for_unknown_user(secret)?),
            Kind::WsConnect => ws_connect_event(&token_for_unknown_user(secret)?),
            Kind::WsDisconnect => ws_disconnect_event(),
            Kind::WsMessage { route_key, body } => ws_message_event(route_key, body),
            Kind::DeliveryShare => json!({
                "about": "coldstart",
                "frame": "{}",
                "user_ids": [random_id()],
            }),
        })
    }

    /// The `statusCode` of an accepted answer, or why the answer is not one.
    pub fn check(&self, response: &[u8]) -> Result<u16, String> {
        let shown = || {
            String::from_utf8_lossy(response)
                .chars()
                .take(300)
                .collect::<String>()
        };
        let value: Value = serde_json::from_slice(response)
            .map_err(|_| format!("the response is not JSON: {}", shown()))?;
        if matches!(self.kind, Kind::DeliveryShare) {
            return if value == json!({}) {
                Ok(200)
            } else {
                Err(format!("a share answered {}", shown()))
            };
        }
        let status = value
            .get("statusCode")
            .and_then(Value::as_u64)
            .and_then(|status| u16::try_from(status).ok())
            .ok_or_else(|| format!("the response has no statusCode: {}", shown()))?;
        if self.accepted.contains(&status) {
            Ok(status)
        } else {
            Err(format!(
                "statusCode {status}, expected one of {:?}: {}",
                self.accepted,
                shown()
            ))
        }
    }
}

/// API Gateway HTTP API, payload format 2.0.
fn http_api_event(method: &str, path: &str, route_key: &str, token: &str) -> Value {
    let (_, now_ms) = epoch();
    let request_id = random_id();
    json!({
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
    })
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

fn ws_disconnect_event() -> Value {
    let mut context = ws_context("$disconnect", "DISCONNECT", &random_id());
    context["disconnectStatusCode"] = json!(1001);
    context["disconnectReason"] = json!("Going away");
    json!({
        "headers": {"Host": "127.0.0.1"},
        "multiValueHeaders": {"Host": ["127.0.0.1"]},
        "requestContext": context,
        "isBase64Encoded": false,
    })
}

fn ws_message_event(route_key: &str, body: &str) -> Value {
    let mut context = ws_context(route_key, "MESSAGE", &random_id());
    context["messageId"] = json!(random_id());
    json!({"requestContext": context, "body": body, "isBase64Encoded": false})
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_verify_like_the_functions_verify_them() {
        let token = token_for_unknown_user(SECRET).unwrap_or_default();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&["chat-api"]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        let decoded =
            jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_secret(SECRET), &validation);
        assert!(decoded.is_ok_and(|data| data.claims["sub"].as_str().is_some()));
    }

    #[test]
    fn rest_events_carry_the_route_and_the_token() {
        let event = spec("users").and_then(|s| s.event(SECRET).ok());
        let event = event.unwrap_or_default();
        assert_eq!(event["routeKey"], "GET /users/me");
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert!(
            event["headers"]["authorization"]
                .as_str()
                .is_some_and(|h| h.starts_with("Bearer ey"))
        );
    }

    #[test]
    fn checks_the_status_code() {
        let users = spec("users").copied();
        let check = |body: &str| users.map(|s| s.check(body.as_bytes()));
        assert_eq!(check(r#"{"statusCode":401,"body":"{}"}"#), Some(Ok(401)));
        assert!(matches!(check(r#"{"statusCode":500}"#), Some(Err(_))));
        assert!(matches!(check("nope"), Some(Err(_))));
    }
}
