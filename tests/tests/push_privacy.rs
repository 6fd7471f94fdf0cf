//! Privacy of pushes: an outsider, a non-contact and a member removed from a chat each keep a
//! socket open while every kind of event happens around them (`message.*`, reactions, reads,
//! `typing`, `presence`); none reaches them. Each is proven by a checkpoint: a message sent to
//! that socket's user after all the events, which must be the first thing it receives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::Api;
use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn outsiders_non_contacts_and_removed_members_receive_nothing() {
    let api = Api::new();
    let app = app().await;
    let user = |p: &'static str| api_user(&app, p);
    let (a, b, c) = (user("pvA").await, user("pvB").await, user("pvC").await);
    let outsider = user("pvOut").await;
    let non_contact = user("pvNon").await;
    let removed = user("pvRm").await;
    let pinger = user("pvPing").await;
    // The non-contact knows b (so it is a contact of someone), never a nor the chat.
    api.send_direct(&non_contact, &b, "I know b only").await;
    let chat = api.create_chat(&a, &[&b, &c, &removed]).await;
    let chat_id = id(&chat);
    api.send_to_chat(&removed, &chat_id, "before I leave").await;
    api.delete(
        &format!("/chats/{chat_id}/members/{}", removed.id),
        &a.token,
    )
    .await
    .expect(200);

    // Participants first, so their own presence changes happen before the watchers listen.
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    let mut c1 = Socket::connect(&c.token).await;
    // A chat member hears a member's presence once it subscribes (issue 13).
    c1.subscribe_presence(&[&a.id]).await;
    let mut watchers = Vec::new();
    for w in [&outsider, &non_contact, &removed] {
        watchers.push((w, Socket::connect(&w.token).await));
    }

    // Every kind of event, in the direct conversation a-b and in the chat.
    let dm = api.send_direct(&a, &b, "private").await;
    let cm = api.send_to_chat(&a, &chat_id, "members only").await;
    for m in [&dm, &cm] {
        let mid = id(m);
        api.put(
            &format!("/messages/{mid}"),
            &a.token,
            json!({"content": "edited"}),
        )
        .await
        .expect(200);
        let reactor = if m == &dm { &b } else { &c };
        api.react(reactor, &mid, "👍").await;
        api.unreact(reactor, &mid, "👍").await;
        api.mark_read(reactor, &mid).await;
    }
    b1.send(json!({"action": "markRead", "message_id": id(&dm)}))
        .await;
    a1.send(json!({"action": "typing", "recipient_id": b.id, "is_typing": true}))
        .await;
    a1.send(json!({"action": "typing", "chat_id": chat_id, "is_typing": true}))
        .await;
    // The participants got the typing events: the frames were relayed, not dropped.
    b1.expect_where("typing", |e| e["data"]["user_id"] == a.id.as_str())
        .await;
    c1.expect_where("typing", |e| e["data"]["user_id"] == a.id.as_str())
        .await;
    api.patch("/users/me/status", &a.token, json!({"status": "busy"}))
        .await
        .expect(200);
    c1.expect_where("presence", |e| e["data"]["user_id"] == a.id.as_str())
        .await;
    let a2 = Socket::connect(&a.token).await;
    a2.close().await;
    for m in [&dm, &cm] {
        api.delete(&format!("/messages/{}", id(m)), &a.token)
            .await
            .expect(204);
    }
    c1.expect_where("message.deleted", |e| e["data"]["id"] == id(&cm).as_str())
        .await;
    b1.expect_where("message.deleted", |e| e["data"]["id"] == id(&dm).as_str())
        .await;

    for (watcher, socket) in &mut watchers {
        let checkpoint = api.send_direct(&pinger, watcher, "checkpoint").await;
        let cid = id(&checkpoint);
        socket
            .checkpoint(|e| about("message.created", &cid)(e), |_| true)
            .await;
    }
}
