//! The AsyncAPI 3.0 document of the WebSocket API, generated from the action and event types:
//! the `$connect` query, each client action and each server event with its payload schema and
//! an example. `cargo run -p e2e --bin openapi` writes it to `docs/asyncapi.yaml`; a test fails
//! when the committed file differs, and another reads every example back with the Rust types.

use std::collections::BTreeMap;

use chat_core::chats::Chat;
use chat_core::error::{ErrorCode, ErrorDetail};
use chat_core::events::{
    Event, Payload, Pong, PresenceEvent, PresenceSnapshot, ReactionChange, ReadReceipt,
    SentMessage, TypingEvent,
};
use chat_core::messages::{MarkRead, Message, MessageType, NewMessage, TypingSignal};
use chat_core::presence::subscriptions::PresenceSubscription;
use chat_core::users::Status;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use super::send::Action;

/// The payload schemas, and every schema they refer to, as utoipa writes them for OpenAPI 3.1
/// (JSON Schema, which AsyncAPI's default schema format accepts).
#[derive(OpenApi)]
#[openapi(components(schemas(
    NewMessage,
    TypingSignal,
    MarkRead,
    PresenceSubscription,
    Message,
    Chat,
    ReactionChange,
    ReadReceipt,
    SentMessage,
    TypingEvent,
    PresenceEvent,
    PresenceSnapshot,
    ErrorDetail,
    Pong,
)))]
struct Schemas;

const ALICE: &str = "01JDQ3Y6S1W8X5V9K2M4N7P0QR";
const BOB: &str = "01JDQ3YF4T2W6X8Z0B3C5D7E9G";
const TS: &str = "2026-11-24T01:02:03.456Z";

fn sample_message() -> Message {
    let conversation_id = format!("d.{ALICE}.{BOB}");
    let ulid = "01JDQ41H7K9M2N4P6Q8R0S2T4V".to_owned();
    Message {
        id: format!("{ulid}.{conversation_id}"),
        conversation_id,
        sender_id: ALICE.into(),
        recipient_id: Some(BOB.into()),
        chat_id: None,
        content: "Hello!".into(),
        message_type: MessageType::Text,
        reply_to_id: None,
        reactions: BTreeMap::from([("👍".to_owned(), vec![BOB.to_owned()])]),
        read_by: vec![BOB.into()],
        created_at: TS.into(),
        edited_at: None,
        deleted: false,
        attachments: vec![],
        seq: 41,
        updated_seq: 41,
        number: 17,
        fanout: Default::default(),
        ulid,
        version: 1,
        members_version: None,
    }
}

/// One sample of every server event, in the order the contract lists them.
fn sample_events() -> Vec<(&'static str, &'static str, Payload)> {
    let message = sample_message();
    let edited = Message {
        content: "Hello again!".into(),
        edited_at: Some(TS.into()),
        updated_seq: 42,
        ..message.clone()
    };
    let deleted = Message {
        content: String::new(),
        reactions: BTreeMap::new(),
        deleted: true,
        updated_seq: 43,
        ..message.clone()
    };
    let reaction = ReactionChange {
        seq: 44,
        message_id: message.id.clone(),
        conversation_id: message.conversation_id.clone(),
        user_id: BOB.into(),
        emoji: "👍".into(),
        message: message.clone(),
    };
    vec![
        (
            "message.created",
            "A message was sent to a conversation of yours.",
            Payload::MessageCreated(message.clone()),
        ),
        (
            "message.updated",
            "A message was edited: once per change of its content (an edit retried with the \
             same content pushes nothing).",
            Payload::MessageUpdated(edited),
        ),
        (
            "message.deleted",
            "A message was deleted: a tombstone with no content or reactions.",
            Payload::MessageDeleted(deleted),
        ),
        (
            "reaction.added",
            "Somebody reacted to a message.",
            Payload::ReactionAdded(reaction.clone()),
        ),
        (
            "reaction.removed",
            "Somebody took back a reaction.",
            Payload::ReactionRemoved(ReactionChange {
                message: Message {
                    reactions: BTreeMap::new(),
                    ..message.clone()
                },
                ..reaction
            }),
        ),
        (
            "message.read",
            "Somebody read a message.",
            Payload::MessageRead(ReadReceipt {
                seq: 45,
                message_id: message.id.clone(),
                conversation_id: message.conversation_id.clone(),
                user_id: BOB.into(),
                message: message.clone(),
            }),
        ),
        (
            "message.sent",
            "Your sendMessage was stored: to the sending connection only.",
            Payload::MessageSent(SentMessage {
                message: message.clone(),
                client_message_id: Some("c-42".into()),
            }),
        ),
        (
            "typing",
            "A participant started or stopped typing.",
            Payload::Typing(TypingEvent {
                conversation_id: message.conversation_id.clone(),
                user_id: ALICE.into(),
                recipient_id: Some(BOB.into()),
                chat_id: None,
                is_typing: true,
            }),
        ),
        (
            "presence",
            "The status of a direct-message peer, or of a user this connection subscribed to, changed.",
            Payload::Presence(PresenceEvent {
                user_id: ALICE.into(),
                status: Status::Offline,
                last_seen_at: Some(TS.into()),
            }),
        ),
        (
            "presence.snapshot",
            "Your subscribePresence was stored: the subscribed users' presence now, to the sending connection only.",
            Payload::PresenceSnapshot(PresenceSnapshot {
                users: vec![PresenceEvent {
                    user_id: BOB.into(),
                    status: Status::Online,
                    last_seen_at: None,
                }],
            }),
        ),
        (
            "error",
            "Your frame failed: the REST API's error, to the sending connection only; the connection stays open.",
            Payload::Error(ErrorDetail {
                code: ErrorCode::ValidationError,
                message: "content is required".into(),
                field: Some("content".into()),
            }),
        ),
        ("pong", "The answer to ping.", Payload::Pong(Pong {})),
    ]
}

