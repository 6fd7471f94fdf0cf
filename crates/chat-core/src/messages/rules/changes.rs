//! Changes to stored messages: edits, tombstones, reactions and read receipts.

use crate::changes::{Change, audience, notifications};
use crate::chats::rules::takes_part;
use crate::conversation::{Conversation, MessageRef};
use crate::error::{Error, Result};
use crate::events::{Audience, Outcome};
use crate::messages::{
    Changed, MAX_DISTINCT_REACTIONS, MAX_REACTIONS, MAX_READ_RECEIPTS, Message, ReactionBounds,
    validate_content, validate_emoji,
};
use crate::ports::{AttachmentFiles, ChatStore, MessageChanges, MessageStore, ReadPositions};
use crate::time::now_rfc3339;

/// A reaction re-reads and retries this often when the message keeps changing under it.
const REACTION_ATTEMPTS: usize = 10;
/// A delete re-reads and retries this often when reactions or edits keep landing in between;
/// every failed attempt means another write succeeded, so only heavy contention exhausts it.
const DELETE_ATTEMPTS: usize = 20;

/// The message `id` names and who hears of its changes, if `me` takes part in its conversation.
async fn load<S>(store: &S, me: &str, id: &str) -> Result<(MessageRef, Message, Audience)>
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
        (true, Some(message)) => Ok((at.clone(), message, audience(&at.conversation))),
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
    let (_, message, _) = load(store, me, id).await?;
    Ok(shown(files, message).await)
}

