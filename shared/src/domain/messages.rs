//! Messages: direct and chat conversations, history, edits, tombstones, reactions, read receipts
//! and the notifications each change yields.
//!
//! A message's public id is `<ulid>.<conversation_id>`: it still sorts by creation time (the
//! ULID comes first), and it locates the message, so every `/messages/{id}` call is one strongly
//! consistent GetItem or UpdateItem on the base table. A malformed or altered id names no
//! message and answers 404.

use std::collections::BTreeMap;

use futures::StreamExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::App;
use crate::cursor::Key;
use crate::error::{Error, Result};
use crate::events::{Event, EventType, Notification, Outcome};
use crate::input::check_len;
use crate::store::StoreError;
use crate::store::inbox::Activity;
use crate::time::{format_rfc3339, now_rfc3339};

pub const MAX_CONTENT_CHARS: usize = 4000;
pub const MAX_CLIENT_MESSAGE_ID_CHARS: usize = 64;
pub const MAX_EMOJI_CHARS: usize = 32;
/// Inbox updates of a chat message run this many at a time: enough to keep a large chat's
/// fan-out short, few enough not to exhaust the connection pool or burst a partition.
const FANOUT_CONCURRENCY: usize = 16;
/// A delete re-reads and retries this often when reactions or edits keep landing in between;
/// every failed attempt means another write succeeded, so only heavy contention exhausts it.
const DELETE_ATTEMPTS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    Text,
    Image,
    File,
    System,
}

impl MessageType {
    pub fn parse(raw: &str) -> Result<Self> {
        match raw {
            "text" => Ok(MessageType::Text),
            "image" => Ok(MessageType::Image),
            "file" => Ok(MessageType::File),
            "system" => Ok(MessageType::System),
            _ => Err(Error::validation(
                "message_type",
                "message_type must be one of text, image, file, system",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Text => "text",
            MessageType::Image => "image",
            MessageType::File => "file",
            MessageType::System => "system",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    Direct,
    Chat,
}

/// Who talks: two users, or the members of a chat. Its id is the messages' partition key:
/// `d.<smaller user id>.<larger user id>` or `c.<chat_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Conversation {
    Direct { low: String, high: String },
    Chat(String),
}

/// User and chat ids are ULIDs; anything with other characters (notably the `.` and `#` the
/// keys use as separators) cannot name one, so it is refused before it reaches a key.
pub fn is_entity_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

impl Conversation {
    /// The conversation of two distinct users, in either order.
    pub fn direct(a: &str, b: &str) -> Option<Self> {
        if a == b || !is_entity_id(a) || !is_entity_id(b) {
            return None;
        }
        let (low, high) = if a < b { (a, b) } else { (b, a) };
        Some(Conversation::Direct {
            low: low.to_owned(),
            high: high.to_owned(),
        })
    }

    pub fn chat(chat_id: &str) -> Option<Self> {
        is_entity_id(chat_id).then(|| Conversation::Chat(chat_id.to_owned()))
    }

    pub fn parse(id: &str) -> Option<Self> {
        if let Some(rest) = id.strip_prefix("d.") {
            let (low, high) = rest.split_once('.')?;
            let conv = Conversation::direct(low, high)?;
            // Only the canonical order names the conversation.
            return (matches!(&conv, Conversation::Direct { low: l, .. } if l == low))
                .then_some(conv);
        }
        Conversation::chat(id.strip_prefix("c.")?)
    }

    pub fn id(&self) -> String {
        match self {
            Conversation::Direct { low, high } => format!("d.{low}.{high}"),
            Conversation::Chat(chat_id) => format!("c.{chat_id}"),
        }
    }

    pub fn kind(&self) -> ConversationKind {
        match self {
            Conversation::Direct { .. } => ConversationKind::Direct,
            Conversation::Chat(_) => ConversationKind::Chat,
        }
    }

    /// For a direct conversation: whether `user` is one of its two users.
    fn is_direct_participant(&self, user: &str) -> bool {
        matches!(self, Conversation::Direct { low, high } if low == user || high == user)
    }
}

/// A parsed public message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef {
    pub ulid: String,
    pub conversation: Conversation,
}

impl MessageRef {
    pub fn parse(id: &str) -> Option<Self> {
        let (ulid, conversation) = id.split_once('.')?;
        let parsed = ulid::Ulid::from_string(ulid).ok()?;
        // Crockford base32 decodes lower case too; only the canonical spelling is a key.
        if parsed.to_string() != ulid {
            return None;
        }
        Some(MessageRef {
            ulid: ulid.to_owned(),
            conversation: Conversation::parse(conversation)?,
        })
    }

    pub fn id(&self) -> String {
        message_id(&self.ulid, &self.conversation.id())
    }
}

pub fn message_id(ulid: &str, conversation_id: &str) -> String {
    format!("{ulid}.{conversation_id}")
}

/// A message as clients see it. A deleted message is a tombstone: empty content and no
/// reactions, whatever a racing write may have left behind (the store renders it so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub sender_id: String,
    pub recipient_id: Option<String>,
    pub chat_id: Option<String>,
    pub content: String,
    pub message_type: MessageType,
    pub reply_to_id: Option<String>,
    pub reactions: BTreeMap<String, Vec<String>>,
    pub read_by: Vec<String>,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub deleted: bool,
    /// The sort key within the conversation.
    #[serde(skip)]
    pub ulid: String,
    /// Bumped by every edit, reaction and deletion; a deletion expects the version it read.
    #[serde(skip)]
    pub version: u64,
}

impl Message {
    pub fn kind(&self) -> ConversationKind {
        if self.chat_id.is_some() {
            ConversationKind::Chat
        } else {
            ConversationKind::Direct
        }
    }

