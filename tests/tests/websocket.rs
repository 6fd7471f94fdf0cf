//! The WebSocket API end to end: real sockets through the local gateway, real pushes through its
//! Management API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chat_lambda::domain::presence::lease_expiry;
use e2e::direct::planted_connection;
use e2e::ws::{Socket, refused_status};
use e2e::{Api, TestUser, unique};
use reqwest::Method;
use serde_json::{Value, json};

async fn direct(api: &Api, from: &TestUser, to: &TestUser, content: &str) -> Value {
    api.post(
        "/messages/",
        Some(&from.token),
        json!({"recipient_id": to.id, "content": content}),
    )
    .await
    .expect(201)
    .clone()
}

fn is_message(id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |e| e["data"]["id"] == id
}

#[tokio::test]
async fn handshakes_without_a_valid_token_are_refused_with_401() {
    assert_eq!(refused_status("").await, Some(401));
    assert_eq!(refused_status("?token=").await, Some(401));
    assert_eq!(refused_status("?token=not.a.jwt").await, Some(401));
    let api = Api::new();
    let gone = api.user("wsgone").await;
    api.delete("/users/me", &gone.token).await.expect(204);
    assert_eq!(
        refused_status(&format!("?token={}", gone.token)).await,
        Some(401)
    );
}

#[tokio::test]
async fn a_rest_message_reaches_every_socket_of_both_participants() {
    let api = Api::new();
    let a = api.user("wsA").await;
    let b = api.user("wsB").await;
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    let mut b2 = Socket::connect(&b.token).await;

    let message = direct(&api, &a, &b, "hello over REST").await;
    let id = message["id"].as_str().unwrap();
    for socket in [&mut a1, &mut b1, &mut b2] {
        let event = socket.expect_where("message.created", is_message(id)).await;
        assert_eq!(event["data"], message, "the whole message object");
        assert!(event["ts"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test]
async fn send_message_frames_are_stored_like_rest_and_acknowledged() {
    let api = Api::new();
    let a = api.user("wsSa").await;
    let b = api.user("wsSb").await;
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    let client_id = unique("cmid");
    a1.send(json!({"action": "sendMessage", "recipient_id": b.id, "content": "hi via socket", "client_message_id": client_id}))
        .await;
    let sent = a1.expect("message.sent").await;
    assert_eq!(sent["data"]["client_message_id"], client_id.as_str());
    let id = sent["data"]["id"].as_str().unwrap().to_owned();
    let created = b1.expect_where("message.created", is_message(&id)).await;
    assert_eq!(created["data"]["content"], "hi via socket");
    // Stored exactly as POST /messages/ stores it: the same idempotency key gives it back.
    let again = api
        .post(
            "/messages/",
            Some(&a.token),
            json!({"recipient_id": b.id, "content": "hi via socket", "client_message_id": client_id}),
        )
        .await;
    assert_eq!(again.expect(200)["id"], id.as_str());
    let stored = api.get(&format!("/messages/{id}"), &b.token).await;
    assert_eq!(stored.expect(200)["sender_id"], a.id.as_str());
}

#[tokio::test]
async fn edits_deletes_reactions_and_reads_arrive_as_events() {
    let api = Api::new();
    let a = api.user("wsEa").await;
    let b = api.user("wsEb").await;
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    let message = direct(&api, &a, &b, "original").await;
    let id = message["id"].as_str().unwrap().to_owned();
    b1.expect_where("message.created", is_message(&id)).await;

    api.put(
        &format!("/messages/{id}"),
        &a.token,
        json!({"content": "edited"}),
    )
    .await
    .expect(200);
    let updated = b1.expect_where("message.updated", is_message(&id)).await;
    assert_eq!(updated["data"]["content"], "edited");

    api.post(
        &format!("/messages/{id}/reactions"),
        Some(&b.token),
        json!({"emoji": "👍"}),
    )
    .await
    .expect(200);
    let added = a1.expect("reaction.added").await;
    assert_eq!(added["data"]["message_id"], id.as_str());
    assert_eq!(added["data"]["emoji"], "👍");
    assert_eq!(added["data"]["message"]["reactions"]["👍"], json!([b.id]));

    api.call(
        Method::DELETE,
        &format!("/messages/{id}/reactions?emoji=%F0%9F%91%8D"),
        Some(&b.token),
        None,
    )
    .await
    .expect(200);
    let removed = a1.expect("reaction.removed").await;
    assert_eq!(removed["data"]["message"]["reactions"], json!({}));

    b1.send(json!({"action": "markRead", "message_id": id}))
        .await;
    let read = a1.expect("message.read").await;
    assert_eq!(read["data"]["user_id"], b.id.as_str());
    assert!(
        read["data"]["message"]["read_by"]
            .as_array()
            .unwrap()
            .contains(&json!(b.id))
    );

    api.delete(&format!("/messages/{id}"), &a.token).await;
    let deleted = b1.expect_where("message.deleted", is_message(&id)).await;
    assert_eq!(deleted["data"]["deleted"], true);
    assert_eq!(deleted["data"]["content"], "");
}

#[tokio::test]
async fn typing_is_relayed_and_never_stored() {
    let api = Api::new();
    let a = api.user("wsTa").await;
    let b = api.user("wsTb").await;
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    a1.send(json!({"action": "typing", "recipient_id": b.id, "is_typing": true}))
        .await;
    let typing = b1.expect("typing").await;
    assert_eq!(typing["data"]["user_id"], a.id.as_str());
    assert_eq!(typing["data"]["is_typing"], true);
    let history = api
        .get(&format!("/messages/conversation/{}", a.id), &b.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([]));
}

#[tokio::test]
async fn ping_pong_and_bad_frames_keep_the_connection_open() {
    let api = Api::new();
    let a = api.user("wsP").await;
    let mut socket = Socket::connect(&a.token).await;
    socket.send(json!({"action": "ping"})).await;
    socket.expect("pong").await;
    socket.send(json!({"action": "dance"})).await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "validation_error");
    socket.send_text("this is not json").await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "bad_request");
    socket
        .send(json!({"action": "sendMessage", "content": "nobody"}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "validation_error");
    socket.send(json!({"action": "ping"})).await;
    socket.expect("pong").await;
}

fn presence_of(user: &TestUser) -> impl Fn(&Value) -> bool + '_ {
    move |e| e["type"] == "presence" && e["data"]["user_id"] == user.id.as_str()
}

fn presence_is<'a>(user: &'a TestUser, status: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |e| presence_of(user)(e) && e["data"]["status"] == status
}