/// Replaces the content of `me`'s message; 403 for another's, 409 for a deleted one. An edit to
/// the content the message has is a no-op that answers the message (a retry is safe).
pub async fn edit<S, F>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    content: &str,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageStore + MessageChanges,
    F: AttachmentFiles,
{
    validate_content(content, false)?;
    let (at, message, people) = load(store, me, id).await?;
    check_editable(&message, me, "edit")?;
    // A retried edit (its answer lost) finds its content in place: it changes nothing, takes
    // no number and tells nobody, and answers the message as it is.
    if message.content == content {
        return Ok(Outcome::quiet(shown(files, message).await));
    }
    let edited_at = now_rfc3339();
    let edited = store
        .edit_message(&message.conversation_id, &at.ulid, me, content, &edited_at)
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

/// Turns the message into a tombstone. Deleting a deleted message succeeds again (204) without
/// any change or notification, so a client may safely retry.
pub async fn delete<S, F>(store: &S, files: &F, me: &str, id: &str) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageStore + MessageChanges,
    F: AttachmentFiles,
{
    let (at, mut current, people) = load(store, me, id).await?;
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

/// Adds `me`'s reaction. Adding it again changes nothing and notifies nobody. A message takes
/// at most [`MAX_DISTINCT_REACTIONS`] emoji and [`MAX_REACTIONS`] reactions in all (422).
pub async fn add_reaction<S, F>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    emoji: &str,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageStore + MessageChanges,
    F: AttachmentFiles,
{
    validate_emoji(emoji)?;
    let (at, mut message, people) = load(store, me, id).await?;
    for _ in 0..REACTION_ATTEMPTS {
        if message.deleted {
            return Err(Error::Conflict("the message was deleted".into()));
        }
        if message.has_reaction(emoji, me) {
            return Ok(Outcome::quiet(shown(files, message).await));
        }
        let new_emoji = !message.reactions.contains_key(emoji);
        if new_emoji && message.reactions.len() >= MAX_DISTINCT_REACTIONS {
            return Err(Error::LimitExceeded(format!(
                "a message takes at most {MAX_DISTINCT_REACTIONS} distinct emoji"
            )));
        }
        if message.reaction_count() >= MAX_REACTIONS {
            return Err(Error::LimitExceeded(format!(
                "a message takes at most {MAX_REACTIONS} reactions"
            )));
        }
        let bounds = ReactionBounds {
            max_distinct: MAX_DISTINCT_REACTIONS,
            max_total: MAX_REACTIONS,
        };
        let added = store
            .add_reaction(
                &message.conversation_id,
                &at.ulid,
                emoji,
                me,
                new_emoji,
                bounds,
            )
            .await?;
        match added {
            Some(changed) => {
                let mut applied = message;
                let users = applied.reactions.entry(emoji.to_owned()).or_default();
                users.push(me.to_owned());
                users.sort();
                let updated = shown(files, as_changed(changed.clone(), applied)).await;
                return Ok(reacted(updated, changed.seq, &people, me, emoji, true));
            }
            // Changed since the read: decide again on what it is now.
            None => message = reload(store, &at).await?,
        }
    }
    Err(Error::Conflict(
        "the message kept changing; retry the reaction".into(),
    ))
}

/// The outcome of a reaction `me` added (or removed) with `emoji`.
fn reacted(
    updated: Message,
    seq: u64,
    people: &Audience,
    me: &str,
    emoji: &str,
    added: bool,
) -> Outcome<Message> {
    let change = if added {
        Change::ReactionAdded {
            message: &updated,
            seq,
            user_id: me,
            emoji,
        }
    } else {
        Change::ReactionRemoved {
            message: &updated,
            seq,
            user_id: me,
            emoji,
        }
    };
    let notifications = notifications(change, people);
    Outcome::new(updated, notifications)
}

/// Removes `me`'s reaction; removing one that is not there changes nothing.
pub async fn remove_reaction<S, F>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    emoji: &str,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageStore + MessageChanges,
    F: AttachmentFiles,
{
    validate_emoji(emoji)?;
    let (at, mut message, people) = load(store, me, id).await?;
    for _ in 0..REACTION_ATTEMPTS {
        if !message.has_reaction(emoji, me) {
            return Ok(Outcome::quiet(shown(files, message).await));
        }
        let last = message
            .reactions
            .get(emoji)
            .is_some_and(|users| users.len() == 1);
        let removed = store
            .remove_reaction(&message.conversation_id, &at.ulid, emoji, me, last)
            .await?;
        match removed {
            Some(changed) => {
                let mut applied = message;
                if let Some(users) = applied.reactions.get_mut(emoji) {
                    users.retain(|u| u != me);
                }
                applied.reactions.retain(|_, users| !users.is_empty());
                let updated = shown(files, as_changed(changed.clone(), applied)).await;
                return Ok(reacted(updated, changed.seq, &people, me, emoji, false));
            }
            None => message = reload(store, &at).await?,
        }
    }
    Err(Error::Conflict(
        "the message kept changing; retry the reaction".into(),
    ))
}

/// Adds `me` to `read_by` and moves `me`'s read position in the conversation up to the message
/// (never back), which is what unread counts come from. Only the first read is a change: it
/// takes a number and notifies the participants.
pub async fn mark_read<S, F>(store: &S, files: &F, me: &str, id: &str) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageStore + MessageChanges + ReadPositions,
    F: AttachmentFiles,
{
    let (at, message, people) = load(store, me, id).await?;
    if message.read_by.iter().any(|r| r == me) || message.read_by.len() >= MAX_READ_RECEIPTS {
        advance_read(store, me, &at, &message).await;
        return Ok(Outcome::quiet(shown(files, message).await));
    }
    let Some(changed) = store
        .mark_read(&message.conversation_id, &at.ulid, me, MAX_READ_RECEIPTS)
        .await?
    else {
        // Read concurrently by another connection of the same user (or the last free place in
        // `read_by` went to another reader).
        advance_read(store, me, &at, &message).await;
        return Ok(Outcome::quiet(
            shown(files, reload(store, &at).await?).await,
        ));
    };
    advance_read(store, me, &at, &message).await;
    let seq = changed.seq;
    let mut applied = message;
    applied.read_by.push(me.to_owned());
    applied.read_by.sort();
    let updated = shown(files, as_changed(changed, applied)).await;
    let notifications = notifications(
        Change::Read {
            message: &updated,
            seq,
            user_id: me,
        },
        &people,
    );
    Ok(Outcome::new(updated, notifications))
}

/// Moves `me`'s read position up to `message`. The read mark is stored already and the position
/// only ever moves forward, so a failure is logged rather than answered with an error that
/// would make the client mark the message again.
async fn advance_read(store: &impl ReadPositions, me: &str, at: &MessageRef, message: &Message) {
    let result = match &at.conversation {
        Conversation::Chat(chat_id) => store.advance_chat_read(chat_id, me, message.number).await,
        Conversation::Direct { .. } => {
            store
                .advance_direct_read(me, &message.conversation_id, message.number)
                .await
        }
    };
    if let Err(err) = result {
        tracing::warn!(error = %err, "read position not advanced");
    }
}