    /// For a direct message: the user of the conversation who is not `user`.
    pub fn peer_of(&self, user: &str) -> Option<&str> {
        let recipient = self.recipient_id.as_deref()?;
        Some(if self.sender_id == user {
            recipient
        } else {
            &self.sender_id
        })
    }

    fn has_reaction(&self, emoji: &str, user: &str) -> bool {
        self.reactions
            .get(emoji)
            .is_some_and(|users| users.iter().any(|u| u == user))
    }
}

/// A change to a message, as far as notifications are concerned.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Created(&'a Message),
    Updated(&'a Message),
    Deleted(&'a Message),
    ReactionAdded {
        message: &'a Message,
        user_id: &'a str,
        emoji: &'a str,
    },
    ReactionRemoved {
        message: &'a Message,
        user_id: &'a str,
        emoji: &'a str,
    },
    Read {
        message: &'a Message,
        user_id: &'a str,
    },
}

/// Every participant hears of every change, the actor included: its other connections must show
/// it too. Message events carry the whole message.
pub fn notifications(change: Change<'_>, participants: &[String]) -> Vec<Notification> {
    let (event_type, data) = match change {
        Change::Created(m) => (EventType::MessageCreated, json!(m)),
        Change::Updated(m) => (EventType::MessageUpdated, json!(m)),
        Change::Deleted(m) => (EventType::MessageDeleted, json!(m)),
        Change::ReactionAdded {
            message,
            user_id,
            emoji,
        } => (
            EventType::ReactionAdded,
            json!({"message_id": message.id, "conversation_id": message.conversation_id,
                   "user_id": user_id, "emoji": emoji, "message": message}),
        ),
        Change::ReactionRemoved {
            message,
            user_id,
            emoji,
        } => (
            EventType::ReactionRemoved,
            json!({"message_id": message.id, "conversation_id": message.conversation_id,
                   "user_id": user_id, "emoji": emoji, "message": message}),
        ),
        Change::Read { message, user_id } => (
            EventType::MessageRead,
            json!({"message_id": message.id, "conversation_id": message.conversation_id,
                   "user_id": user_id, "message": message}),
        ),
    };
    vec![Notification::new(
        participants.to_vec(),
        Event::new(event_type, data),
    )]
}

/// What `POST /messages/` takes (and the WebSocket `sendMessage` action).
#[derive(Debug, Default, Clone, Copy)]
pub struct NewMessage<'a> {
    pub recipient_id: Option<&'a str>,
    pub chat_id: Option<&'a str>,
    pub content: &'a str,
    pub message_type: Option<&'a str>,
    pub reply_to_id: Option<&'a str>,
    pub client_message_id: Option<&'a str>,
}

#[derive(Debug)]
pub struct Sent {
    pub message: Message,
    /// False when `client_message_id` named an earlier send: `message` is that first message.
    pub created: bool,
}

/// A page request: `limit` already checked, `cursor` as the client sent it.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Cursors of a history only resume that conversation's history.
fn history_scope(conversation: &Conversation) -> String {
    format!("messages:{}", conversation.id())
}

fn validate_content(content: &str) -> Result<()> {
    check_len("content", content, 1, MAX_CONTENT_CHARS)
}

pub fn validate_emoji(emoji: &str) -> Result<()> {
    check_len("emoji", emoji, 1, MAX_EMOJI_CHARS)?;
    if emoji.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::validation(
            "emoji",
            "emoji must not contain spaces or control characters",
        ));
    }
    Ok(())
}

