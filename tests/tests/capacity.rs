//! The cost of the message operations does not grow with the conversation: the read and write
//! capacity each consumes (ReturnConsumedCapacity from DynamoDB Local, summed over all its
//! requests) is printed and compared with 100 and with 5,000 messages stored in the
//! conversations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chat_aws::store::capacity::{Capacity, measure};
use chat_core::authorisation::allowed;
use chat_core::chats::{self, AddMember, MAX_MEMBERS, NewChat};
use chat_core::conversation::{Conversation, message_id};
use chat_core::ids::{ChatId, UserId};
use chat_core::messages::PutMessage;
use chat_core::messages::rules::{self as message_rules, send};
use chat_core::messages::{Message, MessageType, NewMessage};
use chat_core::paging::PageRequest;
use chat_core::ports::Joining;
use chat_core::time::format_rfc3339;
use chat_core::users::User;
use chat_lambda::App;
use chat_lambda::domain::attachments::Files;
use chat_lambda::domain::inbox;
use chat_lambda::domain::messages;
use e2e::direct::{app, stored_user};
use futures::StreamExt;

const PROBE: &str = "capacity probe message";

/// `count` messages of the same size as the probes, written straight to the table.
async fn fill(
    app: &Arc<App>,
    conversation: &Conversation,
    sender: &str,
    peer: Option<&str>,
    count: usize,
) {
    let (recipient_id, chat_id) = match conversation {
        Conversation::Direct { .. } => (peer.map(str::to_owned), None),
        Conversation::Chat(id) => (None, Some(id.to_string())),
    };
    futures::stream::iter(0..count)
        .map(|i| {
            let app = app.clone();
            let ulid = ulid::Ulid::generate();
            let mut message = Message {
                id: message_id(&ulid.to_string(), &conversation.id()),
                conversation_id: conversation.id(),
                sender_id: sender.to_owned(),
                recipient_id: recipient_id.clone(),
                chat_id: chat_id.clone(),
                content: format!("{:0width$}", i % 10, width = PROBE.len()),
                message_type: MessageType::Text,
                reply_to_id: None,
                reactions: BTreeMap::new(),
                read_by: Vec::new(),
                created_at: format_rfc3339(ulid.datetime()),
                edited_at: None,
                deleted: false,
                attachments: vec![],
                seq: 0,
                updated_seq: 0,
                number: 0,
                fanout: Default::default(),
                ulid: ulid.to_string(),
                version: 1,
                members_version: None,
            };
            async move {
                let stored = app.store.put_message(&mut message, None, None, None).await;
                assert_eq!(stored.expect("insert message"), PutMessage::Stored);
            }
        })
        // Every message takes the conversation's next number: few writers, few lost races.
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}

struct People {
    alice: User,
    bob: User,
    chat_id: ChatId,
}

/// The capacity of each operation, in a fixed order.
async fn costs(app: &App, p: &People) -> Vec<(&'static str, Capacity)> {
    let page = PageRequest::default();
    let (sent, send_direct) = measure(send(
        &app.store,
        &Files(app),
        &p.alice.id,
        &NewMessage {
            recipient_id: Some(UserId::trusted(p.bob.id.clone())),
            content: PROBE.into(),
            ..Default::default()
        },
        allowed(),
    ))
    .await;
    let direct = sent.expect("send direct").value.message;
    let (sent, send_chat) = measure(send(
        &app.store,
        &Files(app),
        &p.alice.id,
        &NewMessage {
            chat_id: Some(p.chat_id.clone()),
            content: PROBE.into(),
            ..Default::default()
        },
        allowed(),
    ))
    .await;
    sent.expect("send to chat");
    let (history, history_page) = measure(messages::direct_history(
        app,
        &p.bob.id,
        &UserId::trusted(p.alice.id.clone()),
        page.clone(),
    ))
    .await;
    let history = history.expect("history");
    assert_eq!(history.items.len(), 50);
    assert_eq!(history.items[0].id, direct.id);
    let (reacted, reaction) = measure(message_rules::add_reaction(
        &app.store,
        &Files(app),
        &p.bob.id,
        &direct.id,
        "👍",
        allowed(),
    ))
    .await;
    reacted.expect("react");
    let (read, mark_read) = measure(message_rules::mark_read(
        &app.store,
        &Files(app),
        &p.bob.id,
        &direct.id,
        allowed(),
    ))
    .await;
    assert_eq!(read.expect("read").value.read_by, vec![p.bob.id.clone()]);
    let (entries, inbox) = measure(inbox::inbox(app, &p.bob.id, page)).await;
    assert_eq!(entries.expect("inbox").items.len(), 2);
    vec![
        ("send a direct message", send_direct),
        ("send a chat message (3 members)", send_chat),
        ("one history page (50)", history_page),
        ("add a reaction", reaction),
        ("mark read", mark_read),
        ("the inbox (2 conversations)", inbox),
    ]
}

