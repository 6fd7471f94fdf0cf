//! The event each change to a message is, and who hears of it.

use crate::conversation::{Conversation, Fanout};
use crate::events::{Audience, Event, Notification, Payload, ReactionChange, ReadReceipt};
use crate::messages::Message;

/// Who hears of `conversation`'s changes: its two users, or the chat's members (resolved when
/// the event is delivered).
pub fn audience(conversation: &Conversation) -> Audience {
    match conversation {
        Conversation::Direct { low, high } => {
            Audience::Users(vec![low.to_string(), high.to_string()])
        }
        Conversation::Chat(chat_id) => Audience::Chat {
            chat_id: chat_id.to_string(),
            except: None,
            members_version: None,
        },
    }
}

/// A change to a message, as far as notifications are concerned.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Created(&'a Message),
    Updated(&'a Message),
    Deleted(&'a Message),
    /// `seq`: the change's number in the conversation's sequence.
    ReactionAdded {
        message: &'a Message,
        seq: u64,
        user_id: &'a str,
        emoji: &'a str,
    },
    ReactionRemoved {
        message: &'a Message,
        seq: u64,
        user_id: &'a str,
        emoji: &'a str,
    },
    Read {
        message: &'a Message,
        seq: u64,
        user_id: &'a str,
    },
}

impl Change<'_> {
    pub fn message(&self) -> &Message {
        match self {
            Change::Created(m) | Change::Updated(m) | Change::Deleted(m) => m,
            Change::ReactionAdded { message, .. }
            | Change::ReactionRemoved { message, .. }
            | Change::Read { message, .. } => message,
        }
    }
}

/// Every participant hears of every change, the actor included: its other connections must show
/// it too. Message events carry the whole message. A change whose fan-out is the stream's is
/// pushed by the delivery function, not by the request: no notification here. A chat's
/// audience is the members as of the membership version the change was stored at.
pub fn notifications(change: Change<'_>, audience: &Audience) -> Vec<Notification> {
    let message = change.message();
    if message.fanout == Fanout::Stream {
        return Vec::new();
    }
    vec![Notification::to_audience(
        audience.clone().as_of(message.members_version),
        Event::new(payload(change)),
    )]
}