/// The users of a conversation, if `me` is one of them (else 404: non-participants may not even
/// learn that it exists).
async fn participants(app: &App, conversation: &Conversation, me: &str) -> Result<Vec<String>> {
    match conversation {
        Conversation::Direct { low, high } => {
            if conversation.is_direct_participant(me) {
                Ok(vec![low.clone(), high.clone()])
            } else {
                Err(Error::NotFound)
            }
        }
        Conversation::Chat(chat_id) => match app.store.get_chat(chat_id).await? {
            Some(chat) if chat.members.iter().any(|m| m == me) => Ok(chat.members),
            _ => Err(Error::NotFound),
        },
    }
}

/// 404 unless `me` takes part in `conversation`; one GetItem for chats.
async fn ensure_participant(app: &App, conversation: &Conversation, me: &str) -> Result<()> {
    let allowed = match conversation {
        Conversation::Direct { .. } => conversation.is_direct_participant(me),
        Conversation::Chat(chat_id) => app.store.is_member(chat_id, me).await?,
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// The message `id` names and the conversation's participants, if `me` is one of them.
async fn load(app: &App, me: &str, id: &str) -> Result<(MessageRef, Message, Vec<String>)> {
    let at = MessageRef::parse(id).ok_or(Error::NotFound)?;
    let conversation_id = at.conversation.id();
    let (people, message) = futures::try_join!(participants(app, &at.conversation, me), async {
        Ok(app.store.get_message(&conversation_id, &at.ulid).await?)
    })?;
    let message = message.ok_or(Error::NotFound)?;
    Ok((at, message, people))
}

async fn reload(app: &App, at: &MessageRef) -> Result<Message> {
    app.store
        .get_message(&at.conversation.id(), &at.ulid)
        .await?
        .ok_or(Error::NotFound)
}

/// The conversation a send or a typing signal addresses (exactly one of `recipient_id` and
/// `chat_id`) and its participants; 404 for an unknown recipient or chat, 403 for a chat the
/// caller is not in.
async fn target(
    app: &App,
    me: &str,
    recipient_id: Option<&str>,
    chat_id: Option<&str>,
) -> Result<(Conversation, Vec<String>)> {
    match (recipient_id, chat_id) {
        (Some(recipient), None) => {
            if recipient == me {
                return Err(Error::validation(
                    "recipient_id",
                    "recipient_id must be another user",
                ));
            }
            let conversation = Conversation::direct(me, recipient).ok_or(Error::NotFound)?;
            app.store
                .get_user(recipient)
                .await?
                .ok_or(Error::NotFound)?;
            Ok((conversation, vec![me.to_owned(), recipient.to_owned()]))
        }
        (None, Some(chat_id)) => {
            let conversation = Conversation::chat(chat_id).ok_or(Error::NotFound)?;
            let chat = app.store.get_chat(chat_id).await?.ok_or(Error::NotFound)?;
            if !chat.members.iter().any(|m| m == me) {
                return Err(Error::Forbidden("you are not a member of this chat".into()));
            }
            Ok((conversation, chat.members))
        }
        _ => Err(Error::validation(
            "recipient_id",
            "exactly one of recipient_id and chat_id is required",
        )),
    }
}

/// A typing signal: relayed to the conversation's other participants, never stored.
pub async fn typing(
    app: &App,
    me: &str,
    recipient_id: Option<&str>,
    chat_id: Option<&str>,
    is_typing: bool,
) -> Result<Vec<Notification>> {
    let (conversation, people) = target(app, me, recipient_id, chat_id).await?;
    let others: Vec<String> = people.into_iter().filter(|p| p != me).collect();
    let event = Event::new(
        EventType::Typing,
        json!({
            "conversation_id": conversation.id(),
            "user_id": me,
            "recipient_id": recipient_id,
            "chat_id": chat_id,
            "is_typing": is_typing,
        }),
    );
    Ok(vec![Notification::new(others, event)])
}

pub async fn send(app: &App, me: &str, new: NewMessage<'_>) -> Result<Outcome<Sent>> {
    validate_content(new.content)?;
    let message_type = new
        .message_type
        .map(MessageType::parse)
        .transpose()?
        .unwrap_or(MessageType::Text);
    if let Some(key) = new.client_message_id {
        check_len("client_message_id", key, 1, MAX_CLIENT_MESSAGE_ID_CHARS)?;
    }

    let (conversation, people) = target(app, me, new.recipient_id, new.chat_id).await?;
    let conversation_id = conversation.id();

    if let Some(reply_to) = new.reply_to_id {
        let invalid = || {
            Error::validation(
                "reply_to_id",
                "reply_to_id must be a message of the same conversation",
            )
        };
        let target = MessageRef::parse(reply_to)
            .filter(|r| r.conversation == conversation)
            .ok_or_else(invalid)?;
        app.store
            .get_message(&conversation_id, &target.ulid)
            .await?
            .ok_or_else(invalid)?;
    }

    let ulid = ulid::Ulid::generate();
    let ulid_text = ulid.to_string();
    let message = Message {
        id: message_id(&ulid_text, &conversation_id),
        conversation_id: conversation_id.clone(),
        sender_id: me.to_owned(),
        recipient_id: new.recipient_id.map(str::to_owned),
        chat_id: new.chat_id.map(str::to_owned),
        content: new.content.to_owned(),
        message_type,
        reply_to_id: new.reply_to_id.map(str::to_owned),
        reactions: BTreeMap::new(),
        read_by: Vec::new(),
        // The same instant as the id's, so `created_at` and id order never disagree.
        created_at: format_rfc3339(ulid.datetime()),
        edited_at: None,
        deleted: false,
        ulid: ulid_text,
        version: 1,
    };

    match new.client_message_id {
        None => app.store.put_message(&message).await?,
        Some(key) => match app.store.put_message_once(&message, key).await {
            Ok(()) => {}
            Err(err) if err.failed_condition_at(0) => {
                let first = first_send(app, me, key).await?;
                return Ok(Outcome::quiet(Sent {
                    message: first,
                    created: false,
                }));
            }
            Err(err) => return Err(err.into()),
        },
    }

    record_activity(app, &message, &people).await;
    let notifications = notifications(Change::Created(&message), &people);
    Ok(Outcome::new(
        Sent {
            message,
            created: true,
        },
        notifications,
    ))
}

/// The message an earlier send with the same idempotency key stored.
async fn first_send(app: &App, me: &str, key: &str) -> Result<Message> {
    let (conversation_id, ulid) = app
        .store
        .idempotent_message(me, key)
        .await?
        .ok_or_else(|| Error::Conflict("the first send with this key is incomplete".into()))?;
    app.store
        .get_message(&conversation_id, &ulid)
        .await?
        .ok_or_else(|| Error::unavailable("idempotency key names a missing message"))
}

/// Updates every participant's inbox entry. The message is stored already and the inbox is
/// derived from it, so a failed entry is logged rather than turned into an error the client
/// would answer by sending the message again.
async fn record_activity(app: &App, message: &Message, people: &[String]) {
    let updates = people.iter().map(|user_id| -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let counterpart = match message.kind() {
                ConversationKind::Direct => message.peer_of(user_id),
                ConversationKind::Chat => message.chat_id.as_deref(),
            };
            let Some(counterpart) = counterpart else {
                return;
            };
            let activity = Activity {
                user_id,
                message,
                counterpart,
                unread: *user_id != message.sender_id,
            };
            if let Err(err) = app.store.record_activity(activity).await {
                tracing::warn!(error = %err, user_id, "inbox entry not updated");
            }
        })
    });
    run_bounded(updates.collect()).await;
}

