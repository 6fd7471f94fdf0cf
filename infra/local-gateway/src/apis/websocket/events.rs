//! The Lambda events API Gateway sends for WebSocket connections (CONNECT, MESSAGE,
//! DISCONNECT), field for field.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::runtime::clock::Timestamp;
use crate::runtime::connections::{Disconnect, Session};
use crate::runtime::ids;

/// The text of a client frame as events carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameBody {
    pub body: String,
    pub is_base64_encoded: bool,
}

impl FrameBody {
    pub fn text(text: String) -> Self {
        Self {
            body: text,
            is_base64_encoded: false,
        }
    }

    /// Binary frames carrying UTF-8 are passed as text, anything else as base64.
    pub fn binary(bytes: &[u8]) -> Self {
        match crate::apis::http_util::encode_body(bytes) {
            (Some(body), is_base64_encoded) => Self {
                body,
                is_base64_encoded,
            },
            (None, _) => Self::text(String::new()),
        }
    }

    /// The frame as text, for route selection; `None` for base64 payloads.
    pub fn as_text(&self) -> Option<&str> {
        (!self.is_base64_encoded).then_some(self.body.as_str())
    }
}

struct Context<'a> {
    session: &'a Session,
    stage: &'a str,
    route_key: &'a str,
    event_type: &'a str,
    request_id: &'a str,
    now: Timestamp,
}

fn request_context(context: &Context<'_>) -> Map<String, Value> {
    let session = context.session;
    let mut map = Map::new();
    map.insert("routeKey".into(), json!(context.route_key));
    map.insert("eventType".into(), json!(context.event_type));
    map.insert("extendedRequestId".into(), json!(context.request_id));
    map.insert("requestTime".into(), json!(context.now.clf()));
    map.insert("messageDirection".into(), json!("IN"));
    map.insert("stage".into(), json!(context.stage));
    map.insert(
        "connectedAt".into(),
        json!(session.connected_at.epoch_millis()),
    );
    map.insert("requestTimeEpoch".into(), json!(context.now.epoch_millis()));
    map.insert(
        "identity".into(),
        json!({ "sourceIp": session.source_ip, "userAgent": session.user_agent }),
    );
    map.insert("requestId".into(), json!(context.request_id));
    map.insert("domainName".into(), json!(session.domain_name));
    map.insert("connectionId".into(), json!(session.connection_id));
    map.insert("apiId".into(), json!("local"));
    map
}

fn insert_headers(event: &mut Map<String, Value>, session: &Session) {
    let mut single: BTreeMap<&str, String> = BTreeMap::new();
    let mut multi: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in &session.headers {
        single
            .entry(name.as_str())
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(value);
            })
            .or_insert_with(|| value.clone());
        multi.entry(name.as_str()).or_default().push(value.as_str());
    }
    event.insert("headers".into(), json!(single));
    event.insert("multiValueHeaders".into(), json!(multi));
}

pub fn connect(session: &Session, stage: &str, now: Timestamp) -> Value {
    let request_id = ids::api_gateway_id();
    let context = Context {
        session,
        stage,
        route_key: "$connect",
        event_type: "CONNECT",
        request_id: &request_id,
        now,
    };
    let mut event = Map::new();
    insert_headers(&mut event, session);
    if !session.query.is_empty() {
        let single: BTreeMap<&str, String> = session
            .query
            .iter()
            .map(|(key, values)| (key.as_str(), values.join(",")))
            .collect();
        let multi: BTreeMap<&str, &Vec<String>> = session
            .query
            .iter()
            .map(|(key, values)| (key.as_str(), values))
            .collect();
        event.insert("queryStringParameters".into(), json!(single));
        event.insert("multiValueQueryStringParameters".into(), json!(multi));
    }
    event.insert(
        "requestContext".into(),
        Value::Object(request_context(&context)),
    );
    event.insert("isBase64Encoded".into(), json!(false));
    Value::Object(event)
}

pub fn message(
    session: &Session,
    stage: &str,
    route_key: &str,
    request_id: &str,
    frame: &FrameBody,
    now: Timestamp,
) -> Value {
    let context = Context {
        session,
        stage,
        route_key,
        event_type: "MESSAGE",
        request_id,
        now,
    };
    let mut request_context = request_context(&context);
    request_context.insert("messageId".into(), json!(ids::api_gateway_id()));
    json!({
        "requestContext": request_context,
        "body": frame.body,
        "isBase64Encoded": frame.is_base64_encoded,
    })
}

