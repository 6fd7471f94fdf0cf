use futures::executor::block_on;

use super::*;
use crate::attachments::{AttachmentState, Upload};
use crate::conversation::{Conversation, Fanout};
use crate::error::Error;
use crate::events::{Audience, EventType};
use crate::messages::rules::typing;
use crate::messages::{MessageType, NewMessage, TypingSignal};

#[test]
fn a_direct_message_is_numbered_stored_and_heard_by_both_users() {
    let store = store();
    let first = sent(&store, ADA, &to_user(BOB, "hello")).expect("sent");
    let second = sent(&store, BOB, &to_user(ADA, "hi")).expect("sent");
    assert!(first.value.created);
    let message = &first.value.message;
    let conversation = Conversation::direct(&user(ADA), &user(BOB)).map(|c| c.id());
    assert_eq!(Some(&message.conversation_id), conversation.as_ref());
    assert_eq!((message.seq, message.number), (1, 1));
    assert_eq!(second.value.message.seq, 2);
    assert_eq!(
        heard(&first.notifications),
        [
            (ADA.to_owned(), EventType::MessageCreated),
            (BOB.to_owned(), EventType::MessageCreated)
        ]
    );
    let stored = store.messages_of(&message.conversation_id).expect("read");
    assert_eq!(stored.len(), 2);
}

#[test]
fn a_direct_message_needs_another_existing_user() {
    let store = store();
    assert_eq!(
        field(sent(&store, ADA, &to_user(ADA, "me"))).as_deref(),
        Some("recipient_id")
    );
    let nobody = "01HZZZZZZZZZZZZZZZZZNOBODY";
    assert_eq!(status(sent(&store, ADA, &to_user(nobody, "hi"))), 404);
    assert_eq!(status(sent(&store, ADA, &to_user("a.b", "hi"))), 404);
    let both = NewMessage {
        chat_id: Some(chat("X")),
        ..to_user(BOB, "hi")
    };
    assert_eq!(
        field(sent(&store, ADA, &both)).as_deref(),
        Some("recipient_id")
    );
    assert_eq!(
        field(sent(&store, ADA, &to_user(BOB, ""))).as_deref(),
        Some("content")
    );
}

#[test]
fn members_send_to_their_chat_and_outsiders_are_refused() {
    let store = store();
    let chat_id = chat_of(&store, ADA, &[BOB]);
    let posted = sent(&store, BOB, &to_chat(&chat_id, "hi all")).expect("a member sends");
    assert_eq!(posted.value.message.fanout, Fanout::Inline);
    assert_eq!(
        heard(&posted.notifications),
        [(format!("members of {chat_id}"), EventType::MessageCreated)]
    );

    let refused = sent(&store, CY, &to_chat(&chat_id, "let me in"));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert_eq!(status(sent(&store, CY, &to_chat("NOSUCHCHAT", "hi"))), 404);
    let conversation = Conversation::Chat(chat(&chat_id)).id();
    assert_eq!(
        store.messages_of(&conversation).map(|m| m.len()).ok(),
        Some(1)
    );
}

#[test]
fn a_retried_send_answers_the_first_message_and_tells_nobody_again() {
    let store = store();
    let new = NewMessage {
        client_message_id: Some("c-42".into()),
        ..to_user(BOB, "once")
    };
    let first = sent(&store, ADA, &new).expect("sent");
    let again = sent(&store, ADA, &new).expect("answered");
    assert!(!again.value.created);
    assert_eq!(again.value.message.id, first.value.message.id);
    assert!(again.notifications.is_empty());
    // The key is the sender's: another sender's same key is another message.
    let other = sent(
        &store,
        BOB,
        &NewMessage {
            recipient_id: Some(user(ADA)),
            ..new.clone()
        },
    );
    assert!(other.expect("sent").value.created);
    let stored = store.messages_of(&first.value.message.conversation_id);
    assert_eq!(stored.map(|m| m.len()).ok(), Some(2));
}

