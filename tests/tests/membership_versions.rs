//! A chat's membership version (docs/data-model.md, "Sequence numbers, read positions, unread
//! counts"): every membership change adds one to it on the chat's meta item and on its
//! conversation's item, in the change's transaction; each message change records the version
//! it was stored at; and a delivery reads a chat's members once per version.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::events::Audience;
use e2e::Api;
use e2e::direct::{app, dynamodb, take_out_of_member_set};
use serde_json::json;

fn table(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} (run under infra/test.sh)"))
}

async fn item(table_var: &str, key: &[(&str, &str)]) -> HashMap<String, AttributeValue> {
    dynamodb()
        .await
        .get_item()
        .table_name(table(table_var))
        .set_key(Some(
            key.iter()
                .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
                .collect(),
        ))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_default()
}

fn version(item: &HashMap<String, AttributeValue>) -> Option<u64> {
    item.get("members_version")
        .map(|v| v.as_n().unwrap().parse().unwrap())
}

/// The versions on the chat's meta item and on its conversation's item.
async fn versions(chat_id: &str) -> (Option<u64>, Option<u64>) {
    let meta = item(
        "CHATS_TABLE",
        &[("pk", &format!("CHAT#{chat_id}")), ("sk", "META")],
    )
    .await;
    let conversation = item(
        "CONVERSATIONS_TABLE",
        &[("conversation_id", &format!("c.{chat_id}"))],
    )
    .await;
    (version(&meta), version(&conversation))
}

/// The version the message item `id` (`<ulid>.<conversation>`) records.
async fn message_version(id: &str) -> Option<u64> {
    let (ulid, conversation_id) = id.split_once('.').unwrap();
    let stored = item(
        "MESSAGES_TABLE",
        &[("conversation_id", conversation_id), ("message_id", ulid)],
    )
    .await;
    version(&stored)
}

#[tokio::test]
async fn each_membership_change_steps_the_version_of_the_chat_and_of_its_messages() {
    let api = Api::new();
    let users = api.users("mv", 3).await;
    let (owner, member, newcomer) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(owner, &[member]).await;
    let chat_id = chat["id"].as_str().unwrap();
    assert_eq!(
        versions(chat_id).await,
        (None, None),
        "a new chat: no change yet"
    );

    let first = api
        .send_to_chat(owner, chat_id, "before anyone joined")
        .await;
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(message_version(first_id).await, Some(0));

    let path = format!("/chats/{chat_id}/members");
    api.post(&path, Some(&owner.token), json!({"user_id": newcomer.id}))
        .await
        .expect(200);
    assert_eq!(versions(chat_id).await, (Some(1), Some(1)));
    let second = api.send_to_chat(newcomer, chat_id, "joined").await;
    assert_eq!(
        message_version(second["id"].as_str().unwrap()).await,
        Some(1)
    );

    api.delete(&format!("{path}/{}", member.id), &owner.token)
        .await
        .expect(200);
    assert_eq!(versions(chat_id).await, (Some(2), Some(2)));
    // A change to an older message records the version it was stored at, not the message's.
    api.react(newcomer, first_id, "👍").await;
    assert_eq!(message_version(first_id).await, Some(2));
}

#[tokio::test]
async fn a_direct_message_records_no_membership_version() {
    let api = Api::new();
    let users = api.users("mvd", 2).await;
    let message = api.send_direct(&users[0], &users[1], "no chat").await;
    assert_eq!(message_version(message["id"].as_str().unwrap()).await, None);
}

/// The delivery's audience of a chat at a version: read once, then remembered for that
/// version; any other version (or none) is read again.
#[tokio::test]
async fn a_chats_members_are_read_once_per_version() {
    let api = Api::new();
    let users = api.users("mvr", 3).await;
    let (owner, bob, cy) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(owner, &[bob, cy]).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let app = app().await;
    let delivery = app.delivery().unwrap();
    let at = |members_version| Audience::Chat {
        chat_id: chat_id.clone(),
        except: None,
        members_version,
    };
    let mut everyone = vec![owner.id.clone(), bob.id.clone(), cy.id.clone()];
    everyone.sort();
    let sorted = |mut users: Vec<String>| {
        users.sort();
        users
    };
    assert_eq!(
        sorted(delivery.resolve(at(Some(0))).await.unwrap()),
        everyone
    );

    // Bob leaves the member set behind the service's back, the version unchanged: only a
    // fresh read sees it.
    take_out_of_member_set(&chat_id, &bob.id).await;
    assert_eq!(
        sorted(delivery.resolve(at(Some(0))).await.unwrap()),
        everyone,
        "the members of version 0, remembered"
    );
    let without_bob = sorted(vec![owner.id.clone(), cy.id.clone()]);
    assert_eq!(
        sorted(delivery.resolve(at(None)).await.unwrap()),
        without_bob,
        "no version: read now"
    );
    assert_eq!(
        sorted(delivery.resolve(at(Some(1))).await.unwrap()),
        without_bob,
        "another version: read now"
    );
    // Another instance remembers nothing.
    let fresh = e2e::direct::app().await;
    assert_eq!(
        sorted(
            fresh
                .delivery()
                .unwrap()
                .resolve(at(Some(0)))
                .await
                .unwrap()
        ),
        without_bob
    );
}
