//! Real-time events as data. Domain changes return the [`Notification`]s they yield; the API
//! layer hands them to a [`Notify`] once the change is stored, so the
//! rules of who hears what live in the domain and the delivery (WebSocket connections) elsewhere.
//!
//! Every event is a [`Payload`] variant: its `type` name and its `data` type are declared once,
//! here, and serde writes the contract's envelope from them.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use strum::EnumDiscriminants;
use utoipa::ToSchema;

use crate::connections::Socket;
use crate::error::ErrorDetail;
use crate::messages::Message;
use crate::time::now_rfc3339;
use crate::users::Status;

/// What an event says, tagged with its type: `{"type": "...", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, EnumDiscriminants)]
#[strum_discriminants(name(EventType), vis(pub))]
#[serde(tag = "type", content = "data")]
pub enum Payload {
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    #[serde(rename = "message.updated")]
    MessageUpdated(Message),
    /// A tombstone: `deleted: true`, empty content, no reactions.
    #[serde(rename = "message.deleted")]
    MessageDeleted(Message),
    #[serde(rename = "reaction.added")]
    ReactionAdded(ReactionChange),
    #[serde(rename = "reaction.removed")]
    ReactionRemoved(ReactionChange),
    #[serde(rename = "message.read")]
    MessageRead(ReadReceipt),
    /// Only to the connection that sent `sendMessage`.
    #[serde(rename = "message.sent")]
    MessageSent(SentMessage),
    #[serde(rename = "typing")]
    Typing(TypingEvent),
    #[serde(rename = "presence")]
    Presence(PresenceEvent),
    /// Only to the connection that sent `subscribePresence`.
    #[serde(rename = "presence.snapshot")]
    PresenceSnapshot(PresenceSnapshot),
    /// Only to the connection whose frame failed; the connection stays open.
    #[serde(rename = "error")]
    Error(ErrorDetail),
    #[serde(rename = "pong")]
    Pong(Pong),
}

/// `reaction.added` and `reaction.removed`: who reacted with what, and the message after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReactionChange {
    /// The change's number in the conversation's sequence.
    pub seq: u64,
    pub message_id: String,
    pub conversation_id: String,
    pub user_id: String,
    pub emoji: String,
    pub message: Message,
}

/// `message.read`: who read, and the message after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReadReceipt {
    /// The change's number in the conversation's sequence.
    pub seq: u64,
    pub message_id: String,
    pub conversation_id: String,
    pub user_id: String,
    pub message: Message,
}

/// `message.sent`: the stored message and the sender's idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SentMessage {
    #[serde(flatten)]
    pub message: Message,
    pub client_message_id: Option<String>,
}

/// `typing`: relayed to the conversation's other participants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TypingEvent {
    pub conversation_id: String,
    pub user_id: String,
    pub recipient_id: Option<String>,
    pub chat_id: Option<String>,
    pub is_typing: bool,
}

/// `presence`: the status of a direct-message peer or of a user the connection subscribed to
/// changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PresenceEvent {
    pub user_id: String,
    pub status: Status,
    pub last_seen_at: Option<String>,
}

/// `presence.snapshot`: the answer to `subscribePresence`, the current presence of every
/// subscribed user that exists, in the order asked (an unknown or deleted id is left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PresenceSnapshot {
    pub users: Vec<PresenceEvent>,
}

/// `pong`: the answer to `ping`, with no data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pong {}

/// One frame as clients receive it: `{"type": "...", "data": {...}, "ts": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(flatten)]
    pub payload: Payload,
    pub ts: String,
}

impl Event {
    pub fn new(payload: Payload) -> Self {
        Event {
            payload,
            ts: now_rfc3339(),
        }
    }

    pub fn event_type(&self) -> EventType {
        EventType::from(&self.payload)
    }

    /// The event as one WebSocket text frame.
    pub fn to_json(&self) -> String {
        // Plain data with string keys always serialises; an empty frame would be dropped.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Who hears an event: every open connection of each of its users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Audience {
    Users(Vec<String>),
    /// The chat's members, but `except`. The delivery reads the member set, so the change that
    /// yields the event never does.
    Chat {
        chat_id: String,
        except: Option<String>,
        /// The members as of this version of the chat's membership (the count of its
        /// membership changes): the one the change was stored at, which holds no longer than
        /// the next membership change. A member set read before the change at the same version
        /// is exactly who to tell. `None`: the members when the event is delivered.
        #[serde(skip_serializing_if = "Option::is_none")]
        members_version: Option<u64>,
    },
}

impl Audience {
    /// A chat's audience as of `members_version`; other audiences as they are.
    pub fn as_of(self, members_version: Option<u64>) -> Self {
        match self {
            Audience::Chat {
                chat_id, except, ..
            } => Audience::Chat {
                chat_id,
                except,
                members_version,
            },
            users => users,
        }
    }
}

/// An event and who should receive it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub audience: Audience,
    /// Connections that receive it too (each connection gets the event once).
    #[serde(skip)]
    pub watchers: Option<Watchers>,
    pub event: Event,
}

