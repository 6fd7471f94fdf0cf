//! Real-time events as data. Domain changes return the [`Notification`]s they yield; the API
//! layer hands them to [`App::notifier`](crate::app::App) once the change is stored, so the
//! rules of who hears what live in the domain and the delivery (WebSocket connections) elsewhere.

use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;

use crate::time::now_rfc3339;

/// The contract's server-to-client event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventType {
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "message.updated")]
    MessageUpdated,
    #[serde(rename = "message.deleted")]
    MessageDeleted,
    #[serde(rename = "reaction.added")]
    ReactionAdded,
    #[serde(rename = "reaction.removed")]
    ReactionRemoved,
    #[serde(rename = "message.read")]
    MessageRead,
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "typing")]
    Typing,
    #[serde(rename = "presence")]
    Presence,
    #[serde(rename = "error")]
    Error,
    #[serde(rename = "pong")]
    Pong,
}

/// One frame as clients receive it: `{"type": "...", "data": {...}, "ts": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub data: Value,
    pub ts: String,
}

impl Event {
    pub fn new(event_type: EventType, data: Value) -> Self {
        Event {
            event_type,
            data,
            ts: now_rfc3339(),
        }
    }

    /// The event as one WebSocket text frame.
    pub fn to_json(&self) -> String {
        // A `Value` and two plain fields always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An event and the users (ids) whose every open connection should receive it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub recipients: Vec<String>,
    pub event: Event,
}

impl Notification {
    pub fn new(recipients: Vec<String>, event: Event) -> Self {
        Notification { recipients, event }
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
}

/// Only logs what would be pushed; the default until WebSocket delivery replaces it.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl Notify for LogNotifier {
    fn notify(&self, notifications: Vec<Notification>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for n in &notifications {
                tracing::debug!(
                    event_type = ?n.event.event_type,
                    recipients = n.recipients.len(),
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

    #[test]
    fn serialises_as_the_contract_frame() {
        let event = Event {
            event_type: EventType::ReactionAdded,
            data: json!({"emoji": "👍"}),
            ts: "2026-11-24T01:02:03.456Z".into(),
        };
        assert_eq!(
            serde_json::to_value(&event).ok(),
            Some(json!({
                "type": "reaction.added",
                "data": {"emoji": "👍"},
                "ts": "2026-11-24T01:02:03.456Z",
            }))
        );
    }

    #[test]
    fn every_contract_type_has_its_name() {
        let names: Vec<Value> = [
            EventType::MessageCreated,
            EventType::MessageUpdated,
            EventType::MessageDeleted,
            EventType::ReactionAdded,
            EventType::ReactionRemoved,
            EventType::MessageRead,
            EventType::MessageSent,
            EventType::Typing,
            EventType::Presence,
            EventType::Error,
            EventType::Pong,
        ]
        .iter()
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
        assert_eq!(
            names,
            [
                "message.created",
                "message.updated",
                "message.deleted",
                "reaction.added",
                "reaction.removed",
                "message.read",
                "message.sent",
                "typing",
                "presence",
                "error",
                "pong"
            ]
            .map(Value::from)
        );
    }
}
