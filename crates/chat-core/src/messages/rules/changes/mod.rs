//! Changes to stored messages: edits, tombstones, reactions ([`reactions`]) and read receipts
//! ([`reads`]).
//!
//! Each change reads everything it needs in one wave ([`load_for_change`]): the message, the
//! caller's part in its conversation, the conversation's sequence and the adapter's
//! authorisation (the session and the write count). Then one conditional transaction, which
//! starts from that sequence, and the read-back of the changed message (a transaction returns
//! no values). Each rule takes the caller's authorisation ([`crate::authorisation`]) as a
//! future, which runs in that first wave.

mod reactions;
mod reads;

use std::future::Future;

pub use reactions::{add_reaction, remove_reaction};
pub use reads::mark_read;

use crate::authorisation::refused;
use crate::changes::{Change, audience, notifications};
use crate::chats::rules::takes_part;
use crate::conversation::MessageRef;
use crate::error::{Error, Result};
use crate::events::{Audience, Outcome};
use crate::messages::{Changed, Message, validate_content};
use crate::ports::{AttachmentFiles, ChatStore, MessageChanges, MessageStore};
use crate::time::now_rfc3339;
use crate::waves::wave;

/// A delete re-reads and retries this often when reactions or edits keep landing in between;
/// every failed attempt means another write succeeded, so only heavy contention exhausts it.
const DELETE_ATTEMPTS: usize = 20;

/// The message `id` names, if `me` takes part in its conversation; 404 otherwise.
async fn readable<S>(store: &S, me: &str, id: &str) -> Result<Message>
where
    S: ChatStore + MessageStore,
{
    let at = MessageRef::parse(id).ok_or(Error::NotFound)?;
    let conversation_id = at.conversation.id();
    let (member, message) = futures::try_join!(
        takes_part(store, &at.conversation, me),
        store.get_message(&conversation_id, &at.ulid)
    )?;
    match (member, message) {
        (true, Some(message)) => Ok(message),
        _ => Err(Error::NotFound),
    }
}

/// The audience a change to message `id` notifies, known from the id alone (so that an adapter
/// can look up its sockets in the change's first wave); `None` for an id that names no message.
pub fn change_audience(id: &str) -> Option<Audience> {
    MessageRef::parse(id).map(|at| audience(&at.conversation))
}

/// What a change read in its first wave.
struct Loaded<Q> {
    at: MessageRef,
    message: Message,
    /// Who hears of the change.
    people: Audience,
    /// The conversation's sequence, for the change's first attempt.
    sequence: Q,
}

/// The first wave of a change to message `id` by `me`, all at once: `authorised`, whether `me`
/// takes part in the conversation, the message and the conversation's sequence. 404 unless the
/// message exists and `me` takes part; `authorised`'s refusal comes before any other answer.
async fn load_for_change<S, A>(
    store: &S,
    me: &str,
    id: &str,
    authorised: A,
) -> Result<Loaded<S::Sequence>>
where
    S: ChatStore + MessageStore,
    A: Future<Output = Result<()>>,
{
    let Some(at) = MessageRef::parse(id) else {
        return Err(refused(authorised, Error::NotFound).await);
    };
    let conversation_id = at.conversation.id();
    let (authorised, member, message, sequence) = wave("change.reads", async {
        futures::join!(
            authorised,
            takes_part(store, &at.conversation, me),
            store.get_message(&conversation_id, &at.ulid),
            store.read_sequence(&conversation_id),
        )
    })
    .await;
    authorised?;
    match (member?, message?) {
        (true, Some(message)) => Ok(Loaded {
            people: audience(&at.conversation),
            at,
            message,
            sequence: sequence?,
        }),
        _ => Err(Error::NotFound),
    }
}

async fn reload(store: &impl MessageStore, at: &MessageRef) -> Result<Message> {
    store
        .get_message(&at.conversation.id(), &at.ulid)
        .await?
        .ok_or(Error::NotFound)
}