#[tokio::test]
async fn message_costs_are_the_same_with_100_and_5000_messages() {
    let app = app().await;
    let (alice, bob, carol) = (
        stored_user(&app, "capa").await,
        stored_user(&app, "capb").await,
        stored_user(&app, "capc").await,
    );
    let chat = chats::rules::create(
        &app.store,
        &alice.id,
        NewChat {
            name: "capacity".into(),
            member_ids: vec![
                UserId::trusted(bob.id.clone()),
                UserId::trusted(carol.id.clone()),
            ],
        },
        None,
    )
    .await
    .expect("chat");
    let direct = Conversation::direct(
        &UserId::trusted(alice.id.clone()),
        &UserId::trusted(bob.id.clone()),
    )
    .unwrap();
    let chat_id = ChatId::trusted(chat.id.clone());
    let in_chat = Conversation::chat(&chat_id);
    let people = People {
        alice,
        bob,
        chat_id,
    };

    // One real send per conversation first, so that the measured sends update existing items
    // (the conversation's, the inbox entries).
    fill(&app, &direct, &people.alice.id, Some(&people.bob.id), 98).await;
    fill(&app, &in_chat, &people.alice.id, None, 98).await;
    for new in [
        NewMessage {
            recipient_id: Some(UserId::trusted(people.bob.id.clone())),
            content: PROBE.into(),
            ..Default::default()
        },
        NewMessage {
            chat_id: Some(people.chat_id.clone()),
            content: PROBE.into(),
            ..Default::default()
        },
    ] {
        send(&app.store, &Files(&app), &people.alice.id, &new, allowed())
            .await
            .expect("warm-up send");
    }
    let small = costs(&app, &people).await;
    fill(&app, &direct, &people.alice.id, Some(&people.bob.id), 4899).await;
    fill(&app, &in_chat, &people.alice.id, None, 4899).await;
    let large = costs(&app, &people).await;

    println!(
        "{:<32} | {:^19} | {:^19}",
        "consumed capacity", "100 messages", "5,000 messages"
    );
    for ((name, s), (_, l)) in small.iter().zip(&large) {
        println!(
            "{name:<32} | {:>5.1} RCU {:>4.1} WCU | {:>5.1} RCU {:>4.1} WCU",
            s.rcu, s.wcu, l.rcu, l.wcu
        );
    }
    for ((name, s), (_, l)) in small.iter().zip(&large) {
        assert!(
            s.rcu + s.wcu > 0.0,
            "{name}: DynamoDB reported no consumed capacity"
        );
        assert_eq!(s, l, "{name}");
    }
}

/// A chat of `size` members (the creator included), members added straight through the store.
async fn chat_of(app: &Arc<App>, size: usize) -> (User, String) {
    let owner = stored_user(app, "capo").await;
    let chat = chats::rules::create(
        &app.store,
        &owner.id,
        NewChat {
            name: format!("capacity {size}"),
            member_ids: vec![],
        },
        None,
    )
    .await
    .expect("chat");
    futures::stream::iter(1..size)
        .map(|_| {
            let app = app.clone();
            let (chat_id, owner_id) = (chat.id.clone(), owner.id.clone());
            async move {
                let member = stored_user(&app, "capm").await;
                let joining = Joining {
                    chat_id: &chat_id,
                    user_id: &member.id,
                    added_by: &owner_id,
                    joined_at: "t",
                    read_count: 0,
                    max_members: MAX_MEMBERS,
                    remember: None,
                };
                let added = app.store.add_member(&joining).await;
                assert_eq!(added.expect("add member"), AddMember::Added);
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    (owner, chat.id)
}

/// A chat message costs the same whatever the chat's size: the send writes the message, the
/// conversation's item and the sender's membership item, and reads no member set (the push,
/// which does, is the delivery's).
#[tokio::test]
async fn a_chat_message_costs_the_same_for_2_100_and_1000_members() {
    let app = app().await;
    let mut rows = Vec::new();
    for size in [2, 100, 1000] {
        let (owner, chat_id) = chat_of(&app, size).await;
        let new = NewMessage {
            chat_id: Some(ChatId::trusted(chat_id)),
            content: PROBE.into(),
            ..Default::default()
        };
        send(&app.store, &Files(&app), &owner.id, &new, allowed())
            .await
            .expect("warm-up send");
        let (sent, cost) =
            measure(send(&app.store, &Files(&app), &owner.id, &new, allowed())).await;
        sent.expect("send");
        rows.push((size, cost));
    }
    println!(
        "{:<28} | {:>7} | {:>7}",
        "send a chat message", "RCU", "WCU"
    );
    for (size, cost) in &rows {
        println!(
            "{:<28} | {:>7.1} | {:>7.1}",
            format!("{size} members"),
            cost.rcu,
            cost.wcu
        );
    }
    let (_, two) = rows[0];
    for (size, cost) in &rows {
        assert!(two.wcu > 0.0, "DynamoDB reported no consumed capacity");
        assert_eq!(*cost, two, "{size} members");
    }
}
