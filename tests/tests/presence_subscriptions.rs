//! Presence without storms (issue 13, part 3), over real sockets: `subscribePresence` replaces
//! a connection's subscriptions and answers with a snapshot; its cap and malformed lists are
//! `error` frames that change nothing; a closed or gone subscriber is forgotten; and members of
//! one chat coming online push no presence to each other unless they subscribed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chat_core::presence::subscriptions::MAX_PRESENCE_SUBSCRIPTIONS;
use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about, crash, hears_nothing_about, presence_now};
use e2e::{Api, TestUser, unique};
use serde_json::{Value, json};

/// Subscriptions a store read finds for `user` within a few seconds (the index is eventually
/// consistent): waits until there are `expected`.
async fn watchers_settle(app: &chat_lambda::App, user: &TestUser, expected: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = app.store.watchers_of(&user.id, 1000).await.unwrap();
        if found.len() == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} subscriptions to {} stayed, expected {expected}: {found:?}",
            found.len(),
            user.id
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn set_status(api: &Api, user: &TestUser, status: &str) {
    api.patch("/users/me/status", &user.token, json!({"status": status}))
        .await
        .expect(200);
}

async fn error_frame(socket: &mut Socket, frame: Value) -> Value {
    socket.send(frame).await;
    socket.expect("error").await["data"].clone()
}

#[tokio::test]
async fn the_cap_and_malformed_lists_are_refused_and_change_nothing() {
    let app = app().await;
    let watched = api_user(&app, "psCapA").await;
    let watcher = api_user(&app, "psCapW").await;
    let mut socket = Socket::connect(&watcher.token).await;
    assert_eq!(socket.subscribe_presence(&[&watched.id]).await.len(), 1);

    let over: Vec<String> = (0..=MAX_PRESENCE_SUBSCRIPTIONS)
        .map(|i| unique(&format!("nobody{i}")))
        .collect();
    let refused = error_frame(
        &mut socket,
        json!({"action": "subscribePresence", "user_ids": over}),
    )
    .await;
    assert_eq!(refused["code"], "limit_exceeded", "{refused:#}");
    // The list's own checks name the field; serde's type errors in an action frame do not (the
    // action's fields are read through its tag, which loses the path), but are 422 as well.
    for (bad, field) in [
        (json!({"user_ids": [""]}), Some("user_ids")),
        (json!({"user_ids": ["x".repeat(65)]}), Some("user_ids")),
        (json!({"user_ids": "not a list"}), None),
        (json!({"user_ids": [42]}), None),
        (json!({}), None),
    ] {
        let mut frame = bad.clone();
        frame["action"] = "subscribePresence".into();
        let refused = error_frame(&mut socket, frame).await;
        assert_eq!(refused["code"], "validation_error", "{bad}: {refused:#}");
        if let Some(field) = field {
            assert_eq!(refused["field"], field, "{bad}: {refused:#}");
        }
    }

    // The first list still holds: the watched user's next change arrives.
    let _online = Socket::connect(&watched.token).await;
    socket
        .expect_where("presence", presence_now(&watched.id, "online"))
        .await;
    watchers_settle(&app, &watched, 1).await;
    // At the cap exactly it is accepted (repeats count once); unknown ids are left out.
    let mut at_cap: Vec<&str> = over[..MAX_PRESENCE_SUBSCRIPTIONS - 1]
        .iter()
        .map(String::as_str)
        .collect();
    at_cap.push(&watched.id);
    at_cap.push(&watched.id);
    let snapshot = socket.subscribe_presence(&at_cap).await;
    assert_eq!(
        snapshot,
        [json!({"user_id": watched.id, "status": "online", "last_seen_at": null})]
    );
}

