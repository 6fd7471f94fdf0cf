//! New messages and typing signals: the conversation a client addresses, the write (which
//! numbers the message in its conversation), and the events that follow.

use std::collections::BTreeMap;
use std::future::Future;

use crate::attachments::{Attachment, Prepared};
use crate::authorisation::refused;
use crate::changes::{Change, audience, notifications};
use crate::chats::rules::takes_part;
use crate::conversation::{Conversation, Fanout, MessageRef, message_id};
use crate::error::{Error, Result};
use crate::events::{Audience, Event, Notification, Outcome, Payload, TypingEvent};
use crate::ids::{AttachmentId, ChatId, UserId};
use crate::input::check_len;
use crate::messages::{
    MAX_CLIENT_MESSAGE_ID_CHARS, Message, MessageType, NewMessage, PutMessage, TypingSignal,
    validate_content,
};
use crate::ports::{Attach, AttachmentFiles, ChatStore, MessageStore, UserDirectory};
use crate::time::format_rfc3339;
use crate::waves::wave;

#[derive(Debug)]
pub struct Sent {
    pub message: Message,
    /// False when `client_message_id` named an earlier send: `message` is that first message.
    pub created: bool,
}

/// The conversation a send or a typing signal addresses (exactly one of `recipient_id` and
/// `chat_id`), from the request alone: 404 for a malformed id. Whether the recipient exists is
/// [`recipient_exists`]'s; whether the caller is a chat's member is not checked here: the
/// send's transaction checks it, the typing signal reads the membership item.
fn addressed(
    me: &str,
    recipient_id: Option<&UserId>,
    chat_id: Option<&ChatId>,
) -> Result<Conversation> {
    match (recipient_id, chat_id) {
        (Some(recipient), None) => {
            if recipient == me {
                return Err(Error::validation(
                    "recipient_id",
                    "recipient_id must be another user",
                ));
            }
            Conversation::direct(&UserId::trusted(me), recipient).ok_or(Error::NotFound)
        }
        (None, Some(chat_id)) => Ok(Conversation::chat(chat_id)),
        _ => Err(Error::validation(
            "recipient_id",
            "exactly one of recipient_id and chat_id is required",
        )),
    }
}

/// 404 unless the other user of a direct conversation exists.
async fn recipient_exists(store: &impl UserDirectory, recipient_id: Option<&UserId>) -> Result<()> {
    match recipient_id {
        Some(recipient) if !store.user_exists(recipient).await? => Err(Error::NotFound),
        _ => Ok(()),
    }
}

/// [`addressed`], then [`recipient_exists`].
async fn target(
    store: &impl UserDirectory,
    me: &str,
    recipient_id: Option<&UserId>,
    chat_id: Option<&ChatId>,
) -> Result<Conversation> {
    let conversation = addressed(me, recipient_id, chat_id)?;
    recipient_exists(store, recipient_id).await?;
    Ok(conversation)
}

/// Why a caller who is no member of `chat_id` is refused: 403 for a chat that exists, 404
/// otherwise (read only on this failure path).
async fn not_a_member(store: &impl ChatStore, chat_id: &str) -> Error {
    match store.get_chat(chat_id).await {
        Ok(Some(_)) => Error::Forbidden("you are not a member of this chat".into()),
        Ok(None) => Error::NotFound,
        Err(err) => err,
    }
}

/// A typing signal: relayed to the conversation's other participants, never stored.
pub async fn typing<S>(store: &S, me: &str, signal: &TypingSignal) -> Result<Vec<Notification>>
where
    S: UserDirectory + ChatStore,
{
    let recipient_id = signal.recipient_id.as_ref();
    let chat_id = signal.chat_id.as_ref();
    let conversation = target(store, me, recipient_id, chat_id).await?;
    let others = match &conversation {
        Conversation::Chat(chat_id) => {
            if !takes_part(store, &conversation, me).await? {
                return Err(not_a_member(store, chat_id).await);
            }
            Audience::Chat {
                chat_id: chat_id.to_string(),
                except: Some(me.to_owned()),
                members_version: None,
            }
        }
        Conversation::Direct { low, high } => {
            Audience::Users(vec![if low == me { high } else { low }.to_string()])
        }
    };
    let event = Event::new(Payload::Typing(TypingEvent {
        conversation_id: conversation.id(),
        user_id: me.to_owned(),
        recipient_id: signal.recipient_id.clone().map(String::from),
        chat_id: signal.chat_id.clone().map(String::from),
        is_typing: signal.is_typing,
    }));
    Ok(vec![Notification::to_audience(others, event)])
}