/// Waits until `user` has `open` connection records: every `$disconnect` of the sockets closed
/// so far has forgotten its connection (`$disconnect` runs after the socket closed, as on AWS).
async fn records_settle(app: &chat_lambda::App, user: &TestUser, open: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let records = app.store.user_connections(&user.id).await.unwrap();
        if records.len() == open {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} connection records stayed, expected {open}",
            records.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn presence_follows_the_first_and_last_connection() {
    use chat_lambda::App;

    let api = Api::new();
    let a = api.user("wsPa").await;
    let b = api.user("wsPb").await;
    let app = App::from_env_with_s3().await.unwrap();
    direct(&api, &a, &b, "we are contacts now").await;
    let mut watcher = Socket::connect(&a.token).await;

    let b1 = Socket::connect(&b.token).await;
    watcher
        .checkpoint(presence_is(&b, "online"), presence_of(&b))
        .await;
    let b2 = Socket::connect(&b.token).await;
    b1.close().await;
    records_settle(&app, &b, 1).await;
    // Checkpoint: b, still connected through b2, says it is away. Nothing else about b (an
    // offline for b1, a second online for b2) may come before.
    api.patch("/users/me/status", &b.token, json!({"status": "away"}))
        .await
        .expect(200);
    watcher
        .checkpoint(presence_is(&b, "away"), presence_of(&b))
        .await;
    let closing = tokio::time::Instant::now();
    b2.close().await;
    let (offline, at) = watcher
        .checkpoint(presence_is(&b, "offline"), presence_of(&b))
        .await;
    assert!(at >= closing, "offline came while b2 was still open");
    assert!(offline["data"]["last_seen_at"].is_string());
    // Checkpoint: nothing more about b follows its offline.
    let after = direct(&api, &b, &a, "sent while offline").await;
    watcher
        .checkpoint(
            |e| e["type"] == "message.created" && e["data"]["id"] == after["id"],
            presence_of(&b),
        )
        .await;
    let seen = api.get(&format!("/users/{}", b.id), &a.token).await;
    assert_eq!(seen.expect(200)["status"], "offline");
}

/// Closes `last`, b's last socket: that close, and only it, takes b offline, and the watcher
/// hears of it once, with nothing else about b before.
async fn last_close_goes_offline(watcher: &mut Socket, b: &TestUser, last: Socket) {
    let closing = tokio::time::Instant::now();
    last.close().await;
    let (_, at) = watcher
        .checkpoint(presence_is(b, "offline"), presence_of(b))
        .await;
    assert!(at >= closing, "offline came while a socket was still open");
}

#[tokio::test]
async fn concurrent_opens_and_closes_end_in_the_right_status() {
    use chat_lambda::App;

    let api = Api::new();
    let a = api.user("wsCa").await;
    let b = api.user("wsCb").await;
    let app = App::from_env_with_s3().await.unwrap();
    direct(&api, &a, &b, "we are contacts now").await;
    let mut watcher = Socket::connect(&a.token).await;
    let status = || async {
        api.get(&format!("/users/{}", b.id), &a.token)
            .await
            .expect(200)["status"]
            .clone()
    };
    for _round in 0..3 {
        let sockets = futures::future::join_all((0..6).map(|_| Socket::connect(&b.token))).await;
        // `$connect` completes before the handshake does: online at once, announced once.
        assert_eq!(status().await, "online");
        watcher
            .checkpoint(presence_is(&b, "online"), presence_of(&b))
            .await;
        let mut sockets = sockets.into_iter();
        let keep = sockets.next().unwrap();
        futures::future::join_all(sockets.map(Socket::close)).await;
        records_settle(&app, &b, 1).await;
        assert_eq!(status().await, "online", "one socket is still open");
        last_close_goes_offline(&mut watcher, &b, keep).await;
        assert_eq!(status().await, "offline");
        // Opening and closing at the same time: one stays open, so online it must end.
        let stay = Socket::connect(&b.token).await;
        watcher
            .checkpoint(presence_is(&b, "online"), presence_of(&b))
            .await;
        let (_, churn) = futures::join!(
            futures::future::join_all(
                (0..4).map(|_| async { Socket::connect(&b.token).await.close().await })
            ),
            Socket::connect(&b.token),
        );
        churn.close().await;
        records_settle(&app, &b, 1).await;
        assert_eq!(status().await, "online", "one socket is still open");
        last_close_goes_offline(&mut watcher, &b, stay).await;
        assert_eq!(status().await, "offline");
    }
}

#[tokio::test]
async fn a_dead_connection_is_forgotten_on_the_next_push_and_the_send_succeeds() {
    use chat_lambda::App;

    let api = Api::new();
    let a = api.user("wsDa").await;
    let b = api.user("wsDb").await;
    let app = App::from_env_with_s3().await.unwrap();
    // A connection API Gateway no longer has, as after a lost `$disconnect` an hour ago.
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    let stale = planted_connection(&app, &b, an_hour_ago, lease_expiry(&app)).await;
    assert!(
        app.store
            .user_connections(&b.id)
            .await
            .unwrap()
            .contains(&stale)
    );
    let mut live = Socket::connect(&b.token).await;

    let message = direct(&api, &a, &b, "to a dead socket").await;
    live.expect_where(
        "message.created",
        is_message(message["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        !app.store
            .user_connections(&b.id)
            .await
            .unwrap()
            .contains(&stale)
    );

    // A socket killed without a close frame: pushes keep succeeding, and its record goes.
    let killed = Socket::connect(&b.token).await;
    killed.kill().await;
    direct(&api, &a, &b, "after the kill").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.store.user_connections(&b.id).await.unwrap().len() > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the killed socket's record stayed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// API Gateway answers 410 for a connection until its `$connect` returns, while its record is
/// already written: such a young connection must survive a push, or every socket that opens
/// while others push (members of one chat coming online together) silently loses its record.
#[tokio::test]
async fn a_connection_still_in_its_connect_survives_a_410() {
    use chat_lambda::App;

    let api = Api::new();
    let a = api.user("wsYa").await;
    let b = api.user("wsYb").await;
    let app = App::from_env_with_s3().await.unwrap();
    let connecting =
        planted_connection(&app, &b, std::time::SystemTime::now(), lease_expiry(&app)).await;
    let mut live = Socket::connect(&b.token).await;

    let message = direct(&api, &a, &b, "while b connects").await;
    live.expect_where(
        "message.created",
        is_message(message["id"].as_str().unwrap()),
    )
    .await;
    let records = app.store.user_connections(&b.id).await.unwrap();
    assert!(records.contains(&connecting), "{records:?}");
}

#[tokio::test]
async fn chat_members_connecting_together_all_receive_the_next_message() {
    const MEMBERS: usize = 24;
    let api = Api::new();
    let members = api.users("wsTogether", MEMBERS).await;
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let chat_id = chat["id"].as_str().unwrap();
    // Each connect pushes presence to the members already online, some still mid-handshake.
    let mut sockets: Vec<Socket> =
        futures::future::join_all(members.iter().map(|m| Socket::connect(&m.token))).await;

    let message = api.send_to_chat(&members[0], chat_id, "all here?").await;
    let id = message["id"].as_str().unwrap();
    futures::future::join_all(
        sockets
            .iter_mut()
            .map(|s| s.expect_where("message.created", is_message(id))),
    )
    .await;
}

#[tokio::test]
async fn deleting_an_account_closes_its_sockets() {
    let api = Api::new();
    let u = api.user("wsDel").await;
    let mut socket = Socket::connect(&u.token).await;
    socket.send(json!({"action": "ping"})).await;
    socket.expect("pong").await;
    api.delete("/users/me", &u.token).await.expect(204);
    assert!(socket.closed_within(Duration::from_secs(10)).await);
}

/// The AWS CLI speaks the real Management API protocol; against the local stack it reaches a
/// live socket, reads the connection and closes it.
#[tokio::test]
async fn the_aws_cli_manages_a_live_local_connection() {
    use chat_lambda::App;

    let api = Api::new();
    let u = api.user("wsCli").await;
    let mut socket = Socket::connect(&u.token).await;
    let app = App::from_env_with_s3().await.unwrap();
    let id = app
        .store
        .user_connections(&u.id)
        .await
        .unwrap()
        .pop()
        .expect("the connection is recorded");
    let endpoint = format!("{}/ws", e2e::api_url());
    let aws = |args: &[&str]| {
        let out = std::process::Command::new("aws")
            .args(["apigatewaymanagementapi", "--endpoint-url", &endpoint])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .expect("the AWS CLI (awscli from PyPI) is installed");
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    aws(&[
        "post-to-connection",
        "--connection-id",
        &id,
        "--data",
        r#"{"type":"from-cli"}"#,
    ]);
    socket.expect("from-cli").await;
    let info: Value =
        serde_json::from_str(&aws(&["get-connection", "--connection-id", &id])).unwrap();
    assert!(info["ConnectedAt"].is_string(), "{info:#}");
    assert!(info["Identity"]["SourceIp"].is_string(), "{info:#}");
    aws(&["delete-connection", "--connection-id", &id]);
    assert!(socket.closed_within(Duration::from_secs(10)).await);
}
