use futures::executor::block_on;

use super::*;
use crate::attachments::{AttachmentState, Upload};
use crate::error::Error;
use crate::events::EventType;
use crate::messages::rules::{add_reaction, delete, edit, get, mark_read, remove_reaction};
use crate::messages::{MAX_DISTINCT_REACTIONS, MAX_REACTIONS, Message, MessageType};

/// A direct message from Ada to Bob.
fn posted(store: &MemoryStore) -> Message {
    sent(store, ADA, &to_user(BOB, "first draft"))
        .expect("sent")
        .value
        .message
}

#[test]
fn only_the_sender_edits_and_every_participant_hears_it() {
    let store = store();
    let message = posted(&store);
    let edited =
        block_on(edit(&store, &store, ADA, &message.id, "final", allowed())).expect("edited");
    assert_eq!(edited.value.content, "final");
    assert!(edited.value.edited_at.is_some());
    assert!(edited.value.updated_seq > message.updated_seq);
    assert_eq!(
        heard(&edited.notifications),
        [
            (ADA.to_owned(), EventType::MessageUpdated),
            (BOB.to_owned(), EventType::MessageUpdated)
        ]
    );
    let by_bob = block_on(edit(
        &store,
        &store,
        BOB,
        &message.id,
        "mine now",
        allowed(),
    ));
    assert!(matches!(by_bob, Err(Error::Forbidden(_))), "{by_bob:?}");
    // Somebody outside the conversation learns nothing, not even that it exists.
    assert_eq!(
        status(block_on(edit(
            &store,
            &store,
            CY,
            &message.id,
            "x",
            allowed()
        ))),
        404
    );
    assert_eq!(
        status(block_on(edit(
            &store,
            &store,
            ADA,
            &message.id,
            "",
            allowed()
        ))),
        422
    );
    let stored = block_on(get(&store, &store, BOB, &message.id)).expect("read");
    assert_eq!(stored.content, "final");
}

#[test]
fn an_edit_to_the_content_in_place_changes_nothing_and_tells_nobody() {
    let store = store();
    let message = posted(&store);
    let edited =
        block_on(edit(&store, &store, ADA, &message.id, "final", allowed())).expect("edited");
    let again =
        block_on(edit(&store, &store, ADA, &message.id, "final", allowed())).expect("retried");
    assert_eq!(again.value, edited.value);
    assert!(again.notifications.is_empty());
    // Even a message never edited: its own content is no change.
    let fresh = posted(&store);
    let same = block_on(edit(
        &store,
        &store,
        ADA,
        &fresh.id,
        "first draft",
        allowed(),
    ))
    .expect("same");
    assert_eq!(
        (same.value.updated_seq, same.value.edited_at),
        (fresh.updated_seq, None)
    );
}

#[test]
fn a_deleted_message_is_a_tombstone_that_stays_deleted() {
    let store = store();
    let upload = Upload {
        attachment_id: "01HZZZZZZZZZZZZZZZZZZZFILE".into(),
        owner_id: ADA.into(),
        file_name: "notes.txt".into(),
        content_type: "text/plain".into(),
        size_bytes: 1_000,
        checksum_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
        state: AttachmentState::Pending,
        message_id: None,
    };
    store.put_upload(upload.clone()).expect("stored");
    let with_file = NewMessage {
        message_type: Some(MessageType::File),
        attachment_ids: Some(vec![AttachmentId::trusted(upload.attachment_id.clone())]),
        ..to_user(BOB, "see attached")
    };
    let message = sent(&store, ADA, &with_file).expect("sent").value.message;
    react(&store, BOB, &message.id, "👍").expect("reacted");

    let refused = block_on(delete(&store, &store, BOB, &message.id, allowed()));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let deleted = block_on(delete(&store, &store, ADA, &message.id, allowed())).expect("deleted");
    let tombstone = &deleted.value;
    assert!(tombstone.deleted);
    assert!(tombstone.content.is_empty() && tombstone.reactions.is_empty());
    assert!(tombstone.attachments.is_empty());
    assert_eq!(heard(&deleted.notifications).len(), 2);
    // Its file went with it.
    assert_eq!(store.upload(&upload.attachment_id).ok().flatten(), None);

    // Deleting again answers the tombstone and tells nobody; nothing else changes it.
    let again = block_on(delete(&store, &store, ADA, &message.id, allowed())).expect("idempotent");
    assert!(again.value.deleted && again.notifications.is_empty());
    let edit_deleted = block_on(edit(&store, &store, ADA, &message.id, "back", allowed()));
    assert!(
        matches!(edit_deleted, Err(Error::Conflict(_))),
        "{edit_deleted:?}"
    );
    let react_deleted = react(&store, BOB, &message.id, "🎉");
    assert!(
        matches!(react_deleted, Err(Error::Conflict(_))),
        "{react_deleted:?}"
    );
}

