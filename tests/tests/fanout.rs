//! Every socket of every participant gets every event: created, updated, deleted, reaction and
//! read events reach all the connections of each participant, the actor's other devices
//! included, in a direct conversation and in a chat, over real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser};
use futures::future::join_all;
use serde_json::{Value, json};

/// Two sockets for each of `users`.
async fn devices(users: &[&TestUser]) -> Vec<Socket> {
    let mut sockets = Vec::new();
    for u in users {
        for _ in 0..2 {
            sockets.push(Socket::connect(&u.token).await);
        }
    }
    sockets
}

/// Every socket receives the `event_type` event about message `id`; the events, in order.
async fn everyone_gets(sockets: &mut [Socket], event_type: &str, id: &str) -> Vec<Value> {
    join_all(
        sockets
            .iter_mut()
            .map(|s| s.checkpoint(about(event_type, id), |_| false)),
    )
    .await
    .into_iter()
    .map(|(event, _)| event)
    .collect()
}

/// `actor` sends, edits, reacts, reads and deletes through `send`; `reader` reacts and reads.
async fn every_event_reaches_every_socket(
    api: &Api,
    sockets: &mut [Socket],
    message: Value,
    actor: &TestUser,
    reader: &TestUser,
) {
    let id = message["id"].as_str().unwrap().to_owned();
    for event in everyone_gets(sockets, "message.created", &id).await {
        assert_eq!(event["data"], message, "the whole message");
    }

    api.put(
        &format!("/messages/{id}"),
        &actor.token,
        json!({"content": "edited"}),
    )
    .await
    .expect(200);
    for event in everyone_gets(sockets, "message.updated", &id).await {
        assert_eq!(event["data"]["content"], "edited");
    }

    api.react(reader, &id, "🎉").await;
    for event in everyone_gets(sockets, "reaction.added", &id).await {
        assert_eq!(
            event["data"]["message"]["reactions"]["🎉"],
            json!([reader.id])
        );
    }
    api.unreact(reader, &id, "🎉").await;
    for event in everyone_gets(sockets, "reaction.removed", &id).await {
        assert_eq!(event["data"]["message"]["reactions"], json!({}));
    }

    api.mark_read(reader, &id).await;
    for event in everyone_gets(sockets, "message.read", &id).await {
        assert_eq!(event["data"]["user_id"], reader.id.as_str());
    }

    api.delete(&format!("/messages/{id}"), &actor.token)
        .await
        .expect(204);
    for event in everyone_gets(sockets, "message.deleted", &id).await {
        assert_eq!(event["data"]["deleted"], true);
    }
}

#[tokio::test]
async fn a_direct_conversations_events_reach_every_socket_of_both() {
    let api = Api::new();
    let app = app().await;
    let (a, b) = (api_user(&app, "foA").await, api_user(&app, "foB").await);
    let mut sockets = devices(&[&a, &b]).await;
    let message = api.send_direct(&a, &b, "to all your devices").await;
    every_event_reaches_every_socket(&api, &mut sockets, message, &a, &b).await;
}

#[tokio::test]
async fn a_chats_events_reach_every_socket_of_every_member() {
    let api = Api::new();
    let app = app().await;
    let members = join_all((0..4).map(|_| api_user(&app, "foChat"))).await;
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let all: Vec<&TestUser> = members.iter().collect();
    let mut sockets = devices(&all).await;
    let message = api
        .send_to_chat(&members[1], chat["id"].as_str().unwrap(), "to every member")
        .await;
    every_event_reaches_every_socket(&api, &mut sockets, message, &members[1], &members[2]).await;
}

/// A read through the WebSocket `markRead` action reaches every socket too, the reader's own
/// other device included.
#[tokio::test]
async fn a_read_over_the_socket_reaches_every_socket() {
    let api = Api::new();
    let app = app().await;
    let (a, b) = (api_user(&app, "foRa").await, api_user(&app, "foRb").await);
    let mut sockets = devices(&[&a, &b]).await;
    let message = api.send_direct(&a, &b, "read me").await;
    let id = message["id"].as_str().unwrap().to_owned();
    everyone_gets(&mut sockets, "message.created", &id).await;
    // b's first socket (index 2) reads; b's second socket and both of a's must hear of it.
    sockets[2]
        .send(json!({"action": "markRead", "message_id": id}))
        .await;
    for event in everyone_gets(&mut sockets, "message.read", &id).await {
        assert_eq!(event["data"]["user_id"], b.id.as_str());
    }
}