pub fn disconnect(session: &Session, stage: &str, cause: &Disconnect, now: Timestamp) -> Value {
    let request_id = ids::api_gateway_id();
    let context = Context {
        session,
        stage,
        route_key: "$disconnect",
        event_type: "DISCONNECT",
        request_id: &request_id,
        now,
    };
    let mut request_context = request_context(&context);
    request_context.insert("disconnectStatusCode".into(), json!(cause.status_code));
    request_context.insert("disconnectReason".into(), json!(cause.reason));
    let mut event = Map::new();
    insert_headers(&mut event, session);
    event.insert("requestContext".into(), Value::Object(request_context));
    event.insert("isBase64Encoded".into(), json!(false));
    Value::Object(event)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;

    fn session() -> Session {
        Session {
            connection_id: "L0SM9cOFvHcCIhw=".into(),
            connected_at: Timestamp::from_epoch_millis(1_795_482_123_000),
            source_ip: "127.0.0.1".into(),
            user_agent: "test".into(),
            domain_name: "127.0.0.1:8000".into(),
            headers: vec![
                ("Host".into(), "127.0.0.1:8000".into()),
                ("Sec-WebSocket-Key".into(), "abc".into()),
                ("X-Many".into(), "1".into()),
                ("X-Many".into(), "2".into()),
            ],
            query: vec![
                ("token".into(), vec!["jwt".into()]),
                ("t".into(), vec!["1".into(), "2".into()]),
            ],
        }
    }

    fn parse(event: Value) -> ApiGatewayWebsocketProxyRequest {
        serde_json::from_value(event).unwrap()
    }

    #[test]
    fn connect_event_deserialises() {
        let now = Timestamp::from_epoch_millis(1_795_482_123_456);
        let event = connect(&session(), "local", now);
        assert_eq!(event["headers"]["X-Many"], "1,2");
        assert_eq!(event["multiValueHeaders"]["X-Many"], json!(["1", "2"]));
        assert_eq!(event["queryStringParameters"]["t"], "1,2");
        assert_eq!(
            event["multiValueQueryStringParameters"]["t"],
            json!(["1", "2"])
        );
        assert_eq!(
            event["requestContext"]["requestTime"],
            "24/Nov/2026:01:02:03 +0000"
        );

        let parsed = parse(event);
        let context = &parsed.request_context;
        assert_eq!(context.route_key.as_deref(), Some("$connect"));
        assert_eq!(context.event_type.as_deref(), Some("CONNECT"));
        assert_eq!(context.connection_id.as_deref(), Some("L0SM9cOFvHcCIhw="));
        assert_eq!(context.connected_at, 1_795_482_123_000);
        assert_eq!(context.request_time_epoch, 1_795_482_123_456);
        assert_eq!(context.stage.as_deref(), Some("local"));
        assert_eq!(context.identity.source_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(parsed.headers["sec-websocket-key"], "abc");
        assert_eq!(parsed.query_string_parameters.first("token"), Some("jwt"));
    }

    #[test]
    fn message_event_deserialises() {
        let frame = FrameBody::text(r#"{"action":"sendMessage"}"#.into());
        let event = message(
            &session(),
            "local",
            "sendMessage",
            "rid",
            &frame,
            Timestamp::now(),
        );
        assert!(event.get("headers").is_none());
        let parsed = parse(event);
        assert_eq!(parsed.body.as_deref(), Some(r#"{"action":"sendMessage"}"#));
        assert_eq!(
            parsed.request_context.event_type.as_deref(),
            Some("MESSAGE")
        );
        assert_eq!(parsed.request_context.request_id.as_deref(), Some("rid"));
        assert!(parsed.request_context.message_id.is_some());
        assert!(!parsed.is_base64_encoded);
    }

    #[test]
    fn disconnect_event_deserialises() {
        let event = disconnect(
            &session(),
            "local",
            &Disconnect::going_away(),
            Timestamp::now(),
        );
        let parsed = parse(event);
        let context = &parsed.request_context;
        assert_eq!(context.route_key.as_deref(), Some("$disconnect"));
        assert_eq!(context.event_type.as_deref(), Some("DISCONNECT"));
        assert_eq!(context.disconnect_status_code, Some(1001));
        assert_eq!(context.disconnect_reason.as_deref(), Some("Going away"));
        assert_eq!(parsed.headers["host"], "127.0.0.1:8000");
    }

    #[test]
    fn binary_frames_fall_back_to_base64() {
        assert_eq!(FrameBody::binary(b"hi"), FrameBody::text("hi".into()));
        let raw = FrameBody::binary(&[0xff, 0]);
        assert!(raw.is_base64_encoded);
        assert_eq!(raw.as_text(), None);
    }
}