/// Runs `tasks` at most [`FANOUT_CONCURRENCY`] at a time. The futures are boxed before they are
/// streamed: a stream of closures over borrowed data trips rustc's `Send` inference for
/// higher-ranked lifetimes, so the Lambda's future would not be `Send`.
async fn run_bounded(tasks: Vec<BoxFuture<'_, ()>>) {
    futures::stream::iter(tasks)
        .buffer_unordered(FANOUT_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
}

/// Shows an edit or deletion in the inbox entries whose last message it is (best effort, as
/// above: the history is always right).
async fn refresh_inbox(app: &App, message: &Message, people: &[String]) {
    let updates = people.iter().map(|user_id| -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(err) = app.store.refresh_last_message(user_id, message).await {
                tracing::warn!(error = %err, user_id, "inbox last message not refreshed");
            }
        })
    });
    run_bounded(updates.collect()).await;
}

pub async fn get(app: &App, me: &str, id: &str) -> Result<Message> {
    let at = MessageRef::parse(id).ok_or(Error::NotFound)?;
    let conversation_id = at.conversation.id();
    let (_, message) = futures::try_join!(ensure_participant(app, &at.conversation, me), async {
        Ok(app.store.get_message(&conversation_id, &at.ulid).await?)
    })?;
    message.ok_or(Error::NotFound)
}

