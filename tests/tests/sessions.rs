//! Sessions that end and sessions that last (issue 11): a password change ends every earlier
//! token and socket, refresh tokens rotate and a reused one ends its session, logout ends one
//! session, and a socket lives no longer than its token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::ws::{Socket, refused_status};
use e2e::{Api, TestUser, token_claims};
use reqwest::Method;
use serde_json::{Value, json};

/// How long a closing socket may take on a loaded machine.
const CLOSE_WAIT: Duration = Duration::from_secs(15);

async fn refresh(api: &Api, refresh_token: &str) -> e2e::Reply {
    api.post(
        "/users/refresh",
        None,
        json!({"refresh_token": refresh_token}),
    )
    .await
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_default().to_owned()
}

/// Every authenticated route of the contract, as (method, path, body).
fn every_authenticated_route(user: &TestUser) -> Vec<(Method, String, Option<Value>)> {
    let id = "01JDQ3Y6S1W8X5V9K2M4N7P0QR";
    vec![
        (Method::GET, "/users/me".into(), None),
        (Method::PUT, "/users/me".into(), Some(json!({"bio": "x"}))),
        (Method::DELETE, "/users/me".into(), None),
        (
            Method::PATCH,
            "/users/me/status".into(),
            Some(json!({"status": "busy"})),
        ),
        (Method::GET, "/users".into(), None),
        (Method::GET, "/users/search?q=a".into(), None),
        (Method::GET, format!("/users/{}", user.id), None),
        (Method::POST, "/users/logout".into(), None),
        (Method::POST, "/chats".into(), Some(json!({"name": "c"}))),
        (Method::GET, "/chats".into(), None),
        (Method::GET, format!("/chats/{id}"), None),
        (
            Method::POST,
            format!("/chats/{id}/members"),
            Some(json!({"user_id": user.id})),
        ),
        (
            Method::DELETE,
            format!("/chats/{id}/members/{}", user.id),
            None,
        ),
        (
            Method::POST,
            "/messages".into(),
            Some(json!({"recipient_id": id, "content": "hi"})),
        ),
        (Method::GET, "/messages/conversations".into(), None),
        (Method::GET, format!("/messages/conversation/{id}"), None),
        (Method::GET, format!("/messages/chat/{id}"), None),
        (Method::GET, format!("/messages/{id}"), None),
        (
            Method::PUT,
            format!("/messages/{id}"),
            Some(json!({"content": "x"})),
        ),
        (Method::DELETE, format!("/messages/{id}"), None),
        (
            Method::POST,
            format!("/messages/{id}/reactions"),
            Some(json!({"emoji": "👍"})),
        ),
        (
            Method::DELETE,
            format!("/messages/{id}/reactions?emoji=👍"),
            None,
        ),
        (Method::PATCH, format!("/messages/{id}/read"), None),
        (
            Method::POST,
            "/attachments".into(),
            Some(
                json!({"file_name": "a.png", "content_type": "image/png", "size_bytes": 10,
                "checksum_sha256": e2e::files::sha256(&[0; 10])}),
            ),
        ),
        (Method::GET, format!("/attachments/{id}"), None),
    ]
}

async fn assert_refused_everywhere(api: &Api, user: &TestUser, token: &str) {
    for (method, path, body) in every_authenticated_route(user) {
        let reply = api.call(method.clone(), &path, Some(token), body).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (401, "unauthorized"),
            "{method} {path}: {:#}",
            reply.body
        );
    }
    assert_eq!(refused_status(&format!("?token={token}")).await, Some(401));
}