#[test]
fn reactions_are_per_user_and_emoji_and_repeats_change_nothing() {
    let store = store();
    let message = posted(&store);
    let added = react(&store, BOB, &message.id, "👍").expect("added");
    assert_eq!(
        added.value.reactions.get("👍").map(Vec::as_slice),
        Some(&[BOB.to_owned()][..])
    );
    assert_eq!(heard(&added.notifications)[0].1, EventType::ReactionAdded);
    let both = react(&store, ADA, &message.id, "👍").expect("added");
    assert_eq!(both.value.reactions["👍"], [ADA, BOB]);

    let repeat = react(&store, BOB, &message.id, "👍").expect("same");
    assert!(repeat.notifications.is_empty());
    assert_eq!(repeat.value.reactions["👍"], [ADA, BOB]);
    assert_eq!(
        field(react(&store, BOB, &message.id, "nope")).as_deref(),
        Some("emoji")
    );

    let removed = unreact(&store, BOB, &message.id, "👍").expect("removed");
    assert_eq!(removed.value.reactions["👍"], [ADA]);
    assert_eq!(
        heard(&removed.notifications)[0].1,
        EventType::ReactionRemoved
    );
    let last = unreact(&store, ADA, &message.id, "👍").expect("removed");
    assert!(last.value.reactions.is_empty());
    let absent = unreact(&store, ADA, &message.id, "👍").expect("same");
    assert!(absent.notifications.is_empty());
}

#[test]
fn a_message_takes_a_bounded_number_of_emoji_and_reactions() {
    let store = store();
    let message = posted(&store);
    // Short codes stand in for distinct custom emoji.
    for n in 0..MAX_DISTINCT_REACTIONS {
        let emoji = format!(":e{n}:");
        react(&store, ADA, &message.id, &emoji).expect("room left");
    }
    let one_more = react(&store, ADA, &message.id, ":e_more:");
    assert!(
        matches!(one_more, Err(Error::LimitExceeded(_))),
        "{one_more:?}"
    );
    // An emoji already there still takes another user's reaction.
    react(&store, BOB, &message.id, ":e0:").expect("existing emoji");

    // The total bound: a full chat (Ada and 999 others) that all react.
    let crowd: Vec<String> = (1..MAX_REACTIONS).map(|n| format!("U{n:04}")).collect();
    let users: Vec<&str> = crowd
        .iter()
        .map(String::as_str)
        .chain([ADA, BOB, CY])
        .collect();
    let store = MemoryStore::with_users(users);
    let chat_id = chat_of(&store, ADA, &[]);
    let message = sent(&store, ADA, &to_chat(&chat_id, "vote"))
        .expect("sent")
        .value
        .message;
    for (n, member) in crowd.iter().enumerate() {
        let (chat_id, member_id) = (chat(&chat_id), user(member));
        block_on(chats::rules::add_member(
            &store, ADA, &chat_id, &member_id, None,
        ))
        .expect("joined");
        let emoji = format!(":e{}:", n % MAX_DISTINCT_REACTIONS);
        react(&store, member, &message.id, &emoji).expect("room left");
    }
    react(&store, ADA, &message.id, ":e0:").expect("the last place");
    let too_many = react(&store, ADA, &message.id, ":e1:");
    assert!(
        matches!(too_many, Err(Error::LimitExceeded(_))),
        "{too_many:?}"
    );
}

#[test]
fn the_first_read_by_a_participant_is_a_change_and_later_ones_are_not() {
    let store = store();
    let message = posted(&store);
    let read = block_on(mark_read(&store, &store, BOB, &message.id, allowed())).expect("read");
    assert_eq!(read.value.read_by, [BOB]);
    assert_eq!(heard(&read.notifications)[0].1, EventType::MessageRead);
    let again =
        block_on(mark_read(&store, &store, BOB, &message.id, allowed())).expect("read again");
    assert!(again.notifications.is_empty());
    assert_eq!(again.value.read_by, [BOB]);
    assert_eq!(
        status(block_on(mark_read(
            &store,
            &store,
            CY,
            &message.id,
            allowed()
        ))),
        404
    );
}

/// `me`'s reaction `emoji` to message `id`, as an allowed caller.
fn react(store: &MemoryStore, me: &str, id: &str, emoji: &str) -> Result<Outcome<Message>> {
    block_on(add_reaction(store, store, me, id, emoji, allowed()))
}

/// `me`'s reaction `emoji` taken back, as an allowed caller.
fn unreact(store: &MemoryStore, me: &str, id: &str, emoji: &str) -> Result<Outcome<Message>> {
    block_on(remove_reaction(store, store, me, id, emoji, allowed()))
}