pub async fn edit(app: &App, me: &str, id: &str, content: &str) -> Result<Outcome<Message>> {
    validate_content(content)?;
    let (at, message, people) = load(app, me, id).await?;
    check_editable(&message, me, "edit")?;
    let edited = match app
        .store
        .edit_message(
            &message.conversation_id,
            &at.ulid,
            me,
            content,
            &now_rfc3339(),
        )
        .await
    {
        Ok(edited) => edited,
        Err(StoreError::ConditionFailed) => {
            // Deleted (or gone) since it was read: say which.
            check_editable(&reload(app, &at).await?, me, "edit")?;
            return Err(Error::Conflict(
                "the message changed concurrently; retry".into(),
            ));
        }
        Err(err) => return Err(err.into()),
    };
    refresh_inbox(app, &edited, &people).await;
    let notifications = notifications(Change::Updated(&edited), &people);
    Ok(Outcome::new(edited, notifications))
}

fn check_editable(message: &Message, me: &str, verb: &str) -> Result<()> {
    if message.sender_id != me {
        return Err(Error::Forbidden(format!(
            "only the sender may {verb} a message"
        )));
    }
    if message.deleted {
        return Err(Error::Conflict("the message was deleted".into()));
    }
    Ok(())
}

/// Turns the message into a tombstone. Deleting a deleted message succeeds again (204) without
/// any change or notification, so a client may safely retry.
pub async fn delete(app: &App, me: &str, id: &str) -> Result<Outcome<Message>> {
    let (at, mut current, people) = load(app, me, id).await?;
    for _ in 0..DELETE_ATTEMPTS {
        if current.sender_id != me {
            return Err(Error::Forbidden(
                "only the sender may delete a message".into(),
            ));
        }
        if current.deleted {
            return Ok(Outcome::quiet(current));
        }
        let emojis: Vec<&str> = current.reactions.keys().map(String::as_str).collect();
        match app
            .store
            .tombstone_message(
                &current.conversation_id,
                &at.ulid,
                me,
                current.version,
                &emojis,
            )
            .await
        {
            Ok(tombstone) => {
                refresh_inbox(app, &tombstone, &people).await;
                let notifications = notifications(Change::Deleted(&tombstone), &people);
                return Ok(Outcome::new(tombstone, notifications));
            }
            // A reaction or edit landed since the read: read again, so every reaction the
            // message now has is removed too.
            Err(StoreError::ConditionFailed) => current = reload(app, &at).await?,
            Err(err) => return Err(err.into()),
        }
    }
    Err(Error::Conflict(
        "the message kept changing while being deleted; retry".into(),
    ))
}

