//! The limits a WebSocket must not get around (issue 26): its writes take the user's write
//! budget, the one REST writes take, however many sockets the user opens; and a user holds a
//! bounded number of connections, each closed one, by whatever path, freeing its place.
//!
//! Ignored in the main run, whose stack raises every limit (`RATE_LIMIT_MULTIPLIER`);
//! `infra/test.sh` runs these with `--ignored` against a stack with the defaults, as on AWS.
//! Each test acts from its own loopback address (127.0.0.21 and up; `limits.rs` uses 11 to 17).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::limits::{assert_defaults, window_number, with_room_in_the_window};
use e2e::ws::{Socket, crash};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

/// The write limit's window (`RATE_LIMIT_WRITES`, 30 per 10 s).
const WRITE_WINDOW: Duration = Duration::from_secs(10);
const WRITES: usize = 30;

/// How long a socket's answers may take on a loaded machine.
const ANSWER_WAIT: Duration = Duration::from_secs(20);

fn send_frame(to: &TestUser, n: usize) -> Value {
    json!({"action": "sendMessage", "recipient_id": to.id, "content": format!("frame {n}"),
           "client_message_id": format!("f{n}")})
}

/// Whether `event` answers a `sendMessage` frame: `message.sent`, or an `error` event.
fn is_answer(event: &Value) -> bool {
    event["type"] == "message.sent" || event["type"] == "error"
}

/// Of `answers`, how many were accepted (`message.sent`) and how many `rate_limited`; any
/// other answer fails the test.
fn tally(answers: &[Value]) -> (usize, usize) {
    let mut counts = (0, 0);
    for answer in answers {
        match (answer["type"].as_str(), answer["data"]["code"].as_str()) {
            (Some("message.sent"), _) => counts.0 += 1,
            (Some("error"), Some("rate_limited")) => counts.1 += 1,
            _ => panic!("an unexpected answer: {answer:#}"),
        }
    }
    counts
}

/// The direct messages between `user` and `peer` that are stored.
async fn stored(api: &Api, user: &TestUser, peer: &TestUser) -> usize {
    let path = format!("/messages/conversation/{}", peer.id);
    api.all_pages(&path, &user.token, 100).await.0.len()
}