/// The connections subscribed to the presence of `watched`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watchers {
    pub watched: String,
    pub sockets: Vec<Socket>,
}

impl Notification {
    pub fn new(recipients: Vec<String>, event: Event) -> Self {
        Notification {
            audience: Audience::Users(recipients),
            watchers: None,
            event,
        }
    }

    pub fn to_audience(audience: Audience, event: Event) -> Self {
        Notification {
            audience,
            watchers: None,
            event,
        }
    }

    /// The users a [`Audience::Users`] notification names (none for a chat's).
    pub fn recipients(&self) -> &[String] {
        match &self.audience {
            Audience::Users(users) => users,
            Audience::Chat { .. } => &[],
        }
    }
}

/// A domain result together with the notifications the change yields. Empty notifications mean
/// nothing changed (an idempotent repeat), so there is nothing to tell anybody.
#[derive(Debug)]
pub struct Outcome<T> {
    pub value: T,
    pub notifications: Vec<Notification>,
}

impl<T> Outcome<T> {
    pub fn new(value: T, notifications: Vec<Notification>) -> Self {
        Outcome {
            value,
            notifications,
        }
    }

    pub fn quiet(value: T) -> Self {
        Outcome {
            value,
            notifications: Vec::new(),
        }
    }
}

/// Delivers notifications. Delivery is best effort by design: the change is already stored and
/// clients catch up through the REST API, so a failed push must never fail the request.
pub trait Notify: Send + Sync {
    fn notify(&self, notifications: Vec<Notification>) -> BoxFuture<'_, ()>;

    /// Finds where `audience`'s pushes go before the change that notifies it is stored, so
    /// that the look-up runs beside the change's reads instead of after its write. A
    /// notifier that cannot look ahead finds nothing, and [`Notify::notify_looked_up`] then
    /// works as [`Notify::notify`].
    fn look_up(&self, audience: Audience) -> BoxFuture<'_, LookedUp> {
        let _ = audience;
        Box::pin(async { LookedUp::default() })
    }

    /// [`Notify::notify`], starting at once with the sockets `looked_up` found for a
    /// notification of its audience. Nothing is lost to the look-up's age: a socket opened
    /// since then is found by another look-up, made after the change and beside those pushes.
    fn notify_looked_up(
        &self,
        notifications: Vec<Notification>,
        looked_up: LookedUp,
    ) -> BoxFuture<'_, ()> {
        let _ = looked_up;
        self.notify(notifications)
    }
}

/// The sockets of an audience, found before the change that notifies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LookedUp {
    /// `None`: nothing was looked up.
    pub audience: Option<Audience>,
    /// The audience's users as the look-up found them (a chat's members).
    pub users: Vec<String>,
    pub sockets: Vec<Socket>,
}

/// Only logs what would be pushed; the default until WebSocket delivery replaces it.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl Notify for LogNotifier {
    fn notify(&self, notifications: Vec<Notification>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for n in &notifications {
                tracing::debug!(
                    event_type = ?n.event.event_type(),
                    audience = ?n.audience,
                    watchers = n.watchers.as_ref().map_or(0, |w| w.sockets.len()),
                    "notification (not delivered: no WebSocket delivery configured)"
                );
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pong_at(ts: &str) -> Event {
        Event {
            payload: Payload::Pong(Pong {}),
            ts: ts.into(),
        }
    }

    #[test]
    fn serialises_as_the_contract_frame() {
        let event = Event {
            payload: Payload::Presence(PresenceEvent {
                user_id: "U".into(),
                status: Status::Away,
                last_seen_at: None,
            }),
            ts: "2026-11-24T01:02:03.456Z".into(),
        };
        assert_eq!(
            serde_json::to_value(&event).ok(),
            Some(json!({
                "type": "presence",
                "data": {"user_id": "U", "status": "away", "last_seen_at": null},
                "ts": "2026-11-24T01:02:03.456Z",
            }))
        );
        assert_eq!(
            serde_json::to_value(pong_at("t")).ok(),
            Some(json!({"type": "pong", "data": {}, "ts": "t"}))
        );
    }

    #[test]
    fn frames_read_back_as_the_same_event() {
        let event = pong_at("2026-11-24T01:02:03.456Z");
        let back: Option<Event> = serde_json::from_str(&event.to_json()).ok();
        assert_eq!(back, Some(event));
        let unknown: Result<Event, _> =
            serde_json::from_value(json!({"type": "nope", "data": {}, "ts": "t"}));
        assert!(unknown.is_err());
    }
}