/// The message as the caller's change left it: read back when nothing changed it since (its
/// `updated_seq` is the change's number), else `applied` (what the caller read, with its change
/// applied). An answer never shows a later change, such as a deletion that followed an edit.
fn as_changed(changed: Changed, mut applied: Message) -> Message {
    if changed.message.updated_seq == changed.seq {
        return changed.message;
    }
    applied.updated_seq = changed.seq;
    applied.version += 1;
    applied.fanout = changed.fanout;
    applied.members_version = changed.message.members_version;
    applied
}

/// The message with fresh download URLs: every caller below is a participant.
async fn shown(files: &impl AttachmentFiles, mut message: Message) -> Message {
    files
        .with_downloads(std::slice::from_mut(&mut message))
        .await;
    message
}

/// The message, if `me` takes part in its conversation; 404 otherwise.
pub async fn get<S, F>(store: &S, files: &F, me: &str, id: &str) -> Result<Message>
where
    S: ChatStore + MessageStore,
    F: AttachmentFiles,
{
    Ok(shown(files, readable(store, me, id).await?).await)
}

/// Replaces the content of `me`'s message once `authorised` succeeds; 403 for another's, 409 for
/// a deleted one. An edit to the content the message has is a no-op that answers the message (a
/// retry is safe).
pub async fn edit<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    content: &str,
    authorised: A,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageChanges,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    if let Err(invalid) = validate_content(content, false) {
        return Err(refused(authorised, invalid).await);
    }
    let Loaded {
        at,
        message,
        people,
        sequence,
    } = load_for_change(store, me, id, authorised).await?;
    check_editable(&message, me, "edit")?;
    // A retried edit (its answer lost) finds its content in place: it changes nothing, takes
    // no number and tells nobody, and answers the message as it is.
    if message.content == content {
        return Ok(Outcome::quiet(shown(files, message).await));
    }
    let edited_at = now_rfc3339();
    let edited = store
        .edit_message(
            &message.conversation_id,
            &at.ulid,
            me,
            content,
            &edited_at,
            Some(sequence),
        )
        .await?;
    let Some(changed) = edited else {
        // Deleted since it was read (say so), or a concurrent retry of this very edit won.
        let current = reload(store, &at).await?;
        check_editable(&current, me, "edit")?;
        if current.content == content {
            return Ok(Outcome::quiet(shown(files, current).await));
        }
        return Err(Error::Conflict(
            "the message changed concurrently; retry".into(),
        ));
    };
    let applied = Message {
        content: content.to_owned(),
        edited_at: Some(edited_at),
        ..message
    };
    let edited = shown(files, as_changed(changed, applied)).await;
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

/// Turns the message into a tombstone once `authorised` succeeds. Deleting a deleted message
/// succeeds again (204) without any change or notification, so a client may safely retry.
pub async fn delete<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    authorised: A,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageChanges,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    let Loaded {
        at,
        message: mut current,
        people,
        sequence,
    } = load_for_change(store, me, id, authorised).await?;
    let mut sequence = Some(sequence);
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
        let tombstoned = store
            .tombstone_message(
                &current.conversation_id,
                &at.ulid,
                me,
                current.version,
                &emojis,
                sequence.take(),
            )
            .await?;
        match tombstoned {
            Some(changed) => {
                files.release(&current).await;
                let applied = Message {
                    content: String::new(),
                    reactions: Default::default(),
                    attachments: Vec::new(),
                    deleted: true,
                    ..current
                };
                let tombstone = as_changed(changed, applied);
                let notifications = notifications(Change::Deleted(&tombstone), &people);
                return Ok(Outcome::new(tombstone, notifications));
            }
            // A reaction or edit landed since the read: read again, so every reaction the
            // message now has is removed too.
            None => current = reload(store, &at).await?,
        }
    }
    Err(Error::Conflict(
        "the message kept changing while being deleted; retry".into(),
    ))
}