/// The stack's cap on one user's live connections (`MAX_CONNECTIONS_PER_USER`, from the
/// functions' environment the tests share).
fn connection_cap() -> usize {
    std::env::var("MAX_CONNECTIONS_PER_USER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// The answer to a handshake past the cap: `limit_exceeded`, through the status a `$connect`
/// integration refuses a connection with.
const PAST_THE_CAP: u16 = 422;

/// `n` sockets of `user`, a few handshakes at a time (the tests of this file run at once, and a
/// burst of handshakes would only measure the local stack's instances starting).
async fn open_sockets(user: &TestUser, n: usize) -> Vec<Socket> {
    use futures::StreamExt;
    futures::stream::iter((0..n).map(|_| Socket::connect(&user.token)))
        .buffered(4)
        .collect()
        .await
}

/// `user`'s sockets up to the cap.
async fn fill(user: &TestUser) -> Vec<Socket> {
    open_sockets(user, connection_cap()).await
}

/// A socket of `user` once its handshake is accepted, trying every 200 ms for `wait`; each
/// refusal before must be the cap's.
async fn connect_once_room(user: &TestUser, wait: Duration, what: &str) -> Socket {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match Socket::try_connect(&user.token).await {
            Ok(socket) => return socket,
            Err(status) => {
                assert_eq!(status, PAST_THE_CAP, "a refusal other than the cap's");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "no place came free within {wait:?} after {what}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Every test's name starts with `default_limits::`, which the main run skips by name.
mod default_limits {
    use super::*;

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn frames_after_thirty_rest_sends_are_rate_limited() {
        assert_defaults();
        let api = Api::from_address("127.0.0.21");
        let user = api.user("sharedW").await;
        let peer = api.user("sharedP").await;
        let mut socket = Socket::connect(&user.token).await;
        let mut stored_now = 0;
        // A run that crosses into the next window gets that window's budget too: it is run
        // again, from the start of a window of its own.
        for run in 0..3 {
            with_room_in_the_window(WRITE_WINDOW, WRITE_WINDOW).await;
            let window = window_number(WRITE_WINDOW);
            for n in 0..WRITES {
                let body = json!({"recipient_id": peer.id, "content": format!("rest {n}")});
                api.post("/messages", Some(&user.token), body)
                    .await
                    .expect(201);
            }
            for n in 0..5 {
                socket.send(send_frame(&peer, run * 10 + n)).await;
            }
            let (accepted, limited) = tally(&socket.collect(5, is_answer, ANSWER_WAIT).await);
            stored_now += WRITES + accepted;
            if window_number(WRITE_WINDOW) != window {
                continue;
            }
            // The write budget is the user's: five frames over it are refused, whichever door.
            assert_eq!(
                (accepted, limited),
                (0, 5),
                "(accepted, rate_limited) frames"
            );
            assert_eq!(stored(&api, &user, &peer).await, stored_now);
            return;
        }
        panic!("three runs each crossed into the next window");
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn three_sockets_of_one_user_share_one_write_budget() {
        assert_defaults();
        let api = Api::from_address("127.0.0.22");
        let user = api.user("threeS").await;
        let peer = api.user("threeP").await;
        let mut sockets =
            futures::future::join_all((0..3).map(|_| Socket::connect(&user.token))).await;
        // 75 frames, each answered, take a few seconds on a loaded machine.
        with_room_in_the_window(WRITE_WINDOW, Duration::from_secs(9)).await;
        let first = window_number(WRITE_WINDOW);
        // 25 frames a socket: under each connection's own frame limit (30 per 10 s).
        for (s, socket) in sockets.iter_mut().enumerate() {
            for n in 0..25 {
                socket.send(send_frame(&peer, s * 100 + n)).await;
            }
        }
        let mut accepted = 0;
        let mut limited = 0;
        for socket in &mut sockets {
            let (a, l) = tally(&socket.collect(25, is_answer, ANSWER_WAIT).await);
            accepted += a;
            limited += l;
        }
        let windows = window_number(WRITE_WINDOW) - first + 1;
        assert_eq!(accepted + limited, 75);
        // One window's budget, or two's if the answers ran into the next window.
        let budget = WRITES * usize::try_from(windows).unwrap();
        assert!(
            accepted <= budget,
            "{accepted} of 75 frames accepted over {windows} window(s) of {WRITES} writes"
        );
        if windows == 1 {
            assert_eq!(accepted, WRITES, "the budget is used up, not more");
        }
        // Only what was accepted was stored.
        assert_eq!(stored(&api, &user, &peer).await, accepted);
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_connection_past_the_cap_is_refused_until_one_closes() {
        assert_defaults();
        let api = Api::from_address("127.0.0.23");
        let user = api.user("capped").await;
        let other = api.user("uncapped").await;
        let mut sockets = fill(&user).await;
        let refused = Socket::try_connect(&user.token).await.err();
        assert_eq!(refused, Some(PAST_THE_CAP), "the handshake past the cap");
        // The cap is the user's: another user connects as usual, and the open sockets work.
        let mut others = Socket::connect(&other.token).await;
        others.send(json!({"action": "ping"})).await;
        others.expect("pong").await;
        let last = sockets.last_mut().unwrap();
        last.send(json!({"action": "ping"})).await;
        last.expect("pong").await;
        // A socket closed by its client (`$disconnect`) frees its place.
        sockets.pop().unwrap().close().await;
        let mut again = connect_once_room(&user, Duration::from_secs(10), "a close").await;
        again.send(json!({"action": "ping"})).await;
        again.expect("pong").await;
        assert_eq!(
            Socket::try_connect(&user.token).await.err(),
            Some(PAST_THE_CAP),
            "full again"
        );
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_connection_the_sweeper_closes_frees_its_place() {
        assert_defaults();
        let api = Api::from_address("127.0.0.24");
        let user = api.user("capSwept").await;
        let app = e2e::direct::app().await;
        let _sockets = fill(&user).await;
        assert_eq!(
            Socket::try_connect(&user.token).await.err(),
            Some(PAST_THE_CAP)
        );
        // One socket cut without `$disconnect`, as a crash leaves it: its record stays until
        // its lease runs out and the sweeper closes it (seconds on the test stack).
        let records = app.store.user_connections(&user.id).await.unwrap();
        crash(&records[0]).await;
        let lease: u64 = std::env::var("CONNECTION_LEASE_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(180);
        let wait = Duration::from_secs(lease + 20);
        connect_once_room(&user, wait, "a crash and the sweep").await;
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_connection_a_push_finds_gone_frees_its_place() {
        assert_defaults();
        let api = Api::from_address("127.0.0.25");
        let user = api.user("capGone").await;
        let sender = api.user("capGoneS").await;
        let app = e2e::direct::app().await;
        // A record API Gateway knows nothing of, as a lost `$disconnect` an hour ago leaves,
        // with a lease far from its end (no sweep takes it): only a push's 410 can.
        let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let lease = chat_core::time::unix_millis(std::time::SystemTime::now()) + 3_600_000;
        e2e::direct::planted_connection(&app, &user, an_hour_ago, lease).await;
        let mut sockets = open_sockets(&user, connection_cap() - 1).await;
        assert_eq!(
            Socket::try_connect(&user.token).await.err(),
            Some(PAST_THE_CAP)
        );
        // The next push to the user finds the stale connection gone and closes it.
        let message = api.send_direct(&sender, &user, "who is there?").await;
        let id = message["id"].as_str().unwrap();
        sockets[0]
            .expect_where("message.created", |e| e["data"]["id"] == id)
            .await;
        connect_once_room(&user, Duration::from_secs(10), "a push's 410").await;
    }
}