/// The event a change is: its type and its data.
pub fn payload(change: Change<'_>) -> Payload {
    let reaction = |message: &Message, seq: u64, user_id: &str, emoji: &str| ReactionChange {
        seq,
        message_id: message.id.clone(),
        conversation_id: message.conversation_id.clone(),
        user_id: user_id.to_owned(),
        emoji: emoji.to_owned(),
        message: message.clone(),
    };
    match change {
        Change::Created(m) => Payload::MessageCreated(m.clone()),
        Change::Updated(m) => Payload::MessageUpdated(m.clone()),
        Change::Deleted(m) => Payload::MessageDeleted(m.clone()),
        Change::ReactionAdded {
            message,
            seq,
            user_id,
            emoji,
        } => Payload::ReactionAdded(reaction(message, seq, user_id, emoji)),
        Change::ReactionRemoved {
            message,
            seq,
            user_id,
            emoji,
        } => Payload::ReactionRemoved(reaction(message, seq, user_id, emoji)),
        Change::Read {
            message,
            seq,
            user_id,
        } => Payload::MessageRead(ReadReceipt {
            seq,
            message_id: message.id.clone(),
            conversation_id: message.conversation_id.clone(),
            user_id: user_id.to_owned(),
            message: message.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_users::{chat, user};
    use std::collections::BTreeMap;

    use crate::attachments::Attachment;
    use crate::conversation::message_id;
    use crate::events::EventType;
    use crate::messages::{
        MAX_CONTENT_CHARS, MAX_DISTINCT_REACTIONS, MAX_REACTIONS, MAX_READ_RECEIPTS, MessageType,
    };
    use serde_json::json;

    const A: &str = "01HZZZZZZZZZZZZZZZZZZZZZZA";
    const B: &str = "01HZZZZZZZZZZZZZZZZZZZZZZB";
    const C: &str = "01HZZZZZZZZZZZZZZZZZZZZZZC";
    const ULID: &str = "01JD8X3B1R0000000000000000";

    fn message(conversation: &Conversation, sender: &str) -> Message {
        let (recipient_id, chat_id) = match conversation {
            Conversation::Direct { low, high } => (
                Some(if low == sender { high } else { low }.to_string()),
                None,
            ),
            Conversation::Chat(id) => (None, Some(id.to_string())),
        };
        Message {
            id: message_id(ULID, &conversation.id()),
            conversation_id: conversation.id(),
            sender_id: sender.into(),
            recipient_id,
            chat_id,
            content: "hi".into(),
            message_type: MessageType::Text,
            reply_to_id: None,
            reactions: BTreeMap::new(),
            read_by: vec![],
            created_at: "2026-11-24T01:02:03.456Z".into(),
            edited_at: None,
            deleted: false,
            attachments: vec![],
            seq: 1,
            updated_seq: 1,
            number: 1,
            fanout: Fanout::Inline,
            ulid: ULID.into(),
            version: 1,
            members_version: None,
        }
    }

    /// The (recipient, event type) pairs, as a client population would receive them.
    fn deliveries(notifications: &[Notification]) -> Vec<(String, EventType)> {
        let mut pairs: Vec<(String, EventType)> = notifications
            .iter()
            .flat_map(|n| {
                n.recipients()
                    .iter()
                    .map(|r| (r.clone(), n.event.event_type()))
            })
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
    }

    fn pairs(users: &[&str], t: EventType) -> Vec<(String, EventType)> {
        users.iter().map(|u| ((*u).to_owned(), t)).collect()
    }

    #[test]
    fn a_direct_message_notifies_both_users() {
        let conv = Conversation::direct(&user(A), &user(B)).expect("two distinct users");
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned()];
        assert_eq!(
            deliveries(&notifications(
                Change::Created(&m),
                &Audience::Users(people)
            )),
            pairs(&[A, B], EventType::MessageCreated)
        );
    }

    #[test]
    fn a_chat_message_notifies_every_member_the_sender_included() {
        let conv = Conversation::chat(&chat("CHAT1"));
        let m = message(&conv, B);
        let people = vec![A.to_owned(), B.to_owned(), C.to_owned()];
        assert_eq!(
            deliveries(&notifications(
                Change::Created(&m),
                &Audience::Users(people)
            )),
            pairs(&[A, B, C], EventType::MessageCreated)
        );
    }

    #[test]
    fn every_change_has_its_event_for_every_participant() {
        let conv = Conversation::chat(&chat("CHAT1"));
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned(), C.to_owned()];
        let cases = [
            (Change::Updated(&m), EventType::MessageUpdated),
            (Change::Deleted(&m), EventType::MessageDeleted),
            (
                Change::ReactionAdded {
                    message: &m,
                    seq: 2,
                    user_id: B,
                    emoji: "👍",
                },
                EventType::ReactionAdded,
            ),
            (
                Change::ReactionRemoved {
                    message: &m,
                    seq: 3,
                    user_id: B,
                    emoji: "👍",
                },
                EventType::ReactionRemoved,
            ),
            (
                Change::Read {
                    message: &m,
                    seq: 4,
                    user_id: C,
                },
                EventType::MessageRead,
            ),
        ];
        for (change, event_type) in cases {
            assert_eq!(
                deliveries(&notifications(change, &Audience::Users(people.clone()))),
                pairs(&[A, B, C], event_type),
                "{change:?}"
            );
        }
    }

    fn data_of(event: &Event) -> serde_json::Value {
        serde_json::to_value(event).expect("serialises")["data"].clone()
    }

    #[test]
    fn events_carry_the_message() {
        let conv = Conversation::direct(&user(A), &user(B)).expect("two distinct users");
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned()];
        let created = notifications(Change::Created(&m), &Audience::Users(people.clone()));
        let data = created.first().map(|n| data_of(&n.event));
        assert_eq!(data.as_ref().map(|d| d["id"].clone()), Some(json!(m.id)));
        assert_eq!(
            data.map(|d| d["recipient_id"].clone()),
            Some(json!(B)),
            "the whole message"
        );
        let read = notifications(
            Change::Read {
                message: &m,
                seq: 2,
                user_id: B,
            },
            &Audience::Users(people),
        );
        let data = read.first().map(|n| data_of(&n.event));
        assert_eq!(
            data.map(|d| (d["user_id"].clone(), d["message"]["id"].clone())),
            Some((json!(B), json!(m.id)))
        );
    }

    /// A chat's change is told to the members of the membership version it was stored at, so
    /// that members looked up before it are its audience only if they are of that version.
    #[test]
    fn a_chat_change_is_told_to_the_members_of_its_membership_version() {
        let conv = Conversation::chat(&chat(ULID));
        let mut m = message(&conv, A);
        m.members_version = Some(7);
        let told = notifications(Change::Created(&m), &audience(&conv));
        let expected = Audience::Chat {
            chat_id: ULID.to_owned(),
            except: None,
            members_version: Some(7),
        };
        assert_eq!(told.first().map(|n| &n.audience), Some(&expected));
        // A direct conversation's audience names its two users, whatever the message says.
        let direct = Conversation::direct(&user(A), &user(B)).expect("two distinct users");
        let mut m = message(&direct, A);
        m.members_version = Some(7);
        let told = notifications(Change::Created(&m), &audience(&direct));
        assert_eq!(
            told.first().map(|n| &n.audience),
            Some(&Audience::Users(vec![A.to_owned(), B.to_owned()]))
        );
    }

    /// The largest message the bounds allow, in the largest event that carries it, stays under
    /// API Gateway's 128 KB push limit.
    #[test]
    fn the_largest_message_event_fits_in_one_push() {
        let conv = Conversation::chat(&chat("01JD8X3B1R0000000000000000"));
        let mut m = message(&conv, A);
        // Quotes escape to two bytes, control characters to six.
        m.content = "\u{1}".repeat(MAX_CONTENT_CHARS);
        m.reply_to_id = Some(message_id(ULID, &conv.id()));
        m.edited_at = Some(m.created_at.clone());
        let reader = || ulid::Ulid::generate().to_string();
        m.read_by = (0..MAX_READ_RECEIPTS).map(|_| reader()).collect();
        let per_emoji = MAX_REACTIONS / MAX_DISTINCT_REACTIONS;
        m.reactions = (0..MAX_DISTINCT_REACTIONS)
            .map(|i| {
                let code = format!(":{:x<32}:", i);
                (code, (0..per_emoji).map(|_| reader()).collect())
            })
            .collect();
        // Ten files with download URLs longer than AWS makes them (about 2.7 KB at most: the
        // fallback name's 255 characters encoded, a Lambda's session token of about 1.4 KB,
        // the rest of the query and the host).
        m.attachments = (0..crate::attachments::MAX_ATTACHMENTS)
            .map(|_| Attachment {
                attachment_id: reader(),
                file_name: "😀".repeat(crate::attachments::MAX_FILE_NAME_CHARS),
                content_type: format!("application/{}", "x".repeat(115)),
                size_bytes: u64::MAX,
                checksum_sha256: "A".repeat(44),
                download_url: Some("u".repeat(3 * 1024)),
            })
            .collect();
        let longest_user = "Z".repeat(64);
        let event = notifications(
            Change::ReactionAdded {
                message: &m,
                seq: u64::MAX,
                user_id: &longest_user,
                emoji: &format!(":{}:", "y".repeat(32)),
            },
            &Audience::Users(vec![A.to_owned()]),
        );
        let event = &event.first().expect("one notification").event;
        let bytes = serde_json::to_vec(event).expect("serialises").len();
        assert!(bytes < 128 * 1024, "{bytes} bytes");
        println!("largest message event: {bytes} bytes");
    }
}