#[tokio::test]
async fn a_password_change_ends_every_earlier_token_and_socket_and_the_new_one_works() {
    let api = Api::new();
    let user = api.user("pwchange").await;
    let other_device = api.login(&user).await;
    let mut first = Socket::connect(&user.token).await;
    let mut second = Socket::connect(&text(&other_device, "access_token")).await;

    let changed = api
        .put(
            "/users/me",
            &user.token,
            json!({"password": "a brand new password", "current_password": user.password}),
        )
        .await;
    let changed = changed.expect(200).clone();
    assert_eq!(changed["id"], user.id.as_str(), "{changed:#}");
    assert_eq!(changed["token_type"], "bearer");
    let fresh = text(&changed, "access_token");
    assert!(!fresh.is_empty(), "{changed:#}");

    assert!(
        first.closed_within(CLOSE_WAIT).await,
        "the first socket stayed open"
    );
    assert!(
        second.closed_within(CLOSE_WAIT).await,
        "the second socket stayed open"
    );
    assert_refused_everywhere(&api, &user, &user.token).await;
    assert_refused_everywhere(&api, &user, &text(&other_device, "access_token")).await;
    for old in [&user.refresh_token, &text(&other_device, "refresh_token")] {
        refresh(&api, old).await.expect_error(401, "unauthorized");
    }

    api.get("/users/me", &fresh).await.expect(200);
    let mut socket = Socket::connect(&fresh).await;
    socket.send(json!({"action": "ping"})).await;
    socket.expect("pong").await;
    let renewed = refresh(&api, &text(&changed, "refresh_token")).await;
    renewed.expect(200);
    // The old password no longer logs in; the new one does.
    api.post(
        "/users/login",
        None,
        json!({"username": user.username, "password": user.password}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    api.post(
        "/users/login",
        None,
        json!({"username": user.username, "password": "a brand new password"}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    let api = Api::new();
    let user = api.user("refresh").await;
    let elsewhere = api.login(&user).await;

    let renewed = refresh(&api, &user.refresh_token).await;
    let renewed = renewed.expect(200).clone();
    assert_eq!(renewed["user"]["id"], user.id.as_str());
    assert!(renewed["expires_in"].as_u64().unwrap_or(0) > 0);
    assert!(renewed["refresh_expires_in"].as_u64().unwrap_or(0) > 0);
    let (access2, refresh2) = (
        text(&renewed, "access_token"),
        text(&renewed, "refresh_token"),
    );
    assert_ne!(refresh2, user.refresh_token);
    api.get("/users/me", &access2).await.expect(200);
    // The same session: the token names it.
    assert_eq!(
        token_claims(&access2)["sid"],
        token_claims(&user.token)["sid"]
    );

    // The first refresh token again: a copy is in use, so the whole session ends.
    refresh(&api, &user.refresh_token)
        .await
        .expect_error(401, "unauthorized");
    for token in [&user.token, &access2] {
        api.get("/users/me", token)
            .await
            .expect_error(401, "unauthorized");
    }
    refresh(&api, &refresh2)
        .await
        .expect_error(401, "unauthorized");

    // Another session of the account is untouched.
    api.get("/users/me", &text(&elsewhere, "access_token"))
        .await
        .expect(200);
    refresh(&api, &text(&elsewhere, "refresh_token"))
        .await
        .expect(200);

    for junk in ["", "not-a-token", "a.b.c", &format!("{}.x.y", user.id)] {
        refresh(&api, junk).await.expect_error(401, "unauthorized");
    }
}

#[tokio::test]
async fn logout_ends_only_the_current_session_and_closes_its_sockets() {
    let api = Api::new();
    let user = api.user("logout").await;
    let other = api.login(&user).await;
    let other_token = text(&other, "access_token");
    let mut mine = Socket::connect(&user.token).await;
    let mut theirs = Socket::connect(&other_token).await;

    let reply = api
        .call(Method::POST, "/users/logout", Some(&user.token), None)
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{:#}", reply.body);

    assert!(
        mine.closed_within(CLOSE_WAIT).await,
        "the session's socket stayed open"
    );
    api.get("/users/me", &user.token)
        .await
        .expect_error(401, "unauthorized");
    refresh(&api, &user.refresh_token)
        .await
        .expect_error(401, "unauthorized");

    api.get("/users/me", &other_token).await.expect(200);
    theirs.send(json!({"action": "ping"})).await;
    theirs.expect("pong").await;
}

/// A token of `user`'s session that expires `secs` from now, signed with the stack's secret.
fn short_lived_token(user: &TestUser, secs: u64) -> String {
    let mut claims = token_claims(&user.token);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    claims["exp"] = json!(now + secs);
    e2e::sign_token(&claims)
}

/// The short-lived token's life: long enough for the handshake on a loaded machine.
const TOKEN_SECS: u64 = 3;
/// Past the token's expiry, but well within the connection's lease (10 s in the test stack).
const PAST_EXPIRY: Duration = Duration::from_secs(5);
/// How long the close may take: short enough that the lease (renewed by nothing since the
/// handshake) has not run out yet, so the sweeper cannot be what closed the socket.
const EXPIRY_CLOSE_WAIT: Duration = Duration::from_secs(4);

#[tokio::test]
async fn an_expired_tokens_socket_closes_at_its_next_frame() {
    let api = Api::new();
    let user = api.user("expframe").await;
    let mut expiring = Socket::connect_silent(&short_lived_token(&user, TOKEN_SECS)).await;
    let mut fresh = Socket::connect_silent(&user.token).await;
    tokio::time::sleep(PAST_EXPIRY).await;
    expiring.send(json!({"action": "ping"})).await;
    fresh.send(json!({"action": "ping"})).await;
    // The same frame on a socket with a valid token is served as always.
    fresh.expect("pong").await;
    assert!(
        expiring.closed_within(EXPIRY_CLOSE_WAIT).await,
        "a frame after the token expired left the socket open"
    );
}

#[tokio::test]
async fn an_expired_tokens_socket_closes_at_its_next_push() {
    let api = Api::new();
    let user = api.user("exppush").await;
    let sender = api.user("exppushS").await;
    let mut expiring = Socket::connect_silent(&short_lived_token(&user, TOKEN_SECS)).await;
    let mut fresh = Socket::connect_silent(&user.token).await;
    tokio::time::sleep(PAST_EXPIRY).await;
    api.send_direct(&sender, &user, "are you there?").await;
    // The socket with a valid token gets the message; the expired one is closed instead.
    fresh.expect("message.created").await;
    assert!(
        expiring.closed_within(EXPIRY_CLOSE_WAIT).await,
        "a push after the token expired left the socket open"
    );
}

/// An account keeps at most 10 sessions: the 11th login ends the oldest, and with it every
/// socket that session opened, as any other end of a session does.
#[tokio::test]
async fn the_eleventh_login_closes_the_evicted_sessions_sockets() {
    let api = Api::new();
    let user = api.user("evicted").await;
    let sender = api.user("evictedS").await;
    let second = api.login(&user).await;
    let mut oldest = Socket::connect(&user.token).await;
    let mut newer = Socket::connect(&text(&second, "access_token")).await;
    // Sessions 3 to 10, then the 11th, which ends the first.
    for _ in 3..=11 {
        api.login(&user).await;
    }
    api.get("/users/me", &user.token)
        .await
        .expect_error(401, "unauthorized");
    assert!(
        oldest.closed_within(CLOSE_WAIT).await,
        "the evicted session's socket stayed open"
    );
    // The sessions that go on keep their sockets.
    let message = api.send_direct(&sender, &user, "still here?").await;
    let id = message["id"].as_str().unwrap();
    newer
        .expect_where("message.created", |e| e["data"]["id"] == id)
        .await;
}

/// A `$connect` reads the session (its token's check), then writes its connection record. A
/// logout between the two closes the session's sockets before the record exists: the write
/// must see that the session ended, or the socket would outlive it (pushes and frames check the
/// token's expiry, which is an hour away). The test plays the `$connect` function's two steps
/// with its own code and the logout through the API in between.
#[tokio::test]
async fn a_connect_that_authenticated_before_a_logout_records_nothing() {
    let api = Api::new();
    let user = api.user("connRace").await;
    let app = e2e::direct::app().await;
    let (me, token) =
        chat_core::users::sessions::authenticate(&app.store, &app.tokens, &user.token)
            .await
            .unwrap();
    let reply = api
        .call(Method::POST, "/users/logout", Some(&user.token), None)
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{:#}", reply.body);

    let connection_id = format!("{}=", &e2e::unique("Racing")[..15]);
    let connected =
        chat_lambda::domain::presence::connected(&app, &me, &token, &connection_id).await;
    let refused = connected.as_ref().err().map(|err| err.detail().0);
    assert_eq!(refused, Some(401), "the late $connect: {connected:?}");
    let records = app.store.user_connections(&user.id).await.unwrap();
    assert!(!records.contains(&connection_id), "{records:?}");
    let stored = app.store.get_user(&user.id).await.unwrap().unwrap();
    assert_eq!(stored.connection_count, 0, "a refused connection counted");
}

/// A session can end while closing its sockets fails (DynamoDB or the Management API failing
/// at that moment): here it ends behind the API, so nothing closes them. A frame that acts for
/// the user reads the account anyway, finds the session gone and closes the socket instead.
#[tokio::test]
async fn a_write_frame_on_a_socket_of_an_ended_session_closes_it() {
    let api = Api::new();
    let user = api.user("unseen").await;
    let peer = api.user("unseenP").await;
    let app = e2e::direct::app().await;
    let mut socket = Socket::connect(&user.token).await;
    let session = token_claims(&user.token)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    app.store.end_session(&user.id, &session).await.unwrap();

    socket
        .send(json!({"action": "sendMessage", "recipient_id": peer.id, "content": "late"}))
        .await;
    assert!(
        socket.closed_within(CLOSE_WAIT).await,
        "a frame of an ended session left its socket open"
    );
    let history = api
        .get(&format!("/messages/conversation/{}", user.id), &peer.token)
        .await;
    assert_eq!(
        history.expect(200)["items"],
        json!([]),
        "the frame was served"
    );
}