/// The data schema of each event type, by name.
fn data_schema(payload: &Payload) -> Value {
    let name = match payload {
        Payload::MessageCreated(_) | Payload::MessageUpdated(_) | Payload::MessageDeleted(_) => {
            "Message"
        }
        Payload::ReactionAdded(_) | Payload::ReactionRemoved(_) => "ReactionChange",
        Payload::MessageRead(_) => "ReadReceipt",
        Payload::MessageSent(_) => "SentMessage",
        Payload::Typing(_) => "TypingEvent",
        Payload::Presence(_) => "PresenceEvent",
        Payload::PresenceSnapshot(_) => "PresenceSnapshot",
        Payload::Error(_) => "ErrorDetail",
        Payload::Pong(_) => "Pong",
    };
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// One client action: its name, summary, the schema of its other fields, and an example.
fn client_actions() -> Vec<(&'static str, &'static str, Option<&'static str>, Value)> {
    let message = sample_message();
    vec![
        (
            "sendMessage",
            "Send a message, stored exactly as `POST /messages` stores it and counted against \
            the same write limit; the sending connection gets `message.sent`.",
            Some("NewMessage"),
            json!({"action": "sendMessage", "recipient_id": BOB, "content": "Hello!", "client_message_id": "c-42"}),
        ),
        (
            "typing",
            "Tell the conversation you are typing; relayed, never stored.",
            Some("TypingSignal"),
            json!({"action": "typing", "recipient_id": BOB, "is_typing": true}),
        ),
        (
            "markRead",
            "Mark a message read, as `PATCH /messages/{message_id}/read`, counted against \
            the same write limit.",
            Some("MarkRead"),
            json!({"action": "markRead", "message_id": message.id}),
        ),
        (
            "subscribePresence",
            "Receive the presence of these users (at most 100), replacing this connection's \
            earlier list; answered with `presence.snapshot`. Direct-message peers are \
            subscribed without it.",
            Some("PresenceSubscription"),
            json!({"action": "subscribePresence", "user_ids": [BOB]}),
        ),
        (
            "ping",
            "Keep the connection alive: send a frame at least every 60 s.",
            None,
            json!({"action": "ping"}),
        ),
    ]
}

fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The AsyncAPI document.
pub fn asyncapi() -> Value {
    let mut messages = Map::new();
    let mut channel_messages = Map::new();
    let mut operations = Map::new();
    for (name, summary, schema, example) in client_actions() {
        let mut payload = json!({
            "type": "object",
            "required": ["action"],
            "properties": {"action": {"type": "string", "const": name}},
        });
        if let Some(schema) = schema {
            payload =
                json!({"allOf": [payload, {"$ref": format!("#/components/schemas/{schema}")}]});
        }
        // `typing` is both an action and an event: the keys say which.
        let key = format!("action.{name}");
        messages.insert(
            key.clone(),
            json!({
                "name": name,
                "summary": summary,
                "payload": payload,
                "examples": [{"name": name, "payload": example}],
            }),
        );
        channel_messages.insert(
            key.clone(),
            json!({"$ref": format!("#/components/messages/{key}")}),
        );
        operations.insert(
            format!("send.{name}"),
            json!({
                "action": "send",
                "summary": summary,
                "channel": {"$ref": "#/channels/chat"},
                "messages": [{"$ref": format!("#/channels/chat/messages/{key}")}],
            }),
        );
    }
    for (name, summary, payload) in sample_events() {
        let example = Event {
            payload,
            ts: TS.into(),
        };
        messages.insert(
            name.into(),
            json!({
                "name": name,
                "summary": summary,
                "payload": {
                    "type": "object",
                    "required": ["type", "data", "ts"],
                    "properties": {
                        "type": {"type": "string", "const": name},
                        "data": data_schema(&example.payload),
                        "ts": {"type": "string", "format": "date-time"},
                    },
                },
                "examples": [{"name": name, "payload": to_value(&example)}],
            }),
        );
        channel_messages.insert(
            name.into(),
            json!({"$ref": format!("#/components/messages/{name}")}),
        );
        operations.insert(
            format!("receive.{name}"),
            json!({
                "action": "receive",
                "summary": summary,
                "channel": {"$ref": "#/channels/chat"},
                "messages": [{"$ref": format!("#/channels/chat/messages/{name}")}],
            }),
        );
    }
    let schemas = Schemas::openapi()
        .components
        .map(|c| to_value(&c.schemas))
        .unwrap_or_default();
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Chat WebSocket API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Real-time events of the chat API. Client frames are JSON objects \
                chosen by `action`; server frames are `{\"type\", \"data\", \"ts\"}`. Every \
                change made over REST or WebSocket is pushed to every open connection of every \
                participant, except presence: a user's `presence` goes to its direct-message \
                peers (up to 100 of them) and to the \
                connections that subscribed to it with `subscribePresence`, not to the members \
                of its chats. A frame renews the connection's lease: send one at least every \
                60 s. A connection lives no longer than its token: the first frame or push after \
                the token expired closes it, so renew the token with `POST /users/refresh` \
                before it expires and reconnect with the new one. Nor does it outlive its \
                session: logout, a reused refresh token and the login that ends the oldest \
                session close the session's connections, a password change and the account's \
                deletion all of the account's. `sendMessage`, `typing` \
                and `subscribePresence` frames are limited per connection (30 per 10 s by \
                default): over it each gets an `error` event `rate_limited`, and a connection \
                that keeps flooding is closed. `sendMessage` and `markRead` also take the \
                user's write limit, the one its REST writes take, from every socket of the \
                user at once (30 per 10 s by default; over it, an `error` event \
                `rate_limited`). API Gateway's own throttling answers a throttled \
                frame with `{\"message\": \"Too Many Requests\", ...}` instead of an event.",
        },
        "servers": {
            "local": {"host": "127.0.0.1:8000", "pathname": "/ws", "protocol": "ws",
                      "description": "The local stack (`./infra/local-stack.sh`)."},
            "aws": {"host": "{api_id}.execute-api.{region}.amazonaws.com", "pathname": "/{stage}",
                    "protocol": "wss", "description": "The deployed WebSocket API (SAM output `WebSocketUrl`).",
                    "variables": {"api_id": {}, "region": {"default": "us-east-1"}, "stage": {"default": "prod"}}},
        },
        "defaultContentType": "application/json",
        "channels": {
            "chat": {
                "address": null,
                "title": "The connection",
                "description": "One connection per device; a user may hold up to 20 at once \
                    (`MAX_CONNECTIONS_PER_USER`): the handshake past them is refused with 422 and \
                    the error body `limit_exceeded` until one of them closes.",
                "messages": channel_messages,
                "bindings": {"ws": {
                    "method": "GET",
                    "query": {
                        "type": "object",
                        "required": ["token"],
                        "properties": {"token": {"type": "string",
                            "description": "The `access_token` of `POST /users/login` or `POST /users/refresh`; a missing, invalid or ended one refuses the handshake (401); a user that holds its cap of connections already is refused with 422 (`limit_exceeded`)."}},
                    },
                }},
            },
        },
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    })
}

/// Every example of the document read back with the Rust types: client actions as [`Action`],
/// server events as [`Event`] of the message's own type. The problems, one sentence each.
pub fn example_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let messages = document["components"]["messages"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if messages.is_empty() {
        problems.push("the document has no messages".to_owned());
    }
    for (key, message) in &messages {
        let name = message["name"].as_str().unwrap_or(key);
        let examples = message["examples"].as_array().cloned().unwrap_or_default();
        if examples.is_empty() {
            problems.push(format!("{name} has no example"));
        }
        for example in examples {
            let payload = example["payload"].clone();
            let read = if payload.get("action").is_some() {
                serde_json::from_value::<Action>(payload.clone()).map(|_| payload["action"].clone())
            } else {
                serde_json::from_value::<Event>(payload.clone())
                    .map(|event| to_value(&event)["type"].clone())
            };
            match read {
                Ok(tag) if tag == name => {}
                Ok(tag) => problems.push(format!("the example of {name} reads as {tag}")),
                Err(err) => problems.push(format!("the example of {name} does not read: {err}")),
            }
        }
    }
    problems
}
