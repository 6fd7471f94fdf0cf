//! The ports kept in memory, for the rules' tests: no database, no network. Each conditional
//! write checks what the DynamoDB store's condition expression checks, in the same order of
//! precedence, so a rule sees the same outcomes from both.

mod attachments;
mod chats;
mod conversations;
mod history;
mod message_changes;
mod messages;
mod presence;
mod sessions;
mod tokens;
mod users;

pub use tokens::PlainTokens;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use crate::attachments::Upload;
use crate::chats::Chat;
use crate::connections::{LiveConnection, Socket};
use crate::conversation::{Conversation, ConversationKind, Fanout};
use crate::error::{Error, Result};
use crate::idempotency::Remembered;
use crate::messages::Message;
use crate::users::User;

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
    /// Conversation id → the number of its last change.
    seqs: HashMap<String, u64>,
    /// (conversation id, ULID) → message.
    messages: BTreeMap<(String, String), Message>,
    /// (sender id, client message id) → (conversation id, ULID) of the first send.
    idempotency: HashMap<(String, String), (String, String)>,
    /// (owner, Idempotency-Key) → the keyed chat change's record.
    remembered: HashMap<(String, String), Remembered>,
    /// (conversation id, user id) → a direct conversation's read position.
    direct_reads: HashMap<(String, String), u64>,
    uploads: HashMap<String, Upload>,
    /// Accounts with their sessions, by id (each also in `users`).
    accounts: HashMap<String, User>,
    /// User id → the peers of its direct conversations, the most recently active first.
    direct_peers: HashMap<String, Vec<String>>,
    /// User id → the connections subscribed to its presence.
    watchers: HashMap<String, Vec<Socket>>,
    /// Connection records by connection id.
    connections: HashMap<String, LiveConnection>,
}

/// Takes the conversation's next number and says who pushes the change it numbers, as the
/// store decides both (the step of the conversation's item, its member count). A function of
/// the two fields rather than a method, so a caller can hold a message of `State` meanwhile.
fn take_number(
    seqs: &mut HashMap<String, u64>,
    member_counts: &HashMap<String, u64>,
    conversation_id: &str,
) -> (u64, Fanout) {
    let seq = seqs.get(conversation_id).copied().unwrap_or(0) + 1;
    seqs.insert(conversation_id.to_owned(), seq);
    let kind = Conversation::parse(conversation_id).map_or(ConversationKind::Chat, |c| c.kind());
    let fanout = Fanout::for_audience(kind, member_counts.get(conversation_id).copied());
    (seq, fanout)
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

    /// Stores an upload, as a client's `POST /attachments` and its PUT to storage would.
    pub fn put_upload(&self, upload: Upload) -> Result<()> {
        self.state()?
            .uploads
            .insert(upload.attachment_id.clone(), upload);
        Ok(())
    }

    /// The stored upload.
    pub fn upload(&self, attachment_id: &str) -> Result<Option<Upload>> {
        Ok(self.state()?.uploads.get(attachment_id).cloned())
    }

    /// Every stored message of the conversation, in order.
    pub fn messages_of(&self, conversation_id: &str) -> Result<Vec<Message>> {
        Ok(self
            .state()?
            .messages
            .iter()
            .filter(|((conversation, _), _)| conversation == conversation_id)
            .map(|(_, message)| message.clone())
            .collect())
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
