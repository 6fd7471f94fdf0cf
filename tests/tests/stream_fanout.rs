//! Chats larger than the inline threshold hear of their changes from the delivery function,
//! which the messages table's DynamoDB stream triggers (the local gateway runs the template's
//! event source mapping): every change reaches every member's socket, in order, with its
//! number, though the request that made it answered without pushing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chat_shared::domain::messages::INLINE_FANOUT_MAX_MEMBERS;
use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser};
use futures::future::join_all;
use serde_json::{Value, json};

/// Every socket receives the `event_type` event about message `id`.
async fn everyone_gets(sockets: &mut [Socket], event_type: &str, id: &str) -> Vec<Value> {
    join_all(
        sockets
            .iter_mut()
            .map(|s| s.expect_where(event_type, about(event_type, id))),
    )
    .await
}

fn number(event: &Value) -> u64 {
    let data = &event["data"];
    data["seq"]
        .as_u64()
        .filter(|_| !data["updated_seq"].is_u64() || event["type"] == "message.created")
        .or_else(|| data["updated_seq"].as_u64())
        .unwrap()
}

#[tokio::test]
async fn a_large_chat_hears_every_change_through_the_stream() {
    let api = Api::new();
    let app = app().await;
    let size = usize::try_from(INLINE_FANOUT_MAX_MEMBERS).unwrap() + 4;
    let mut members: Vec<TestUser> = Vec::new();
    for _ in 0..size {
        members.push(api_user(&app, "sfo").await);
    }
    let owner = &members[0];
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(owner, &others).await;
    let chat_id = chat["id"].as_str().unwrap();
    let mut sockets = Vec::new();
    for m in &members {
        sockets.push(Socket::connect(&m.token).await);
    }

    let sent = api.send_to_chat(owner, chat_id, "to everyone").await;
    let id = sent["id"].as_str().unwrap().to_owned();
    for event in everyone_gets(&mut sockets, "message.created", &id).await {
        assert_eq!(
            event["data"], sent,
            "the whole message, as the sender got it"
        );
    }

    let reader = &members[5];
    api.put(
        &format!("/messages/{id}"),
        &owner.token,
        json!({"content": "edited"}),
    )
    .await
    .expect(200);
    api.react(reader, &id, "🎉").await;
    api.mark_read(reader, &id).await;
    api.delete(&format!("/messages/{id}"), &owner.token)
        .await
        .expect(204);
    let first = sent["seq"].as_u64().unwrap();
    for (offset, event_type) in [
        "message.updated",
        "reaction.added",
        "message.read",
        "message.deleted",
    ]
    .into_iter()
    .enumerate()
    {
        for event in everyone_gets(&mut sockets, event_type, &id).await {
            assert_eq!(number(&event), first + 1 + offset as u64, "{event_type}");
            if event_type != "message.updated" && event_type != "message.deleted" {
                assert_eq!(event["data"]["user_id"], reader.id.as_str());
            }
        }
    }
}
