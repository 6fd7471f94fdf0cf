//! Read receipts, and the read positions unread counts come from.

use std::future::Future;

use super::{Loaded, as_changed, load_for_change, reload, shown};
use crate::changes::{Change, notifications};
use crate::conversation::{Conversation, MessageRef};
use crate::error::Result;
use crate::events::Outcome;
use crate::messages::{MAX_READ_RECEIPTS, Message};
use crate::ports::{AttachmentFiles, ChatStore, MessageChanges, ReadPositions};

/// Adds `me` to `read_by` and moves `me`'s read position in the conversation up to the message
/// (never back), which is what unread counts come from. Only the first read is a change: it
/// takes a number and notifies the participants.
/// `authorised` runs in the read mark's first wave; the read position moves in the second, beside
/// the read mark's transaction.
pub async fn mark_read<S, F, A>(
    store: &S,
    files: &F,
    me: &str,
    id: &str,
    authorised: A,
) -> Result<Outcome<Message>>
where
    S: ChatStore + MessageChanges + ReadPositions,
    F: AttachmentFiles,
    A: Future<Output = Result<()>>,
{
    let Loaded {
        at,
        message,
        people,
        sequence,
    } = load_for_change(store, me, id, authorised).await?;
    if message.read_by.iter().any(|r| r == me) || message.read_by.len() >= MAX_READ_RECEIPTS {
        advance_read(store, me, &at, &message).await;
        return Ok(Outcome::quiet(shown(files, message).await));
    }
    let (marked, ()) = futures::join!(
        store.mark_read(
            &message.conversation_id,
            &at.ulid,
            me,
            MAX_READ_RECEIPTS,
            Some(sequence),
        ),
        advance_read(store, me, &at, &message),
    );
    let Some(changed) = marked? else {
        // Read concurrently by another connection of the same user (or the last free place in
        // `read_by` went to another reader).
        return Ok(Outcome::quiet(
            shown(files, reload(store, &at).await?).await,
        ));
    };
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
