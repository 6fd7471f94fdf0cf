//! Changes to stored messages: edits, tombstones, reactions and read receipts.

use futures::future::BoxFuture;

use super::{
    Change, MAX_DISTINCT_REACTIONS, MAX_REACTIONS, MAX_READ_RECEIPTS, Message, MessageRef,
    notifications, participants, run_bounded, validate_content, validate_emoji,
};
use crate::app::App;
use crate::domain::attachments;
use crate::error::{Error, Result};
use crate::events::Outcome;
use crate::store::StoreError;
use crate::store::messages::ReactionBounds;
use crate::time::now_rfc3339;

/// A reaction re-reads and retries this often when the message keeps changing under it.
const REACTION_ATTEMPTS: usize = 10;
/// A delete re-reads and retries this often when reactions or edits keep landing in between;
/// every failed attempt means another write succeeded, so only heavy contention exhausts it.
const DELETE_ATTEMPTS: usize = 20;

/// The message `id` names and the conversation's participants, if `me` is one of them.
async fn load(app: &App, me: &str, id: &str) -> Result<(MessageRef, Message, Vec<String>)> {
    let at = MessageRef::parse(id).ok_or(Error::NotFound)?;
    let conversation_id = at.conversation.id();
    let (people, message) = futures::try_join!(participants(app, &at.conversation, me), async {
        Ok(app.store.get_message(&conversation_id, &at.ulid).await?)
    })?;
    match (people, message) {
        (Some(people), Some(message)) => Ok((at, message, people)),
        _ => Err(Error::NotFound),
    }
}

async fn reload(app: &App, at: &MessageRef) -> Result<Message> {
    app.store
        .get_message(&at.conversation.id(), &at.ulid)
        .await?
        .ok_or(Error::NotFound)
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

/// The message with fresh download URLs: every caller below is a participant.
async fn shown(app: &App, mut message: Message) -> Message {
    attachments::with_downloads(app, std::slice::from_mut(&mut message)).await;
    message
}

pub async fn get(app: &App, me: &str, id: &str) -> Result<Message> {
    let (_, message, _) = load(app, me, id).await?;
    Ok(shown(app, message).await)
}

pub async fn edit(app: &App, me: &str, id: &str, content: &str) -> Result<Outcome<Message>> {
    validate_content(content, false)?;
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
    let edited = shown(app, edited).await;
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
                attachments::release(app, &current).await;
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

/// Adds `me`'s reaction. Adding it again changes nothing and notifies nobody. A message takes
/// at most [`MAX_DISTINCT_REACTIONS`] emoji and [`MAX_REACTIONS`] reactions in all (422).
pub async fn add_reaction(app: &App, me: &str, id: &str, emoji: &str) -> Result<Outcome<Message>> {
    validate_emoji(emoji)?;
    let (at, mut message, people) = load(app, me, id).await?;
    for _ in 0..REACTION_ATTEMPTS {
        if message.deleted {
            return Err(Error::Conflict("the message was deleted".into()));
        }
        if message.has_reaction(emoji, me) {
            return Ok(Outcome::quiet(shown(app, message).await));
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
        let added = app
            .store
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
            Some(updated) => {
                let updated = shown(app, updated).await;
                return Ok(reacted(updated, &people, me, emoji, true));
            }
            // Changed since the read: decide again on what it is now.
            None => message = reload(app, &at).await?,
        }
    }
    Err(Error::Conflict(
        "the message kept changing; retry the reaction".into(),
    ))
}

/// The outcome of a reaction `me` added (or removed) with `emoji`.
fn reacted(
    updated: Message,
    people: &[String],
    me: &str,
    emoji: &str,
    added: bool,
) -> Outcome<Message> {
    let change = if added {
        Change::ReactionAdded {
            message: &updated,
            user_id: me,
            emoji,
        }
    } else {
        Change::ReactionRemoved {
            message: &updated,
            user_id: me,
            emoji,
        }
    };
    let notifications = notifications(change, people);
    Outcome::new(updated, notifications)
}

/// Removes `me`'s reaction; removing one that is not there changes nothing.
pub async fn remove_reaction(
    app: &App,
    me: &str,
    id: &str,
    emoji: &str,
) -> Result<Outcome<Message>> {
    validate_emoji(emoji)?;
    let (at, mut message, people) = load(app, me, id).await?;
    for _ in 0..REACTION_ATTEMPTS {
        if !message.has_reaction(emoji, me) {
            return Ok(Outcome::quiet(shown(app, message).await));
        }
        let last = message
            .reactions
            .get(emoji)
            .is_some_and(|users| users.len() == 1);
        let removed = app
            .store
            .remove_reaction(&message.conversation_id, &at.ulid, emoji, me, last)
            .await?;
        match removed {
            Some(updated) => {
                let updated = shown(app, updated).await;
                return Ok(reacted(updated, &people, me, emoji, false));
            }
            None => message = reload(app, &at).await?,
        }
    }
    Err(Error::Conflict(
        "the message kept changing; retry the reaction".into(),
    ))
}

/// Adds `me` to `read_by`. Only the first read counts: it lowers `me`'s unread count (unless `me`
/// sent the message, which never counted as unread) and notifies the participants.
pub async fn mark_read(app: &App, me: &str, id: &str) -> Result<Outcome<Message>> {
    let (at, message, people) = load(app, me, id).await?;
    if message.read_by.iter().any(|r| r == me) || message.read_by.len() >= MAX_READ_RECEIPTS {
        return Ok(Outcome::quiet(shown(app, message).await));
    }
    let Some(updated) = app
        .store
        .mark_read(&message.conversation_id, &at.ulid, me, MAX_READ_RECEIPTS)
        .await?
    else {
        // Read concurrently by another connection of the same user (or the last free place in
        // `read_by` went to another reader).
        return Ok(Outcome::quiet(shown(app, reload(app, &at).await?).await));
    };
    let updated = shown(app, updated).await;
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
