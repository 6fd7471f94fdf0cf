//! The message rules against the memory store: no database.

mod changing;
mod history;
mod sending;

use futures::executor::block_on;

use crate::authorisation::allowed;

use super::send;
use crate::chats::{self, NewChat};
use crate::error::Result;
use crate::events::{Audience, EventType, Notification, Outcome};
use crate::memory::MemoryStore;
use crate::messages::NewMessage;

pub(super) use crate::ids::AttachmentId;
pub(super) use crate::test_users::{ADA, BOB, CY, chat, user};

pub(super) fn store() -> MemoryStore {
    MemoryStore::with_users([ADA, BOB, CY])
}

pub(super) fn to_user(recipient: &str, content: &str) -> NewMessage {
    NewMessage {
        recipient_id: Some(user(recipient)),
        content: content.to_owned(),
        ..Default::default()
    }
}

pub(super) fn to_chat(chat_id: &str, content: &str) -> NewMessage {
    NewMessage {
        chat_id: Some(chat(chat_id)),
        content: content.to_owned(),
        ..Default::default()
    }
}

pub(super) fn chat_of(store: &MemoryStore, owner: &str, members: &[&str]) -> String {
    let new = NewChat {
        name: "engines".into(),
        member_ids: members.iter().map(|m| user(m)).collect(),
    };
    block_on(chats::rules::create(store, owner, new, None))
        .expect("a chat")
        .id
}

pub(super) fn sent(
    store: &MemoryStore,
    me: &str,
    new: &NewMessage,
) -> Result<Outcome<super::Sent>> {
    block_on(send(store, store, me, new, allowed()))
}

pub(super) fn status<T: std::fmt::Debug>(result: Result<T>) -> u16 {
    result.err().map_or(200, |err| err.detail().0)
}

pub(super) fn field<T: std::fmt::Debug>(result: Result<T>) -> Option<String> {
    result.err().and_then(|err| err.detail().1.field)
}

/// (user, event type) for every user a notification names.
pub(super) fn heard(notifications: &[Notification]) -> Vec<(String, EventType)> {
    notifications
        .iter()
        .flat_map(|n| {
            let users = match &n.audience {
                Audience::Users(users) => users.clone(),
                Audience::Chat { chat_id, .. } => vec![format!("members of {chat_id}")],
            };
            users.into_iter().map(|u| (u, n.event.event_type()))
        })
        .collect()
}
