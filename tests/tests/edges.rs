//! The service at DynamoDB's and API Gateway's real limits: pages that cross DynamoDB's 1 MB per
//! Query, ids no key may hold, and items stored in a shape the code cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::conversation::{Conversation, message_id};
use chat_core::ids::ChatId;
use chat_core::messages::PutMessage;
use chat_core::messages::{Message, MessageType};
use e2e::direct::{api_user, app, dynamodb};
use e2e::{Api, unique};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

/// 4,000 CJK characters: 12,000 bytes of UTF-8, so about 85 messages fill DynamoDB's 1 MB.
fn large_content(i: usize) -> String {
    let mut text: String = std::iter::repeat_n('漢', 3990).collect();
    text.push_str(&format!("{i:010}"));
    text
}

fn ids(items: &[Value]) -> HashSet<String> {
    items
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_history_of_large_messages_pages_to_the_end() {
    let api = Api::new();
    let app = app().await;
    let alice = api_user(&app, "edh").await;
    let bob = api_user(&app, "edh").await;
    let sent: Vec<Value> = futures::stream::iter(0..101)
        .map(|i| {
            let (api, alice, bob) = (api.clone(), alice.clone(), bob.clone());
            async move { api.send_direct(&alice, &bob, &large_content(i)).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;

    let path = format!("/messages/conversation/{}", bob.id);
    let (items, sizes) = api.all_pages(&path, &alice.token, 100).await;
    assert_eq!(items.len(), 101, "every message, page sizes {sizes:?}");
    assert_eq!(ids(&items), ids(&sent), "each exactly once");
}

#[tokio::test]
async fn an_inbox_of_large_last_messages_pages_to_the_end() {
    let api = Api::new();
    let app = app().await;
    let me = api_user(&app, "edi").await;
    let peers: Vec<_> = futures::stream::iter(0..101)
        .map(|_| {
            let app = app.clone();
            async move { api_user(&app, "edi").await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    futures::stream::iter(peers.iter().enumerate())
        .map(|(i, peer)| {
            let (api, me) = (api.clone(), me.clone());
            async move { api.send_direct(peer, &me, &large_content(i)).await }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;

    let (items, sizes) = api
        .all_pages("/messages/conversations", &me.token, 100)
        .await;
    assert_eq!(items.len(), 101, "every conversation, page sizes {sizes:?}");
    let conversations: HashSet<&str> = items
        .iter()
        .map(|e| e["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(conversations.len(), 101, "each exactly once");
}

/// Ids that no key may hold: too long for a DynamoDB key, control characters, path tricks,
/// injection attempts and more emoji than any id has characters.
fn absurd_ids() -> Vec<String> {
    vec![
        "x".repeat(3000),
        "%00".to_owned(),
        "a%00b".to_owned(),
        "..".to_owned(),
        "%2E%2E".to_owned(),
        "1%27%20OR%20%271%27%3D%271".to_owned(),
        "%F0%9F%98%80".repeat(300),
    ]
}

#[tokio::test]
async fn absurd_ids_in_any_path_answer_4xx() {
    let api = Api::new();
    let app = app().await;
    let alice = api_user(&app, "eda").await;
    let bob = api_user(&app, "eda").await;
    let chat = api.create_chat(&alice, &[&bob]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let message = api.send_direct(&alice, &bob, "hi").await;
    let message_id = message["id"].as_str().unwrap();

    for bad in absurd_ids() {
        let routes: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/users/{bad}"), None),
            (Method::GET, format!("/messages/conversation/{bad}"), None),
            (Method::GET, format!("/messages/chat/{bad}"), None),
            (Method::GET, format!("/messages/{bad}"), None),
            (
                Method::PUT,
                format!("/messages/{bad}"),
                Some(json!({"content": "x"})),
            ),
            (Method::DELETE, format!("/messages/{bad}"), None),
            (
                Method::POST,
                format!("/messages/{bad}/reactions"),
                Some(json!({"emoji": "👍"})),
            ),
            (
                Method::DELETE,
                format!("/messages/{bad}/reactions?emoji=%F0%9F%91%8D"),
                None,
            ),
            (Method::PATCH, format!("/messages/{bad}/read"), None),
            (Method::GET, format!("/chats/{bad}"), None),
            (
                Method::POST,
                format!("/chats/{bad}/members"),
                Some(json!({"user_id": bob.id})),
            ),
            (
                Method::POST,
                format!("/chats/{chat_id}/members"),
                Some(json!({"user_id": bad})),
            ),
            (
                Method::DELETE,
                format!("/chats/{bad}/members/{}", bob.id),
                None,
            ),
            (
                Method::DELETE,
                format!("/chats/{chat_id}/members/{bad}"),
                None,
            ),
        ];
        for (method, path, body) in routes {
            let reply = api
                .call(method.clone(), &path, Some(&alice.token), body)
                .await;
            let status = reply.status.as_u16();
            let empty_history = path.starts_with("/messages/conversation/")
                && status == 200
                && reply.body["items"] == json!([]);
            assert!(
                (400..500).contains(&status) || empty_history,
                "{method} {}: {status} {:#}",
                &path[..path.len().min(80)],
                reply.body
            );
        }
    }
    // Nothing changed.
    let still = api
        .get(&format!("/messages/{message_id}"), &alice.token)
        .await;
    assert_eq!(still.expect(200)["content"], "hi");
    let chat = api.get(&format!("/chats/{chat_id}"), &alice.token).await;
    assert_eq!(chat.expect(200)["members"].as_array().unwrap().len(), 2);

    // Ids in bodies, too.
    for bad in ["x".repeat(3000), "a#b".to_owned(), "..".to_owned()] {
        let reply = api
            .post(
                "/messages",
                Some(&alice.token),
                json!({"recipient_id": bad, "content": "x"}),
            )
            .await;
        assert!(reply.status.is_client_error(), "{:#}", reply.body);
        let reply = api
            .post(
                "/messages",
                Some(&alice.token),
                json!({"chat_id": bad, "content": "x"}),
            )
            .await;
        assert!(reply.status.is_client_error(), "{:#}", reply.body);
    }
}

#[tokio::test]
async fn an_over_long_login_identifier_is_refused_not_retried() {
    let api = Api::new();
    for body in [
        json!({"username": "u".repeat(5000), "password": "correct horse battery"}),
        json!({"email": format!("{}@example.com", "e".repeat(5000)), "password": "correct horse battery"}),
    ] {
        let reply = api.post("/users/login", None, body).await;
        assert!(
            matches!(reply.status.as_u16(), 401 | 422),
            "{}: {:#}",
            reply.status,
            reply.body
        );
        assert!(reply.headers.get("retry-after").is_none());
    }
}

#[tokio::test]
async fn an_item_the_service_cannot_read_is_a_500_without_detail() {
    let api = Api::new();
    let app = app().await;
    let alice = api_user(&app, "edc").await;
    let bob = api_user(&app, "edc").await;
    let message = api.send_direct(&alice, &bob, "soon unreadable").await;
    let (ulid, conversation_id) = message["id"].as_str().unwrap().split_once('.').unwrap();
    // A message type no version of the service ever wrote.
    let table = std::env::var("MESSAGES_TABLE").expect("MESSAGES_TABLE");
    dynamodb()
        .await
        .update_item()
        .table_name(table)
        .key("conversation_id", AttributeValue::S(conversation_id.into()))
        .key("message_id", AttributeValue::S(ulid.into()))
        .update_expression("SET message_type = :t")
        .expression_attribute_values(":t", AttributeValue::S(unique("hologram")))
        .send()
        .await
        .expect("plant a malformed item");

    let reply = api
        .get(
            &format!("/messages/{}", message["id"].as_str().unwrap()),
            &alice.token,
        )
        .await;
    reply.expect_error(500, "internal");
    assert!(
        reply.headers.get("retry-after").is_none(),
        "retrying cannot help"
    );
    assert!(
        !reply.body.to_string().contains("hologram"),
        "{:#}",
        reply.body
    );
}

#[tokio::test]
async fn seven_hundred_distinct_reactions_leave_a_deletable_message() {
    let api = Api::new();
    let app = app().await;
    let alice = api_user(&app, "edr").await;
    let bob = api_user(&app, "edr").await;
    let message = api.send_direct(&alice, &bob, "react to me").await;
    let path = format!("/messages/{}", message["id"].as_str().unwrap());

    let statuses: Vec<u16> = futures::stream::iter(0..700)
        .map(|i| {
            let (api, token, path) = (api.clone(), bob.token.clone(), path.clone());
            async move {
                let reply = api
                    .post(
                        &format!("{path}/reactions"),
                        Some(&token),
                        json!({"emoji": format!(":r{i}:")}),
                    )
                    .await;
                assert!(!reply.status.is_server_error(), "{:#}", reply.body);
                reply.status.as_u16()
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    assert!(accepted <= 50, "{accepted} distinct reactions accepted");
    let stored = api.get(&path, &bob.token).await;
    assert_eq!(
        stored.expect(200)["reactions"].as_object().unwrap().len(),
        accepted
    );
    let refused = api
        .post(
            &format!("{path}/reactions"),
            Some(&bob.token),
            json!({"emoji": ":one_more:"}),
        )
        .await;
    refused.expect_error(422, "limit_exceeded");

    api.delete(&path, &alice.token).await.expect(204);
    let tombstone = api.get(&path, &bob.token).await;
    let tombstone = tombstone.expect(200);
    assert_eq!(tombstone["deleted"], true);
    assert_eq!(tombstone["content"], "");
    assert_eq!(tombstone["reactions"], json!({}));
}

#[tokio::test]
async fn an_emoji_is_one_emoji_or_a_short_code() {
    let api = Api::new();
    let app = app().await;
    let alice = api_user(&app, "ede").await;
    let bob = api_user(&app, "ede").await;
    let message = api.send_direct(&alice, &bob, "emoji rules").await;
    let path = format!("/messages/{}/reactions", message["id"].as_str().unwrap());
    for good in ["👍", "👍🏽", "👨‍👩‍👧‍👦", "🇯🇵", ":party_parrot:", ":+1:"]
    {
        let reply = api
            .post(&path, Some(&bob.token), json!({"emoji": good}))
            .await;
        assert_eq!(
            reply.expect(200)["reactions"][good],
            json!([bob.id]),
            "{good}"
        );
    }
    for bad in ["abc", "👍👍", "a👍", ":UPPER:", "::", ":a b:", "x", "🏽"] {
        let reply = api
            .post(&path, Some(&bob.token), json!({"emoji": bad}))
            .await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "emoji", "{bad}");
    }
}

#[tokio::test]
async fn a_full_chat_takes_no_more_members() {
    let api = Api::new();
    let app = app().await;
    let owner = api_user(&app, "edf").await;
    let newcomer = api_user(&app, "edf").await;
    let chat = api.create_chat(&owner, &[]).await;
    let chat_id = chat["id"].as_str().unwrap();
    // 999 members besides the owner, planted in the chat's meta item.
    let fillers: Vec<String> = (0..999)
        .map(|_| ulid::Ulid::generate().to_string())
        .collect();
    dynamodb()
        .await
        .update_item()
        .table_name(std::env::var("CHATS_TABLE").expect("CHATS_TABLE"))
        .key("pk", AttributeValue::S(format!("CHAT#{chat_id}")))
        .key("sk", AttributeValue::S("META".into()))
        .update_expression("ADD members :m")
        .expression_attribute_values(":m", AttributeValue::Ss(fillers))
        .send()
        .await
        .expect("fill the chat");

    let reply = api
        .post(
            &format!("/chats/{chat_id}/members"),
            Some(&owner.token),
            json!({"user_id": newcomer.id}),
        )
        .await;
    reply.expect_error(422, "limit_exceeded");
    let chat = api.get(&format!("/chats/{chat_id}"), &owner.token).await;
    let members = chat.expect(200)["members"].as_array().unwrap().clone();
    assert_eq!(members.len(), 1000);
    assert!(!members.contains(&json!(newcomer.id)));
}

/// A member removed while its send is in flight: either the send committed first (then the
/// message was stored while it was a member), or it answers 403 and stores nothing. The
/// removal's answer bounds when it committed, and a message's id carries when it was made, so a
/// stored message made after the removal answered is a message from a non-member.
#[tokio::test]
async fn a_member_removed_mid_send_posts_nothing_afterwards() {
    let api = Api::new();
    let app = app().await;
    let owner = api_user(&app, "edm").await;
    for round in 0..50 {
        let member = api_user(&app, "edm").await;
        let chat = api.create_chat(&owner, &[&member]).await;
        let chat_id = chat["id"].as_str().unwrap().to_owned();
        let sends = futures::future::join_all((0..4).map(|i| {
            let (api, member, chat_id) = (api.clone(), member.clone(), chat_id.clone());
            async move {
                api.post(
                    "/messages",
                    Some(&member.token),
                    json!({"chat_id": chat_id, "content": format!("round {round} send {i}")}),
                )
                .await
            }
        }));
        let removal = async {
            let reply = api
                .delete(
                    &format!("/chats/{chat_id}/members/{}", member.id),
                    &owner.token,
                )
                .await;
            reply.expect(200);
            std::time::SystemTime::now()
        };
        let (sends, removed_at) = futures::join!(sends, removal);
        let removed_ms = removed_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        for reply in &sends {
            assert!(
                matches!(reply.status.as_u16(), 201 | 403),
                "{}: {:#}",
                reply.status,
                reply.body
            );
        }
        let (history, _) = api
            .all_pages(&format!("/messages/chat/{chat_id}"), &owner.token, 100)
            .await;
        for message in &history {
            let ulid = message["id"].as_str().unwrap().split('.').next().unwrap();
            let made_ms = ulid::Ulid::from_string(ulid).unwrap().timestamp_ms();
            assert!(
                made_ms <= removed_ms,
                "round {round}: a message made {} ms after the removal answered",
                made_ms - removed_ms
            );
        }
        // After the removal answered, a send is refused and stores nothing.
        let late = api
            .post(
                "/messages",
                Some(&member.token),
                json!({"chat_id": chat_id, "content": "too late"}),
            )
            .await;
        late.expect_error(403, "forbidden");
    }
}

/// The send's membership check is part of its write: a message prepared while its sender was a
/// member (the read a send starts with) is refused once the member is gone, whatever the order
/// of the read and the removal.
#[tokio::test]
async fn a_send_that_read_its_membership_before_a_removal_stores_nothing() {
    let api = Api::new();
    let app = app().await;
    let owner = api_user(&app, "eds").await;
    let member = api_user(&app, "eds").await;
    let chat = api.create_chat(&owner, &[&member]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let conversation = Conversation::chat(&ChatId::trusted(chat_id));
    let ulid = ulid::Ulid::generate();
    let mut message = Message {
        id: message_id(&ulid.to_string(), &conversation.id()),
        conversation_id: conversation.id(),
        sender_id: member.id.clone(),
        recipient_id: None,
        chat_id: Some(chat_id.to_owned()),
        content: "read as a member, written as a stranger".into(),
        message_type: MessageType::Text,
        reply_to_id: None,
        reactions: Default::default(),
        read_by: Vec::new(),
        created_at: chat_core::time::format_rfc3339(ulid.datetime()),
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
    api.delete(
        &format!("/chats/{chat_id}/members/{}", member.id),
        &owner.token,
    )
    .await
    .expect(200);

    for key in [None, Some("with-a-key")] {
        let stored = app
            .store
            .put_message(&mut message, key, None, None)
            .await
            .expect("write");
        assert_eq!(stored, PutMessage::NotMember, "key {key:?}");
    }
    let history = api
        .get(&format!("/messages/chat/{chat_id}"), &owner.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([]));
}
