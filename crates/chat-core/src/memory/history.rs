//! A conversation's history in memory, paged as the table's Queries page: a position names the
//! last item of a page (its ULID, or its last change's number for a catch-up), and the next
//! page starts after it.

use std::collections::BTreeMap;

use super::MemoryStore;
use crate::error::Result;
use crate::messages::Message;
use crate::paging::{Position, PositionPart};
use crate::ports::MessageHistory;

impl MessageHistory for MemoryStore {
    async fn newest_messages(
        &self,
        conversation_id: &str,
        limit: i32,
        start: Option<Position>,
    ) -> Result<(Vec<Message>, Option<Position>)> {
        let after = start.as_ref().and_then(|p| part(p, "ulid"));
        let mut messages: Vec<Message> = self
            .state()?
            .messages
            .values()
            .filter(|m| m.conversation_id == conversation_id)
            .filter(|m| after.as_ref().is_none_or(|ulid| m.ulid < *ulid))
            .cloned()
            .collect();
        messages.sort_by(|a, b| b.ulid.cmp(&a.ulid));
        Ok(page(messages, limit, |m| ("ulid", m.ulid.clone())))
    }

    async fn changed_messages(
        &self,
        conversation_id: &str,
        after_seq: u64,
        limit: i32,
        start: Option<Position>,
    ) -> Result<(Vec<Message>, Option<Position>)> {
        let resume = start
            .as_ref()
            .and_then(|p| part(p, "updated_seq"))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(after_seq);
        let mut messages: Vec<Message> = self
            .state()?
            .messages
            .values()
            .filter(|m| m.conversation_id == conversation_id && m.updated_seq > resume)
            .cloned()
            .collect();
        messages.sort_by_key(|m| m.updated_seq);
        Ok(page(messages, limit, |m| {
            ("updated_seq", m.updated_seq.to_string())
        }))
    }
}

fn part(position: &Position, name: &str) -> Option<String> {
    match position.0.get(name)? {
        PositionPart::S(text) | PositionPart::N(text) => Some(text.clone()),
    }
}

/// The first `limit` of `messages`, and the position of the last one when more follow.
fn page(
    mut messages: Vec<Message>,
    limit: i32,
    key: impl Fn(&Message) -> (&'static str, String),
) -> (Vec<Message>, Option<Position>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if messages.len() <= limit {
        return (messages, None);
    }
    messages.truncate(limit);
    let next = messages.last().map(|last| {
        let (name, value) = key(last);
        Position(BTreeMap::from([(name.to_owned(), PositionPart::S(value))]))
    });
    (messages, next)
}
