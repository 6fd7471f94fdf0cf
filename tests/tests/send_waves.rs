//! A send in three waves (docs/architecture.md, "A send in three waves"): the recipients'
//! sockets are looked up beside the send's reads, before its write. A socket that opens
//! between that look-up and the commit must still get the message live, because its client's
//! catch-up may have run before the commit too: the delivery reads the sockets again after the
//! commit and pushes to those the look-up missed.
//!
//! A small chat's members are looked up the same way, with their membership's version; the
//! send's write holds that version, so a member removed during the write is not told, and the
//! looked-up members are used only when nothing changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::chats::RemoveMember;
use chat_lambda::App;
use e2e::direct::{api_user, app, dynamodb, take_out_of_member_set};
use e2e::faults::Faults;
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

/// The write's delay: long enough to act inside it, shorter than the SDK's 2 s attempt timeout.
const WRITE_DELAY_MS: u64 = 1500;

fn connections_table() -> String {
    std::env::var("CONNECTIONS_TABLE").expect("CONNECTIONS_TABLE (run under infra/test.sh)")
}

fn index_key(user: &TestUser) -> HashMap<String, AttributeValue> {
    HashMap::from([(
        "connection_id".to_owned(),
        AttributeValue::S(format!("user#{}", user.id)),
    )])
}

/// Sends a direct message over REST and `during_write` while the send's transaction is held
/// up by the gateway's database latency; the send's answer.
async fn send_holding_the_write<F: std::future::Future<Output = ()>>(
    faults: &Faults,
    from: &TestUser,
    to: &TestUser,
    during_write: F,
) -> Value {
    let body = json!({"recipient_id": to.id, "content": "sent while a socket opened"});
    post_holding_the_write(faults, from, body, during_write).await
}

/// Sends `body` over REST as `from` and `during_write` while the send's transaction (each
/// attempt of it) is held up by the gateway's database latency; the send's answer.
async fn post_holding_the_write<F: std::future::Future<Output = ()>>(
    faults: &Faults,
    from: &TestUser,
    body: Value,
    during_write: F,
) -> Value {
    faults
        .set(json!({"dynamodb": {"latency_ms": WRITE_DELAY_MS, "operations": ["TransactWriteItems"]}}))
        .await;
    let token = from.token.clone();
    let send = tokio::spawn(async move { Api::new().post("/messages", Some(&token), body).await });
    // The first wave (with the look-up) is over once the transaction is being held.
    let held = tokio::time::Instant::now() + Duration::from_secs(10);
    while faults.fired("dynamodb_latency").await == 0 {
        assert!(tokio::time::Instant::now() < held, "the send never wrote");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A sweeper's transaction may have been the one held: a little more time for the send's
    // look-up, well inside the delay.
    tokio::time::sleep(Duration::from_millis(200)).await;
    during_write.await;
    let reply = send.await.unwrap();
    faults.clear().await;
    reply.expect(201).clone()
}

#[tokio::test]
async fn a_socket_that_appears_while_the_send_writes_gets_the_message_live() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let app = app().await;
    let (alice, bob) = (api_user(&app, "swA").await, api_user(&app, "swB").await);
    let mut bob_socket = Socket::connect(&bob.token).await;

    // Bob's socket is open at API Gateway, but its entry in his index item (what the look-up
    // reads) is hidden until the send's write is under way: to the look-up it opened later.
    let db = dynamodb().await;
    let index = db
        .get_item()
        .table_name(connections_table())
        .set_key(Some(index_key(&bob)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("bob's index item");
    db.delete_item()
        .table_name(connections_table())
        .set_key(Some(index_key(&bob)))
        .send()
        .await
        .unwrap();
    let message = send_holding_the_write(&faults, &alice, &bob, async {
        db.put_item()
            .table_name(connections_table())
            .set_item(Some(index.clone()))
            .send()
            .await
            .unwrap();
    })
    .await;

    assert!(
        told(&mut bob_socket, &message).await,
        "the socket that appeared during the write got no message.created"
    );
}

#[tokio::test]
async fn a_socket_looked_up_before_the_write_gets_the_message_once() {
    let faults = Faults::hold().await;
    let app = app().await;
    let (alice, bob) = (api_user(&app, "swC").await, api_user(&app, "swD").await);
    let mut bob_socket = Socket::connect(&bob.token).await;
    let message = send_holding_the_write(&faults, &alice, &bob, async {}).await;
    assert!(message["id"].is_string());
    // Bob hears nothing else: every message.created is this message.
    let copies = bob_socket
        .count_until_quiet("message.created", Duration::from_secs(2))
        .await;
    assert_eq!(
        copies, 1,
        "the looked-up socket, found again by the second read: one push"
    );
}

/// Whether `socket` gets `message`'s `message.created` within 5 s.
async fn told(socket: &mut Socket, message: &Value) -> bool {
    let id = message["id"].as_str().unwrap();
    let event = about("message.created", id);
    let pushed = socket.try_within("message.created", event, Duration::from_secs(5));
    pushed.await.is_some()
}

/// Alice's chat with Bob and Cy (three members: the request pushes its events), with Bob's and
/// Cy's sockets open.
async fn chat_of_three(app: &App, prefix: &str) -> ([TestUser; 3], String, [Socket; 2]) {
    let names = ["A", "B", "C"].map(|n| format!("{prefix}{n}"));
    let alice = api_user(app, &names[0]).await;
    let (bob, cy) = (
        api_user(app, &names[1]).await,
        api_user(app, &names[2]).await,
    );
    let chat = Api::new().create_chat(&alice, &[&bob, &cy]).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let sockets = [
        Socket::connect(&bob.token).await,
        Socket::connect(&cy.token).await,
    ];
    ([alice, bob, cy], chat_id, sockets)
}

#[tokio::test]
async fn a_small_chat_is_told_through_the_members_looked_up_before_the_write() {
    let faults = Faults::hold().await;
    let app = app().await;
    let ([alice, bob, _], chat_id, [mut bob_socket, _]) = chat_of_three(&app, "swE").await;

    // Once the look-up has read the members, Bob leaves the chat's member set behind the
    // service's back: the version stays, so only a delivery that reads the members again after
    // the commit would leave him out. The look-up's members are the audience.
    let body = json!({"chat_id": chat_id, "content": "to the members looked up"});
    let message = post_holding_the_write(&faults, &alice, body, async {
        take_out_of_member_set(&chat_id, &bob.id).await;
    })
    .await;
    assert!(
        told(&mut bob_socket, &message).await,
        "the send pushed to the members read after its write, not those looked up before it"
    );
}

#[tokio::test]
async fn a_member_removed_while_the_message_is_written_is_not_told() {
    let faults = Faults::hold().await;
    let app = app().await;
    let ([alice, _, cy], chat_id, [mut bob_socket, mut cy_socket]) =
        chat_of_three(&app, "swH").await;

    // Cy is removed (a membership change like the service's own) after the look-up found her
    // socket and before the send's transaction commits.
    let body = json!({"chat_id": chat_id, "content": "after Cy left"});
    let message = post_holding_the_write(&faults, &alice, body, async {
        let removed = app.store.remove_member(&chat_id, &cy.id, &alice.id, None);
        assert_eq!(removed.await.unwrap(), RemoveMember::Removed);
    })
    .await;
    assert!(
        told(&mut bob_socket, &message).await,
        "a member still in the chat was not told"
    );
    let copies = cy_socket
        .count_until_quiet("message.created", Duration::from_secs(2))
        .await;
    assert_eq!(copies, 0, "a member removed before the commit was told");
}