/// Sends `new` as `me` if `authorised` (the caller's session and write count, which the adapter
/// checks) succeeds, in three waves, because on AWS every round trip costs milliseconds:
///
/// 1. every read at once, since none needs another's answer: `authorised`, the recipient, the
///    replied-to message, the files and the conversation's sequence;
/// 2. one transaction that numbers the message (on the condition that the sequence is still as
///    read), checks a chat's membership and records the idempotency key;
/// 3. the notifications, which the adapter pushes.
///
/// Nothing is written unless every read passed, and `authorised`'s refusal (401, 429) comes
/// before any other. A retry with the key of a stored send answers that first message and tells
/// nobody again.
pub async fn send<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    new: &NewMessage,
    authorised: A,
) -> Result<Outcome<Sent>>
where
    S: UserDirectory + ChatStore + MessageStore,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    let (conversation, message_type) = match checked(me, new) {
        Ok(checked) => checked,
        Err(invalid) => return Err(refused(authorised, invalid).await),
    };
    let conversation_id = conversation.id();
    let (authorised, recipient, reply, prepared, sequence) = wave("send.reads", async {
        futures::join!(
            authorised,
            recipient_exists(store, new.recipient_id.as_ref()),
            check_reply_to(store, me, new),
            prepare(files, me, new.attachment_ids.as_deref(), message_type),
            store.read_sequence(&conversation_id),
        )
    })
    .await;
    authorised?;
    recipient?;
    reply?;
    let prepared = match prepared {
        Ok(prepared) => prepared,
        // A retry of a send that attached these files: they are no longer pending, and the
        // first message is the answer.
        Err(refused) => match retried(store, me, new).await? {
            Some(first) => return Ok(earlier(files, first).await),
            None => return Err(refused),
        },
    };
    let written = Written {
        conversation_id,
        message_type,
        prepared: &prepared,
    };
    let stored = wave("send.write", write(store, me, new, written, sequence?)).await?;
    let mut message = match stored {
        Stored::New(message) => message,
        Stored::Earlier(first) => return Ok(earlier(files, first).await),
    };
    files
        .with_downloads(std::slice::from_mut(&mut message))
        .await;
    let notifications = notifications(Change::Created(&message), &audience(&conversation));
    Ok(Outcome::new(
        Sent {
            message,
            created: true,
        },
        notifications,
    ))
}

/// The checks a send needs no read for: its content, type and key, and the conversation it
/// addresses.
fn checked(me: &str, new: &NewMessage) -> Result<(Conversation, MessageType)> {
    let attachment_ids = new.attachment_ids.as_deref();
    validate_content(&new.content, attachment_ids.is_some())?;
    let message_type = new.message_type.unwrap_or(MessageType::Text);
    // Clients show a system message as a notice from the service: only the service makes one.
    if message_type == MessageType::System {
        return Err(Error::validation(
            "message_type",
            "message_type must be text, image or file; system messages come from the service",
        ));
    }
    if attachment_ids.is_none() && matches!(message_type, MessageType::Image | MessageType::File) {
        return Err(Error::validation(
            "attachment_ids",
            "an image or file message needs attachment_ids",
        ));
    }
    if let Some(key) = &new.client_message_id {
        check_len("client_message_id", key, 1, MAX_CLIENT_MESSAGE_ID_CHARS)?;
    }
    let conversation = addressed(me, new.recipient_id.as_ref(), new.chat_id.as_ref())?;
    Ok((conversation, message_type))
}

/// The uploads a send attaches, checked; none without `attachment_ids`.
async fn prepare(
    files: &impl AttachmentFiles,
    me: &str,
    attachment_ids: Option<&[AttachmentId]>,
    message_type: MessageType,
) -> Result<Prepared> {
    match attachment_ids {
        Some(ids) => files.prepare(me, ids, message_type).await,
        None => Ok(Prepared::default()),
    }
}

/// The audience a send to `new`'s address notifies, known before anything is read (so that
/// an adapter can look up its sockets in the send's first wave); `None` for an address a send
/// refuses.
pub fn send_audience(me: &str, new: &NewMessage) -> Option<Audience> {
    addressed(me, new.recipient_id.as_ref(), new.chat_id.as_ref())
        .ok()
        .map(|conversation| audience(&conversation))
}

/// What storing a send gave: the new message, or the first one sent with its key.
enum Stored {
    New(Message),
    Earlier(Message),
}

/// What the first wave decided a send writes.
struct Written<'a> {
    conversation_id: String,
    message_type: MessageType,
    prepared: &'a Prepared,
}