#[test]
fn a_reply_names_a_stored_message_of_the_same_conversation() {
    let store = store();
    let chat_id = chat_of(&store, ADA, &[BOB, CY]);
    let in_chat = sent(&store, ADA, &to_chat(&chat_id, "question")).expect("sent");
    let direct = sent(&store, ADA, &to_user(BOB, "psst")).expect("sent");

    let reply = |to: &str| NewMessage {
        reply_to_id: Some(to.to_owned()),
        ..to_chat(&chat_id, "answer")
    };
    let answered = sent(&store, BOB, &reply(&in_chat.value.message.id)).expect("a reply");
    assert_eq!(
        answered.value.message.reply_to_id.as_deref(),
        Some(in_chat.value.message.id.as_str())
    );
    // Into another conversation, to a message never stored, or to no message id at all.
    let elsewhere = reply(&direct.value.message.id);
    assert_eq!(
        field(sent(&store, BOB, &elsewhere)).as_deref(),
        Some("reply_to_id")
    );
    let unsent = in_chat.value.message.id.replacen("01", "02", 1);
    assert_eq!(
        field(sent(&store, BOB, &reply(&unsent))).as_deref(),
        Some("reply_to_id")
    );
    assert_eq!(
        field(sent(&store, BOB, &reply("nonsense"))).as_deref(),
        Some("reply_to_id")
    );
}

#[test]
fn a_pending_upload_of_the_sender_is_attached_once() {
    let store = store();
    let upload = Upload {
        attachment_id: "01HZZZZZZZZZZZZZZZZZZZFILE".into(),
        owner_id: ADA.into(),
        file_name: "cat.png".into(),
        content_type: "image/png".into(),
        size_bytes: 48_213,
        checksum_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
        state: AttachmentState::Pending,
        message_id: None,
    };
    store.put_upload(upload.clone()).expect("stored");
    let with_file = NewMessage {
        message_type: Some(MessageType::Image),
        attachment_ids: Some(vec![AttachmentId::trusted(upload.attachment_id.clone())]),
        ..to_user(BOB, "")
    };
    let not_mine = NewMessage {
        recipient_id: Some(user(ADA)),
        ..with_file.clone()
    };
    assert_eq!(
        field(sent(&store, BOB, &not_mine)).as_deref(),
        Some("attachment_ids")
    );

    let message = sent(&store, ADA, &with_file).expect("sent").value.message;
    assert_eq!(message.attachments.len(), 1);
    assert!(message.attachments[0].download_url.is_some());
    assert_eq!(
        message.attachments[0].checksum_sha256,
        upload.checksum_sha256
    );
    let stored = store.upload(&upload.attachment_id).ok().flatten();
    assert_eq!(stored.map(|u| u.state), Some(AttachmentState::Attached));
    assert_eq!(
        field(sent(&store, ADA, &with_file)).as_deref(),
        Some("attachment_ids")
    );

    let untyped = NewMessage {
        message_type: None,
        ..with_file
    };
    assert_eq!(
        field(sent(&store, ADA, &untyped)).as_deref(),
        Some("message_type")
    );
}

#[test]
fn typing_goes_to_the_others_and_never_to_outsiders() {
    let store = store();
    let direct = TypingSignal {
        recipient_id: Some(user(BOB)),
        chat_id: None,
        is_typing: true,
    };
    let told = block_on(typing(&store, ADA, &direct)).expect("relayed");
    assert_eq!(heard(&told), [(BOB.to_owned(), EventType::Typing)]);

    let chat_id = chat_of(&store, ADA, &[BOB]);
    let in_chat = TypingSignal {
        recipient_id: None,
        chat_id: Some(chat(&chat_id)),
        is_typing: true,
    };
    let told = block_on(typing(&store, BOB, &in_chat)).expect("relayed");
    assert!(matches!(
        &told[0].audience,
        Audience::Chat { chat_id: id, except: Some(me), .. } if *id == chat_id && me == BOB
    ));
    assert_eq!(status(block_on(typing(&store, CY, &in_chat))), 403);
}

#[test]
fn a_client_cannot_send_a_system_message_and_nothing_is_stored() {
    let store = store();
    let notice = NewMessage {
        message_type: Some(MessageType::System),
        ..to_user(BOB, "your account is locked")
    };
    assert_eq!(
        field(sent(&store, ADA, &notice)).as_deref(),
        Some("message_type")
    );
    let typed = NewMessage {
        message_type: Some(MessageType::Text),
        ..to_user(BOB, "hi")
    };
    let stored = sent(&store, ADA, &typed).expect("sent").value.message;
    // The refused send took no number.
    assert_eq!(stored.seq, 1);
}
