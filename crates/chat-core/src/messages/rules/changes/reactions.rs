//! Reactions: one per user and emoji, within the message's bounds.

use std::future::Future;

use super::{Loaded, as_changed, load_for_change, reload, shown};
use crate::authorisation::refused;
use crate::changes::{Change, notifications};
use crate::error::{Error, Result};
use crate::events::{Audience, Outcome};
use crate::messages::{
    MAX_DISTINCT_REACTIONS, MAX_REACTIONS, Message, NewReaction, ReactionBounds, validate_emoji,
};
use crate::ports::{AttachmentFiles, ChatStore, MessageChanges};

/// A reaction re-reads and retries this often when the message keeps changing under it.
const REACTION_ATTEMPTS: usize = 10;

/// Adds `me`'s reaction. Adding it again changes nothing and notifies nobody. A message takes
/// at most [`MAX_DISTINCT_REACTIONS`] emoji and [`MAX_REACTIONS`] reactions in all (422).
pub async fn add_reaction<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    emoji: &str,
    authorised: A,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageChanges,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    if let Err(invalid) = validate_emoji(emoji) {
        return Err(refused(authorised, invalid).await);
    }
    let Loaded {
        at,
        mut message,
        people,
        sequence,
    } = load_for_change(store, me, id, authorised).await?;
    let mut sequence = Some(sequence);
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
        let reaction = NewReaction {
            emoji,
            user_id: me,
            new_emoji,
            bounds,
        };
        let added = store
            .add_reaction(
                &message.conversation_id,
                &at.ulid,
                reaction,
                sequence.take(),
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

/// Removes `me`'s reaction once `authorised` succeeds; removing one that is not there changes
/// nothing.
pub async fn remove_reaction<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    emoji: &str,
    authorised: A,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageChanges,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    if let Err(invalid) = validate_emoji(emoji) {
        return Err(refused(authorised, invalid).await);
    }
    let Loaded {
        at,
        mut message,
        people,
        sequence,
    } = load_for_change(store, me, id, authorised).await?;
    let mut sequence = Some(sequence);
    for _ in 0..REACTION_ATTEMPTS {
        if !message.has_reaction(emoji, me) {
            return Ok(Outcome::quiet(shown(files, message).await));
        }
        let last = message
            .reactions
            .get(emoji)
            .is_some_and(|users| users.len() == 1);
        let removed = store
            .remove_reaction(
                &message.conversation_id,
                &at.ulid,
                emoji,
                me,
                last,
                sequence.take(),
            )
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