/// The write itself: the message, the membership check, the idempotency marker and the
/// attachments, all in one transaction, conditional on the conversation's sequence `seen`.
async fn write<S>(
    store: &S,
    me: &str,
    new: &NewMessage,
    written: Written<'_>,
    seen: S::Sequence,
) -> Result<Stored>
where
    S: ChatStore + MessageStore,
{
    let Written {
        conversation_id,
        message_type,
        prepared,
    } = written;
    let ulid = ulid::Ulid::generate();
    let ulid_text = ulid.to_string();
    let mut message = Message {
        id: message_id(&ulid_text, &conversation_id),
        conversation_id,
        sender_id: me.to_owned(),
        recipient_id: new.recipient_id.clone().map(String::from),
        chat_id: new.chat_id.clone().map(String::from),
        content: new.content.clone(),
        message_type,
        reply_to_id: new.reply_to_id.clone(),
        reactions: BTreeMap::new(),
        read_by: Vec::new(),
        // The same instant as the id's, so `created_at` and id order never disagree.
        created_at: format_rfc3339(ulid.datetime()),
        edited_at: None,
        deleted: false,
        attachments: prepared
            .uploads
            .iter()
            .map(|u| Attachment {
                attachment_id: u.attachment_id.clone(),
                file_name: u.file_name.clone(),
                content_type: u.content_type.clone(),
                size_bytes: u.size_bytes,
                checksum_sha256: u.checksum_sha256.clone(),
                download_url: None,
            })
            .collect(),
        // The store numbers it when it takes the conversation's next number.
        seq: 0,
        updated_seq: 0,
        number: 0,
        fanout: Fanout::Inline,
        ulid: ulid_text,
        version: 1,
        members_version: None,
    };
    let attach = Attach {
        uploads: &prepared.uploads,
    };

    // Membership is part of the write: a member removed since `target` read the chat posts
    // nothing.
    match store
        .put_message(
            &mut message,
            new.client_message_id.as_deref(),
            Some(attach),
            seen,
        )
        .await?
    {
        PutMessage::Stored => Ok(Stored::New(message)),
        PutMessage::NotMember => {
            let chat_id = new.chat_id.as_deref().unwrap_or_default();
            Err(not_a_member(store, chat_id).await)
        }
        PutMessage::DuplicateKey => {
            let key = new.client_message_id.as_deref().unwrap_or_default();
            Ok(Stored::Earlier(first_send(store, me, key).await?))
        }
        PutMessage::IdTaken => Err(Error::internal("a new message id exists already")),
        PutMessage::AttachmentRefused => Err(Error::validation(
            "attachment_ids",
            "an attachment is no longer a pending upload of yours (attached by another send, \
             or expired)",
        )),
    }
}

/// 422 unless `reply_to_id` (if any) is a stored message of the conversation the send addresses.
async fn check_reply_to(store: &impl MessageStore, me: &str, new: &NewMessage) -> Result<()> {
    let Some(reply_to) = new.reply_to_id.as_deref() else {
        return Ok(());
    };
    let invalid = || {
        Error::validation(
            "reply_to_id",
            "reply_to_id must be a message of the same conversation",
        )
    };
    let addressed = match (&new.recipient_id, &new.chat_id) {
        (Some(recipient), None) => Conversation::direct(&UserId::trusted(me), recipient),
        (None, Some(chat_id)) => Some(Conversation::chat(chat_id)),
        // `target` reports the addressing error.
        _ => return Ok(()),
    };
    let target = MessageRef::parse(reply_to)
        .filter(|r| Some(&r.conversation) == addressed.as_ref())
        .ok_or_else(invalid)?;
    store
        .get_message(&target.conversation.id(), &target.ulid)
        .await?
        .ok_or_else(invalid)?;
    Ok(())
}

/// The answer to a repeated send: the first message, nobody notified again.
async fn earlier(files: &impl AttachmentFiles, mut first: Message) -> Outcome<Sent> {
    files.with_downloads(std::slice::from_mut(&mut first)).await;
    Outcome::quiet(Sent {
        message: first,
        created: false,
    })
}

/// The message a completed earlier send with this send's idempotency key stored, if any.
async fn retried(store: &impl MessageStore, me: &str, new: &NewMessage) -> Result<Option<Message>> {
    let Some(key) = new.client_message_id.as_deref() else {
        return Ok(None);
    };
    match store.idempotent_message(me, key).await? {
        Some(_) => first_send(store, me, key).await.map(Some),
        None => Ok(None),
    }
}

/// The message an earlier send with the same idempotency key stored.
async fn first_send(store: &impl MessageStore, me: &str, key: &str) -> Result<Message> {
    let (conversation_id, ulid) = store
        .idempotent_message(me, key)
        .await?
        .ok_or_else(|| Error::Conflict("the first send with this key is incomplete".into()))?;
    store
        .get_message(&conversation_id, &ulid)
        .await?
        .ok_or_else(|| Error::internal("idempotency key names a missing message"))
}
