//! Every function that pushes closes a connection it finds gone (410), with what follows: the
//! record, its presence subscriptions and its user's count go, and the user's contacts hear
//! `offline` when it was the last connection. One test per function, each through the door
//! that function serves: REST and WebSocket sends, a status change, a connect, a disconnect, a
//! lease the sweeper ends, and a large chat's message (with a file) that the delivery function
//! pushes from the stream.
//!
//! Besides the behaviour, these runs are how the grants check (`infra/scripts/check-grants.py`)
//! sees each pushing function's clean-up calls: a path no test takes is a grant it cannot hold
//! to a call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chat_lambda::App;
use e2e::direct::{api_user, app};
use e2e::files::{png, uploaded};
use e2e::ws::{Socket, crash};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

/// `gone`'s only connection, found gone by the next push, subscribed to `watched`'s presence.
async fn gone_connection(app: &App, gone: &TestUser, watched: &TestUser) -> String {
    e2e::direct::gone_connection(app, gone, std::slice::from_ref(&watched.id)).await
}

/// Waits until the function closed `connection_id` (its record gone).
async fn until_closed(app: &App, connection_id: &str, by: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app
        .store
        .connection_record(connection_id)
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{by} left the gone connection {connection_id}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two contacts (a direct message between them) and the functions' app.
async fn contacts(prefix: &str) -> (Api, std::sync::Arc<App>, TestUser, TestUser) {
    let app = app().await;
    let (a_name, b_name) = (format!("{prefix}A"), format!("{prefix}B"));
    let (a, b) = futures::join!(api_user(&app, &a_name), api_user(&app, &b_name));
    let api = Api::new();
    api.send_direct(&a, &b, "we are contacts now").await;
    (api, app, a, b)
}

fn offline(user: &TestUser) -> impl Fn(&Value) -> bool + '_ {
    move |e| e["data"]["user_id"] == user.id.as_str() && e["data"]["status"] == "offline"
}

#[tokio::test]
async fn a_rest_send_closes_the_recipients_gone_connection() {
    let (api, app, a, b) = contacts("gcm").await;
    let mut watcher = Socket::connect(&a.token).await;
    let gone = gone_connection(&app, &b, &a).await;
    api.send_direct(&a, &b, "anyone there?").await;
    until_closed(&app, &gone, "the messages function").await;
    watcher.expect_where("presence", offline(&b)).await;
}

#[tokio::test]
async fn a_websocket_send_closes_the_recipients_gone_connection() {
    let (_, app, a, b) = contacts("gcs").await;
    let mut socket = Socket::connect(&a.token).await;
    let gone = gone_connection(&app, &b, &a).await;
    socket
        .send(json!({"action": "sendMessage", "recipient_id": b.id, "content": "there?"}))
        .await;
    until_closed(&app, &gone, "the ws-send function").await;
    socket.expect_where("presence", offline(&b)).await;
}

#[tokio::test]
async fn a_status_change_closes_a_contacts_gone_connection() {
    let (api, app, a, b) = contacts("gcu").await;
    let _online = Socket::connect(&a.token).await;
    let gone = gone_connection(&app, &b, &a).await;
    api.patch("/users/me/status", &a.token, json!({"status": "away"}))
        .await
        .expect(200);
    until_closed(&app, &gone, "the users function").await;
}

#[tokio::test]
async fn a_connect_closes_a_contacts_gone_connection() {
    let (_, app, a, b) = contacts("gcc").await;
    let gone = gone_connection(&app, &b, &a).await;
    let _online = Socket::connect(&a.token).await;
    until_closed(&app, &gone, "the ws-connect function").await;
}

#[tokio::test]
async fn a_disconnect_closes_a_contacts_gone_connection() {
    let (_, app, a, b) = contacts("gcd").await;
    let socket = Socket::connect(&a.token).await;
    // Connected first: the connect's own presence push must not be the one that finds it.
    let gone = gone_connection(&app, &b, &a).await;
    socket.close().await;
    until_closed(&app, &gone, "the ws-disconnect function").await;
}

#[tokio::test]
async fn a_sweep_closes_a_contacts_gone_connection() {
    let (_, app, a, b) = contacts("gcw").await;
    let socket = Socket::connect_silent(&a.token).await;
    let record = app.store.sockets_of_user(&a.id).await.unwrap();
    let gone = gone_connection(&app, &b, &a).await;
    // A crash: no `$disconnect`, no pings; the sweeper ends a's lease and announces it.
    crash(&record[0].connection_id).await;
    drop(socket);
    let lease = std::env::var("CONNECTION_LEASE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(180u64);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(lease + 40);
    while app.store.connection_record(&gone).await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the ws-sweep function left the gone connection {gone}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_large_chats_message_closes_a_members_gone_connection() {
    let app = app().await;
    let api = Api::new();
    // More members than a request pushes itself: the delivery function pushes from the stream.
    let mut members = Vec::new();
    for _ in 0..18 {
        members.push(api_user(&app, "gcl").await);
    }
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let chat_id = chat["id"].as_str().unwrap();
    let (owner, gone_member) = (&members[0], &members[1]);
    let mut listener = Socket::connect(&members[2].token).await;
    let gone = gone_connection(&app, gone_member, owner).await;

    let file = uploaded(&api, owner, "room.png", "image/png", &png(256)).await;
    let sent = api
        .post(
            "/messages",
            Some(&owner.token),
            json!({"chat_id": chat_id, "content": "", "message_type": "image",
                "attachment_ids": [file]}),
        )
        .await;
    let id = sent.expect(201)["id"].as_str().unwrap().to_owned();
    let event = listener
        .expect_where("message.created", |e| e["data"]["id"] == id.as_str())
        .await;
    assert!(
        event["data"]["attachments"][0]["download_url"].is_string(),
        "the delivery function signs download URLs: {event}"
    );
    until_closed(&app, &gone, "the delivery function").await;
}
