//! The local stack's faults around the functions (docs/local-stack.md, "Faults on demand"):
//! invocations that crash before or after the function ran, Management API posts refused,
//! stream batches failing for a window, sockets cut without a word. Each test shows from the
//! gateway's counts that its fault fired and checks what the service and its clients saw.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::direct::{api_user, app};
use e2e::faults::Faults;
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser, unique};
use serde_json::{Value, json};

fn id(message: &Value) -> String {
    message["id"].as_str().unwrap().to_owned()
}

async fn conversation(api: &Api, reader: &TestUser, peer: &TestUser, query: &str) -> Vec<Value> {
    let path = format!("/messages/conversation/{}?limit=50{query}", peer.id);
    api.get(&path, &reader.token).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn is_gateway_error(frame: &Value) -> bool {
    frame["message"] == "Internal server error" && frame["connectionId"].is_string()
}

#[tokio::test]
async fn a_crash_before_the_function_runs_is_a_500_and_writes_nothing() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let app = app().await;
    let (alice, bob) = (api_user(&app, "fcbA").await, api_user(&app, "fcbB").await);
    // Silent sockets: a ping is a frame of the ws-send route, which would crash too.
    let mut socket = Socket::connect_silent(&alice.token).await;
    faults
        .set(json!({"functions": {"crash": "before", "every": 1, "functions": ["messages", "ws-send"]}}))
        .await;
    let reply = api
        .post(
            "/messages",
            Some(&alice.token),
            json!({"recipient_id": bob.id, "content": "never ran"}),
        )
        .await;
    println!("HTTP API, crash before: {} {}", reply.status, reply.body);
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.body, json!({"message": "Internal Server Error"}));

    socket
        .send(
            json!({"action": "sendMessage", "recipient_id": bob.id, "content": "never ran either"}),
        )
        .await;
    let (_, (frame, _)) = socket.until(is_gateway_error).await;
    println!("WebSocket route, crash before: {frame}");
    assert_eq!(faults.fired("function_crash").await, 2);
    faults.clear().await;
    assert!(conversation(&api, &bob, &alice, "").await.is_empty());
}

#[tokio::test]
async fn a_crash_after_the_function_ran_loses_the_answer_but_not_the_write() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let app = app().await;
    let (alice, bob) = (api_user(&app, "fcaA").await, api_user(&app, "fcaB").await);
    // Silent sockets: a ping is a frame of the ws-send route, which would crash too.
    let mut alice_socket = Socket::connect_silent(&alice.token).await;
    let mut bob_socket = Socket::connect_silent(&bob.token).await;
    faults
        .set(json!({"functions": {"crash": "after", "every": 1, "functions": ["messages", "ws-send"]}}))
        .await;
    let key = unique("fca");
    let body = json!({"recipient_id": bob.id, "content": "ran", "client_message_id": key});
    let reply = api
        .post("/messages", Some(&alice.token), body.clone())
        .await;
    println!("HTTP API, crash after: {} {}", reply.status, reply.body);
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.body, json!({"message": "Internal Server Error"}));
    // The function did its work: the message is stored and pushed, only the answer is gone.
    let pushed = bob_socket.expect("message.created").await;
    assert_eq!(pushed["data"]["content"], "ran");

    alice_socket
        .send(json!({"action": "sendMessage", "recipient_id": bob.id, "content": "ran too"}))
        .await;
    let (_, (frame, _)) = alice_socket.until(is_gateway_error).await;
    println!("WebSocket route, crash after: {frame}");
    let pushed = bob_socket.expect("message.created").await;
    assert_eq!(pushed["data"]["content"], "ran too");
    assert_eq!(faults.fired("function_crash").await, 2);
    faults.clear().await;

    // The client retries what it never heard back about: with its `client_message_id`, the
    // retry answers the stored message and stores no second one.
    let retried = api.post("/messages", Some(&alice.token), body).await;
    assert!(
        retried.status.is_success(),
        "{} {}",
        retried.status,
        retried.body
    );
    assert_eq!(
        retried.body["id"],
        pushed_first_id(&api, &bob, &alice).await
    );
    let stored = conversation(&api, &bob, &alice, "").await;
    let contents: Vec<&Value> = stored.iter().map(|m| &m["content"]).collect();
    assert_eq!(contents, [&json!("ran too"), &json!("ran")]);
}

/// The id of the oldest message of the conversation.
async fn pushed_first_id(api: &Api, reader: &TestUser, peer: &TestUser) -> Value {
    conversation(api, reader, peer, "").await.last().unwrap()["id"].clone()
}