/// Adds `me`'s reaction. Adding it again changes nothing and notifies nobody.
pub async fn add_reaction(app: &App, me: &str, id: &str, emoji: &str) -> Result<Outcome<Message>> {
    validate_emoji(emoji)?;
    let (at, message, people) = load(app, me, id).await?;
    if message.deleted {
        return Err(Error::Conflict("the message was deleted".into()));
    }
    if message.has_reaction(emoji, me) {
        return Ok(Outcome::quiet(message));
    }
    let updated = match app
        .store
        .add_reaction(&message.conversation_id, &at.ulid, emoji, me)
        .await
    {
        Ok(updated) => updated,
        Err(StoreError::ConditionFailed) => {
            reload(app, &at).await?;
            return Err(Error::Conflict("the message was deleted".into()));
        }
        Err(err) => return Err(err.into()),
    };
    let notifications = notifications(
        Change::ReactionAdded {
            message: &updated,
            user_id: me,
            emoji,
        },
        &people,
    );
    Ok(Outcome::new(updated, notifications))
}

/// Removes `me`'s reaction; removing one that is not there changes nothing.
pub async fn remove_reaction(
    app: &App,
    me: &str,
    id: &str,
    emoji: &str,
) -> Result<Outcome<Message>> {
    validate_emoji(emoji)?;
    let (at, message, people) = load(app, me, id).await?;
    if !message.has_reaction(emoji, me) {
        return Ok(Outcome::quiet(message));
    }
    let updated = match app
        .store
        .remove_reaction(&message.conversation_id, &at.ulid, emoji, me)
        .await
    {
        Ok(updated) => updated,
        Err(StoreError::ConditionFailed) => return Err(Error::NotFound),
        Err(err) => return Err(err.into()),
    };
    let notifications = notifications(
        Change::ReactionRemoved {
            message: &updated,
            user_id: me,
            emoji,
        },
        &people,
    );
    Ok(Outcome::new(updated, notifications))
}

/// Adds `me` to `read_by`. Only the first read counts: it lowers `me`'s unread count (unless `me`
/// sent the message, which never counted as unread) and notifies the participants.
pub async fn mark_read(app: &App, me: &str, id: &str) -> Result<Outcome<Message>> {
    let (at, message, people) = load(app, me, id).await?;
    if message.read_by.iter().any(|r| r == me) {
        return Ok(Outcome::quiet(message));
    }
    let Some(updated) = app
        .store
        .mark_read(&message.conversation_id, &at.ulid, me)
        .await?
    else {
        // Read concurrently by another connection of the same user.
        return Ok(Outcome::quiet(reload(app, &at).await?));
    };
    if updated.sender_id != me
        && let Err(err) = app
            .store
            .decrement_unread(me, &updated.conversation_id)
            .await
    {
        tracing::warn!(error = %err, "unread count not lowered");
    }
    let notifications = notifications(
        Change::Read {
            message: &updated,
            user_id: me,
        },
        &people,
    );
    Ok(Outcome::new(updated, notifications))
}