#[tokio::test]
async fn resubscribing_replaces_the_list() {
    let api = Api::new();
    let app = app().await;
    let a = api_user(&app, "psRepA").await;
    let b = api_user(&app, "psRepB").await;
    let watcher = api_user(&app, "psRepW").await;
    let pinger = api_user(&app, "psRepP").await;
    let mut socket = Socket::connect(&watcher.token).await;

    let snapshot = socket.subscribe_presence(&[&b.id, &a.id]).await;
    let order: Vec<&Value> = snapshot.iter().map(|u| &u["user_id"]).collect();
    assert_eq!(order, [&json!(b.id), &json!(a.id)], "in the order asked");
    assert_eq!(socket.subscribe_presence(&[&b.id]).await.len(), 1);
    watchers_settle(&app, &a, 0).await;

    let _a_online = Socket::connect(&a.token).await;
    let _b_online = Socket::connect(&b.token).await;
    socket
        .expect_where("presence", presence_now(&b.id, "online"))
        .await;
    hears_nothing_about(&api, &pinger, &watcher, &mut socket, &a).await;

    // `[]` ends every subscription.
    assert!(socket.subscribe_presence(&[]).await.is_empty());
    watchers_settle(&app, &b, 0).await;
    set_status(&api, &b, "busy").await;
    hears_nothing_about(&api, &pinger, &watcher, &mut socket, &b).await;
}

#[tokio::test]
async fn a_closed_or_vanished_subscriber_is_forgotten() {
    let app = app().await;
    let watched = api_user(&app, "psGoneA").await;
    let closing = api_user(&app, "psGoneC").await;
    let crashing = api_user(&app, "psGoneK").await;
    let mut closing_socket = Socket::connect(&closing.token).await;
    let mut crashing_socket = Socket::connect_silent(&crashing.token).await;
    closing_socket.subscribe_presence(&[&watched.id]).await;
    crashing_socket.subscribe_presence(&[&watched.id]).await;
    watchers_settle(&app, &watched, 2).await;

    // `$disconnect` deletes the closed socket's subscriptions.
    closing_socket.close().await;
    watchers_settle(&app, &watched, 1).await;
    // A socket cut without `$disconnect`: the first push finds it gone (410) and drops its
    // subscription, though its record stays (younger than the 410 grace).
    let connections = app.store.user_connections(&crashing.id).await.unwrap();
    assert_eq!(connections.len(), 1);
    crash(&connections[0]).await;
    let _online = Socket::connect(&watched.token).await;
    watchers_settle(&app, &watched, 0).await;
    assert_eq!(
        app.store.user_connections(&crashing.id).await.unwrap(),
        connections,
        "the record is still there: the push, not a close or the sweeper, dropped the subscription"
    );
}

/// The `presence` events every socket received before the `checkpoint` message.
async fn presence_until(sockets: &mut [Socket], checkpoint: &Value) -> usize {
    let id = checkpoint["id"].as_str().unwrap();
    let mut total = 0;
    for socket in sockets {
        let (before, _) = socket.until(about("message.created", id)).await;
        total += before
            .iter()
            .filter(|(e, _)| e["type"] == "presence")
            .count();
    }
    total
}

/// Members of one chat come online one after another, then each subscribes to the first
/// `WATCHED` members, who then change their status. Counted on every socket up to a checkpoint
/// message: the old rule pushed n(n-1)/2 presence events for the first phase; now it is none,
/// and each change of the second reaches exactly its subscribers.
#[tokio::test]
async fn members_of_one_chat_coming_online_push_no_presence_to_each_other() {
    const MEMBERS: usize = 16;
    const WATCHED: usize = 4;
    let api = Api::new();
    let members = api.users("psStorm", MEMBERS).await;
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let mut sockets = Vec::new();
    for member in &members {
        sockets.push(Socket::connect(&member.token).await);
    }

    let checkpoint = api
        .send_to_chat(&members[0], &chat_id, "everyone here")
        .await;
    let coming_online = presence_until(&mut sockets, &checkpoint).await;
    println!(
        "{MEMBERS} members of one chat came online: {coming_online} presence pushes (the old rule: {})",
        MEMBERS * (MEMBERS - 1) / 2
    );
    assert_eq!(coming_online, 0);

    let watched: Vec<&str> = members[..WATCHED].iter().map(|m| m.id.as_str()).collect();
    for socket in &mut sockets {
        assert_eq!(socket.subscribe_presence(&watched).await.len(), WATCHED);
    }
    let app = app().await;
    for member in &members[..WATCHED] {
        watchers_settle(&app, member, MEMBERS).await;
    }
    for member in &members[..WATCHED] {
        set_status(&api, member, "busy").await;
    }
    let checkpoint = api.send_to_chat(&members[0], &chat_id, "status done").await;
    let changes = presence_until(&mut sockets, &checkpoint).await;
    println!(
        "{WATCHED} status changes watched by all {MEMBERS}: {changes} presence pushes (one per subscriber)"
    );
    assert_eq!(changes, WATCHED * MEMBERS);
}