#[tokio::test]
async fn refused_pushes_are_retried_gapped_or_gone_never_silently_lost() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let app = app().await;
    let (alice, bob) = (api_user(&app, "fpuA").await, api_user(&app, "fpuB").await);
    let mut bob_socket = Socket::connect(&bob.token).await;
    let sockets = app.store.sockets_of_user(&bob.id).await.unwrap();
    let connection = sockets[0].connection_id.clone();

    // 429 on one post in two: the function backs off and tries again; bob hears everything.
    faults
        .set(json!({"push": {"status": 429, "every": 2, "connections": [connection]}}))
        .await;
    let mut last_seq = 0;
    for n in 0..2 {
        let sent = api
            .send_direct(&alice, &bob, &format!("throttled {n}"))
            .await;
        let heard = bob_socket
            .expect_where("message.created", about("message.created", &id(&sent)))
            .await;
        last_seq = heard["data"]["seq"].as_u64().unwrap();
    }
    let throttled = faults.fired("push").await;
    println!("429 on one post in two: both messages heard, {throttled} posts refused");
    assert!(throttled >= 1);

    // 500 on every post: the send still succeeds (a push never fails the request) and bob
    // hears nothing of it; his next event's number shows the gap, and `after_seq` fills it.
    faults
        .set(json!({"push": {"status": 500, "every": 1, "connections": [connection]}}))
        .await;
    let lost = api.send_direct(&alice, &bob, "refused").await;
    let failed = faults.fired("push").await;
    assert!(failed >= 1, "{failed}");
    faults.clear().await;
    let next = api.send_direct(&alice, &bob, "after").await;
    let (before, (heard, _)) = bob_socket.until(about("message.created", &id(&next))).await;
    assert!(
        before.iter().all(|(e, _)| e["data"]["id"] != lost["id"]),
        "a refused push arrived"
    );
    let seq = heard["data"]["seq"].as_u64().unwrap();
    println!(
        "500 on every post: {failed} refused; bob's next event has seq {seq} after {last_seq}"
    );
    assert_eq!(seq, last_seq + 2, "the gap shows in the numbers");
    let caught_up = conversation(&api, &bob, &alice, &format!("&after_seq={last_seq}")).await;
    let ids: Vec<&Value> = caught_up.iter().map(|m| &m["id"]).collect();
    assert_eq!(
        ids,
        [&lost["id"], &next["id"]],
        "after_seq gives the missed one back"
    );

    // 410: the gateway answers gone and drops the socket, as when the client vanished.
    faults
        .set(json!({"push": {"status": 410, "every": 1, "connections": [connection]}}))
        .await;
    api.send_direct(&alice, &bob, "gone").await;
    let ending = bob_socket.ending_within(Duration::from_secs(5)).await;
    println!("410: bob's socket {ending:?}");
    assert!(ending.is_some_and(|how| !how.starts_with("closed")));
    println!(
        "410: the send answered 201, the socket was dropped, {} posts refused",
        faults.fired("push").await
    );
    assert!(faults.fired("push").await >= 1);
}

/// Lines of the stack's dead-letter files (the template's on-failure destinations).
fn dead_letters() -> Vec<String> {
    let dir = std::env::var("STACK_STATE_DIR").expect("run through infra/test.sh");
    let Ok(entries) = std::fs::read_dir(format!("{dir}/dead-letters")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .flat_map(|text| text.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[tokio::test]
async fn failing_stream_batches_are_retried_then_dead_lettered() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let app = app().await;
    let size = usize::try_from(chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS).unwrap() + 2;
    let mut members = Vec::new();
    for _ in 0..size {
        members.push(api_user(&app, "fst").await);
    }
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let chat_id = chat["id"].as_str().unwrap();
    let mut listener = Socket::connect(&members[1].token).await;
    for failure in ["error", "timeout"] {
        let letters = dead_letters().len();
        faults
            .set(json!({"stream": {"failure": failure, "secs": 8}}))
            .await;
        let sent = api
            .send_to_chat(&members[0], chat_id, &format!("stream {failure}"))
            .await;
        // The function runs each time (its answer is what fails), so the member hears the
        // message, maybe more than once, always with the same number.
        let heard = listener
            .expect_where("message.created", about("message.created", &id(&sent)))
            .await;
        assert_eq!(heard["data"]["seq"], sent["seq"]);
        // MaximumRetryAttempts 5: one invocation and five retries, then the dead letter.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while dead_letters().len() == letters {
            assert!(tokio::time::Instant::now() < deadline, "no dead letter");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let fired = faults.fired("stream").await;
        let letter: Value = serde_json::from_str(dead_letters().last().unwrap()).unwrap();
        println!(
            "stream batches failing ({failure}): {fired} invocations failed; dead letter: {}",
            letter["requestContext"]
        );
        assert!(fired >= 6, "{fired}");
        assert_eq!(
            letter["requestContext"]["condition"],
            "RetryAttemptsExhausted"
        );
        faults.clear().await;
    }
    let sent = api.send_to_chat(&members[0], chat_id, "after").await;
    listener
        .expect_where("message.created", about("message.created", &id(&sent)))
        .await;
}

#[tokio::test]
async fn cut_sockets_get_no_close_frame_and_no_disconnect() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let app = app().await;
    let (kept_user, cut_user) = (api_user(&app, "fskK").await, api_user(&app, "fskC").await);
    faults
        .set(json!({"sockets": {"drop_every": 2, "after_ms": 300}}))
        .await;
    let mut kept = Socket::connect(&kept_user.token).await;
    let mut cut = Socket::connect(&cut_user.token).await;
    let ending = cut.ending_within(Duration::from_secs(5)).await;
    assert!(!kept.closed_within(Duration::from_secs(1)).await);
    println!("the cut socket: {ending:?}");
    let ending = ending.expect("the socket was cut");
    assert!(
        !ending.starts_with("closed"),
        "a close frame came: {ending}"
    );
    let fired = faults.fired("socket_drop").await;
    // No `$disconnect` ran: the cut connection's record is still there, for the lease and
    // the sweeper to end (tests/tests/presence_healing.rs).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let records = app.store.sockets_of_user(&cut_user.id).await.unwrap();
    println!(
        "one socket in two cut: {fired} cut; the cut one's records a second later: {}",
        records.len()
    );
    assert_eq!(fired, 1);
    assert_eq!(records.len(), 1, "a $disconnect ran");
}