/// The direct conversation of `me` with `peer`, newest first.
pub async fn direct_history(
    app: &App,
    me: &str,
    peer: &str,
    page: PageRequest<'_>,
) -> Result<Page<Message>> {
    let conversation = Conversation::direct(me, peer).ok_or(Error::NotFound)?;
    history(app, &conversation, page).await
}

/// A chat's messages, newest first; 404 for non-members.
pub async fn chat_history(
    app: &App,
    me: &str,
    chat_id: &str,
    page: PageRequest<'_>,
) -> Result<Page<Message>> {
    let conversation = Conversation::chat(chat_id).ok_or(Error::NotFound)?;
    ensure_participant(app, &conversation, me).await?;
    history(app, &conversation, page).await
}

async fn history(
    app: &App,
    conversation: &Conversation,
    page: PageRequest<'_>,
) -> Result<Page<Message>> {
    let scope = history_scope(conversation);
    let start: Option<Key> = page
        .cursor
        .map(|c| app.cursors.decode(&scope, c))
        .transpose()?;
    let (items, next) = app
        .store
        .history(&conversation.id(), page.limit, start)
        .await?;
    Ok(Page {
        items,
        next_cursor: next.map(|key| app.cursors.encode(&scope, &key)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "01HZZZZZZZZZZZZZZZZZZZZZZA";
    const B: &str = "01HZZZZZZZZZZZZZZZZZZZZZZB";
    const C: &str = "01HZZZZZZZZZZZZZZZZZZZZZZC";
    const ULID: &str = "01JD8X3B1R0000000000000000";

    fn message(conversation: &Conversation, sender: &str) -> Message {
        let (recipient_id, chat_id) = match conversation {
            Conversation::Direct { low, high } => {
                (Some(if low == sender { high } else { low }.clone()), None)
            }
            Conversation::Chat(id) => (None, Some(id.clone())),
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
            ulid: ULID.into(),
            version: 1,
        }
    }

    /// The (recipient, event type) pairs, as a client population would receive them.
    fn deliveries(notifications: &[Notification]) -> Vec<(String, EventType)> {
        let mut pairs: Vec<(String, EventType)> = notifications
            .iter()
            .flat_map(|n| n.recipients.iter().map(|r| (r.clone(), n.event.event_type)))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
    }

    fn pairs(users: &[&str], t: EventType) -> Vec<(String, EventType)> {
        users.iter().map(|u| ((*u).to_owned(), t)).collect()
    }

    #[test]
    fn conversation_ids_are_canonical() {
        let d = Conversation::direct(B, A);
        assert_eq!(d, Conversation::direct(A, B));
        let id = d.as_ref().map(Conversation::id).unwrap_or_default();
        assert_eq!(id, format!("d.{A}.{B}"));
        assert_eq!(Conversation::parse(&id), d);
        assert_eq!(Conversation::parse(&format!("d.{B}.{A}")), None);
        assert_eq!(Conversation::direct(A, A), None);
        assert_eq!(Conversation::parse("c.X1"), Conversation::chat("X1"));
        assert_eq!(Conversation::parse("c.a.b"), None);
        assert_eq!(Conversation::parse("x.a"), None);
        assert_eq!(Conversation::chat("a#b"), None);
    }

    #[test]
    fn message_ids_locate_the_message_and_refuse_tampering() {
        let conv = Conversation::chat("CHAT1").unwrap_or(Conversation::Chat(String::new()));
        let id = message_id(ULID, &conv.id());
        let parsed = MessageRef::parse(&id);
        assert_eq!(parsed.as_ref().map(|r| r.ulid.as_str()), Some(ULID));
        assert_eq!(parsed.map(|r| r.id()), Some(id.clone()));
        assert_eq!(MessageRef::parse(&id.to_lowercase()), None);
        assert_eq!(MessageRef::parse("nonsense"), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}.")), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}.c.")), None);
        assert_eq!(MessageRef::parse(&format!("{ULID}X.c.CHAT1")), None);
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let conv = format!("d.{A}.{B}");
        let earlier = ulid::Ulid::from_parts(1_000, u128::MAX >> 48).to_string();
        let later = ulid::Ulid::from_parts(1_001, 0).to_string();
        assert!(message_id(&earlier, &conv) < message_id(&later, &conv));
    }

    #[test]
    fn a_direct_message_notifies_both_users() {
        let conv = Conversation::direct(A, B).unwrap_or(Conversation::Chat(String::new()));
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned()];
        assert_eq!(
            deliveries(&notifications(Change::Created(&m), &people)),
            pairs(&[A, B], EventType::MessageCreated)
        );
    }

    #[test]
    fn a_chat_message_notifies_every_member_the_sender_included() {
        let conv = Conversation::Chat("CHAT1".into());
        let m = message(&conv, B);
        let people = vec![A.to_owned(), B.to_owned(), C.to_owned()];
        assert_eq!(
            deliveries(&notifications(Change::Created(&m), &people)),
            pairs(&[A, B, C], EventType::MessageCreated)
        );
    }

    #[test]
    fn every_change_has_its_event_for_every_participant() {
        let conv = Conversation::Chat("CHAT1".into());
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned(), C.to_owned()];
        let cases = [
            (Change::Updated(&m), EventType::MessageUpdated),
            (Change::Deleted(&m), EventType::MessageDeleted),
            (
                Change::ReactionAdded {
                    message: &m,
                    user_id: B,
                    emoji: "👍",
                },
                EventType::ReactionAdded,
            ),
            (
                Change::ReactionRemoved {
                    message: &m,
                    user_id: B,
                    emoji: "👍",
                },
                EventType::ReactionRemoved,
            ),
            (
                Change::Read {
                    message: &m,
                    user_id: C,
                },
                EventType::MessageRead,
            ),
        ];
        for (change, event_type) in cases {
            assert_eq!(
                deliveries(&notifications(change, &people)),
                pairs(&[A, B, C], event_type),
                "{change:?}"
            );
        }
    }

    #[test]
    fn events_carry_the_message() {
        let conv = Conversation::direct(A, B).unwrap_or(Conversation::Chat(String::new()));
        let m = message(&conv, A);
        let people = vec![A.to_owned(), B.to_owned()];
        let created = notifications(Change::Created(&m), &people);
        let data = created.first().map(|n| n.event.data.clone());
        assert_eq!(data.as_ref().map(|d| d["id"].clone()), Some(json!(m.id)));
        assert_eq!(
            data.map(|d| d["recipient_id"].clone()),
            Some(json!(B)),
            "the whole message"
        );
        let read = notifications(
            Change::Read {
                message: &m,
                user_id: B,
            },
            &people,
        );
        let data = read.first().map(|n| n.event.data.clone());
        assert_eq!(
            data.map(|d| (d["user_id"].clone(), d["message"]["id"].clone())),
            Some((json!(B), json!(m.id)))
        );
    }

    #[test]
    fn emoji_rules() {
        assert!(validate_emoji("👍").is_ok());
        assert!(validate_emoji("👨‍👩‍👧‍👦").is_ok());
        assert!(validate_emoji("").is_err());
        assert!(validate_emoji(&"x".repeat(33)).is_err());
        assert!(validate_emoji("a b").is_err());
    }
}
