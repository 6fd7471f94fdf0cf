//! Each event an operator watches moves its metric: the functions write them to their log in
//! CloudWatch's embedded metric format, the function as a dimension. Tests run concurrently in
//! one stack, so each checks that its metric grew, not by how much.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::direct::{api_user, app, gone_connection};
use e2e::faults::Faults;
use e2e::metrics::{grown, grown_within, total};
use e2e::ws::Socket;
use e2e::{Api, TestUser};
use serde_json::json;

async fn pair(api: &Api, prefix: &str) -> (TestUser, TestUser) {
    let mut users = api.users(prefix, 2).await;
    let b = users.pop().unwrap();
    (users.pop().unwrap(), b)
}

#[tokio::test]
async fn a_send_counts_a_message_and_a_request() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "mts").await;
    let sent = [("function", "messages"), ("door", "rest")];
    let answered = [
        ("function", "messages"),
        ("route", "POST /messages"),
        ("status_class", "2xx"),
    ];
    let (sent_before, answered_before) =
        (total("messages_sent", &sent), total("requests", &answered));
    api.send_direct(&alice, &bob, "counted").await;
    assert!(grown("messages_sent", &sent, sent_before).await > sent_before);
    assert!(grown("requests", &answered, answered_before).await > answered_before);
    // Refusals count under their own class.
    let refused = [
        ("function", "messages"),
        ("route", "POST /messages"),
        ("status_class", "4xx"),
    ];
    let refused_before = total("requests", &refused);
    api.post("/messages", Some(&alice.token), serde_json::json!({}))
        .await
        .expect(422);
    assert!(grown("requests", &refused, refused_before).await > refused_before);
}

#[tokio::test]
async fn a_push_to_a_gone_connection_counts_as_gone() {
    let app = app().await;
    let api = Api::new();
    let (alice, bob) = futures::join!(api_user(&app, "mtgA"), api_user(&app, "mtgB"));
    gone_connection(&app, &bob, &[]).await;
    let gone = [("function", "messages"), ("outcome", "gone")];
    let before = total("pushes", &gone);
    api.send_direct(&alice, &bob, "to nobody").await;
    assert!(grown("pushes", &gone, before).await > before);
}

#[tokio::test]
async fn every_function_instance_counts_its_cold_start() {
    let api = Api::new();
    let (alice, _) = pair(&api, "mtc").await;
    api.get("/chats", &alice.token).await.expect(200);
    let cold = [("function", "chats")];
    assert!(grown("cold_starts", &cold, 0.0).await >= 1.0);
    assert!(total("init_duration", &cold) >= 1.0);
}

#[tokio::test]
async fn a_push_refused_with_429_counts_a_retry() {
    let faults = Faults::hold().await;
    let app = app().await;
    let api = Api::new();
    let (alice, bob) = futures::join!(api_user(&app, "mtqA"), api_user(&app, "mtqB"));
    let _socket = Socket::connect(&bob.token).await;
    let sockets = app.store.sockets_of_user(&bob.id).await.unwrap();
    let connection = sockets[0].connection_id.clone();
    // One post in two refused: the function backs off and posts again.
    faults
        .set(json!({"push": {"status": 429, "every": 2, "connections": [connection]}}))
        .await;
    let retried = [("function", "messages")];
    let delivered = [("function", "messages"), ("outcome", "delivered")];
    let (retried_before, delivered_before) =
        (total("push_retries", &retried), total("pushes", &delivered));
    for n in 0..2 {
        api.send_direct(&alice, &bob, &format!("into the throttle {n}"))
            .await;
    }
    assert!(faults.fired("push").await >= 1, "no post was refused");
    assert!(grown("push_retries", &retried, retried_before).await > retried_before);
    assert!(total("pushes", &delivered) > delivered_before);
}

#[tokio::test]
async fn a_dead_lettered_stream_batch_counts_on_its_queue() {
    let faults = Faults::hold().await;
    let app = app().await;
    let api = Api::new();
    // Large enough for its messages to go through the stream.
    let size = usize::try_from(chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS).unwrap() + 2;
    let mut members = Vec::new();
    for _ in 0..size {
        members.push(api_user(&app, "mtd").await);
    }
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let queue = [("QueueName", "DeliveryDeadLetterQueue")];
    let before = total("NumberOfMessagesSent", &queue);
    faults
        .set(json!({"stream": {"failure": "error", "secs": 8}}))
        .await;
    let chat_id = chat["id"].as_str().unwrap();
    api.send_to_chat(&members[0], chat_id, "never acknowledged")
        .await;
    // One invocation and five retries, then the dead letter.
    let after = grown_within(
        "NumberOfMessagesSent",
        &queue,
        before,
        Duration::from_secs(40),
    )
    .await;
    assert!(after > before, "no dead letter counted");
    faults.clear().await;
}
