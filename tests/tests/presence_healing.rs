//! Presence that heals (issue 9, item 4): a connection whose `$disconnect` never runs still
//! ends, within the documented bound (lease + sweep period), as a real disconnect would; the
//! connection counter never goes below zero.
//!
//! The bound comes from the stack's `CONNECTION_LEASE_SECONDS` and `SCHEDULE_PERIOD_SECS`
//! (`infra/test.sh` sets a few seconds); sockets ping every `CHAT_WS_PING_SECS`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_lambda::App;
use e2e::ws::{Socket, crash};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

/// Lease plus sweep period, plus a margin a loaded two-core machine keeps.
fn healing_wait() -> Duration {
    env_secs("CONNECTION_LEASE_SECONDS", 180)
        + env_secs("SCHEDULE_PERIOD_SECS", 60)
        + Duration::from_secs(20)
}

/// Two users who are contacts (a direct message between them), and the app the functions run.
struct Pair {
    api: Api,
    app: App,
    a: TestUser,
    b: TestUser,
}

async fn pair(prefix: &str) -> Pair {
    let api = Api::new();
    let app = App::from_env_with_s3().await.unwrap();
    let a = api.user(&format!("{prefix}A")).await;
    let b = api.user(&format!("{prefix}B")).await;
    api.post(
        "/messages",
        Some(&a.token),
        json!({"recipient_id": b.id, "content": "we are contacts now"}),
    )
    .await
    .expect(201);
    Pair { api, app, a, b }
}

fn presence_of<'a>(user: &'a TestUser, status: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |e| e["data"]["user_id"] == user.id.as_str() && e["data"]["status"] == status
}

async fn the_only_connection(app: &App, user: &TestUser) -> String {
    let ids = app.store.user_connections(&user.id).await.unwrap();
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids.into_iter().next().unwrap()
}

async fn connection_count(app: &App, user: &TestUser) -> i64 {
    app.store
        .get_user(&user.id)
        .await
        .unwrap()
        .unwrap()
        .connection_count
}

async fn assert_forgotten(api: &Api, app: &App, watcher: &TestUser, user: &TestUser) {
    let seen = api
        .get(&format!("/users/{}", user.id), &watcher.token)
        .await;
    assert_eq!(seen.expect(200)["status"], "offline");
    assert_eq!(connection_count(app, user).await, 0);
    let recipients = app
        .store
        .connections_of(std::slice::from_ref(&user.id))
        .await
        .unwrap();
    assert!(recipients.is_empty(), "still a recipient: {recipients:?}");
    let records = app.store.user_connections(&user.id).await.unwrap();
    assert!(records.is_empty(), "records left: {records:?}");
}

#[tokio::test]
async fn a_connection_whose_disconnect_never_runs_goes_offline_within_the_bound() {
    let Pair { api, app, a, b } = pair("heal").await;
    let mut watcher = Socket::connect(&a.token).await;
    let _b_socket = Socket::connect(&b.token).await;
    watcher
        .expect_where("presence", presence_of(&b, "online"))
        .await;

    crash(&the_only_connection(&app, &b).await).await;
    let offline = watcher
        .expect_within("presence", presence_of(&b, "offline"), healing_wait())
        .await
        .0;
    assert!(offline["data"]["last_seen_at"].is_string());
    assert_forgotten(&api, &app, &a, &b).await;

    // The watcher pinged all along: its own connection outlived the lease and still hears.
    let message = api
        .post(
            "/messages",
            Some(&b.token),
            json!({"recipient_id": a.id, "content": "still there?"}),
        )
        .await
        .expect(201)
        .clone();
    watcher
        .expect_where("message.created", |e| e["data"]["id"] == message["id"])
        .await;
}

/// A client that stops sending frames (the socket alive, the app frozen) loses its lease: the
/// server closes the socket so that the client reconnects, and its user goes offline.
#[tokio::test]
async fn a_silent_socket_is_closed_and_its_user_goes_offline() {
    let Pair { api, app, a, b } = pair("quiet").await;
    let mut watcher = Socket::connect(&a.token).await;
    let mut silent = Socket::connect_silent(&b.token).await;
    watcher
        .expect_where("presence", presence_of(&b, "online"))
        .await;
    assert!(silent.closed_within(healing_wait()).await);
    watcher
        .expect_where("presence", presence_of(&b, "offline"))
        .await;
    assert_forgotten(&api, &app, &a, &b).await;
}

/// A `$connect` that stopped after writing the connection record (the old three-write
/// `$connect`, or a record left by any partial write) must not drive the counter below zero
/// when that connection is closed; the user's next connection then brings it online.
#[tokio::test]
async fn closing_a_connection_that_was_never_counted_keeps_the_count_at_zero() {
    let Pair { app, a, b, .. } = pair("half").await;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let half = format!("Half{}=", &b.id[b.id.len() - 11..]);
    dynamodb
        .put_item()
        .table_name(&app.config.tables.connections)
        .item("connection_id", AttributeValue::S(half.clone()))
        .item("user_id", AttributeValue::S(b.id.clone()))
        .item(
            "connected_at",
            AttributeValue::S(chat_core::time::now_rfc3339()),
        )
        .send()
        .await
        .unwrap();

    // What `$disconnect` runs.
    chat_lambda::domain::presence::disconnected(&app, &half)
        .await
        .unwrap();
    assert_eq!(connection_count(&app, &b).await, 0);

    let mut watcher = Socket::connect(&a.token).await;
    let b_socket = Socket::connect(&b.token).await;
    watcher
        .expect_where("presence", presence_of(&b, "online"))
        .await;
    assert_eq!(connection_count(&app, &b).await, 1);
    b_socket.close().await;
    watcher
        .expect_where("presence", presence_of(&b, "offline"))
        .await;
    assert_eq!(connection_count(&app, &b).await, 0);
}

/// A push that finds a user's last connection gone (410) closes it; its contacts then hear
/// `offline`, as from `$disconnect`.
#[tokio::test]
async fn a_push_that_finds_the_last_connection_gone_tells_the_contacts() {
    let Pair { api, app, a, b } = pair("gone").await;
    let mut watcher = Socket::connect(&a.token).await;
    e2e::direct::gone_connection(&app, &b, &[]).await;

    api.post(
        "/messages",
        Some(&a.token),
        json!({"recipient_id": b.id, "content": "anyone there?"}),
    )
    .await
    .expect(201);
    watcher
        .expect_where("presence", presence_of(&b, "offline"))
        .await;
    assert_forgotten(&api, &app, &a, &b).await;
}
