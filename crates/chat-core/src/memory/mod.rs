//! The ports kept in memory, for the rules' tests: no database, no network. Each conditional
//! write checks what the DynamoDB store's condition expression checks, in the same order of
//! precedence, so a rule sees the same outcomes from both.

mod chats;
mod conversations;
mod users;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use crate::chats::Chat;
use crate::error::{Error, Result};

#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    users: HashSet<String>,
    chats: BTreeMap<String, Chat>,
    /// (chat id, user id) → messages counted as read when the member joined.
    read_counts: HashMap<(String, String), u64>,
    message_counts: HashMap<String, u64>,
    member_counts: HashMap<String, u64>,
}

impl MemoryStore {
    pub fn with_users<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let store = Self::default();
        if let Ok(mut state) = store.state.lock() {
            state.users.extend(ids.into_iter().map(str::to_owned));
        }
        store
    }

    fn state(&self) -> Result<MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| Error::internal("the memory store's lock is poisoned"))
    }

    /// Pretends `count` messages were sent in the conversation.
    pub fn set_message_count(&self, conversation_id: &str, count: u64) -> Result<()> {
        self.state()?
            .message_counts
            .insert(conversation_id.to_owned(), count);
        Ok(())
    }

    /// The member count recorded for the conversation (how its events are pushed).
    pub fn member_count(&self, conversation_id: &str) -> Result<Option<u64>> {
        Ok(self.state()?.member_counts.get(conversation_id).copied())
    }

    /// What a member counted as read when it joined.
    pub fn read_count(&self, chat_id: &str, user_id: &str) -> Result<Option<u64>> {
        let key = (chat_id.to_owned(), user_id.to_owned());
        Ok(self.state()?.read_counts.get(&key).copied())
    }
}
