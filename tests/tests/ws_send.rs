//! The WebSocket `sendMessage` action as thoroughly as `POST /messages/`: to a chat, its 403 and
//! 404 as `error` events, an idempotent retry, `message.sent` reaching only the sending
//! connection; and `reply_to_id` into another conversation, refused on REST and WebSocket alike.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser, unique};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn history(api: &Api, path: &str, who: &TestUser) -> Vec<Value> {
    api.all_pages(path, &who.token, 100).await.0
}

#[tokio::test]
async fn send_message_to_a_chat_acknowledges_only_the_sending_connection() {
    let api = Api::new();
    let app = app().await;
    let (a, b) = (api_user(&app, "wsnA").await, api_user(&app, "wsnB").await);
    let chat = api.create_chat(&a, &[&b]).await;
    let chat_id = id(&chat);
    let mut a1 = Socket::connect(&a.token).await;
    let mut a2 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;

    let key = unique("cm");
    a1.send(json!({"action": "sendMessage", "chat_id": chat_id, "content": "to the room", "client_message_id": key}))
        .await;
    let sent = a1.expect("message.sent").await;
    assert_eq!(sent["data"]["client_message_id"], key.as_str());
    assert_eq!(sent["data"]["chat_id"], chat_id.as_str());
    assert_eq!(sent["data"]["recipient_id"], Value::Null);
    let mid = id(&sent["data"]);
    for socket in [&mut a2, &mut b1] {
        let created = socket
            .expect_where("message.created", about("message.created", &mid))
            .await;
        assert_eq!(created["data"]["content"], "to the room");
        assert_eq!(created["data"]["sender_id"], a.id.as_str());
    }
    // Checkpoint: b answers in the chat; before that answer, neither a's other device nor b
    // may have seen a `message.sent`.
    let answer = api.send_to_chat(&b, &chat_id, "answer").await;
    let answer_id = id(&answer);
    for socket in [&mut a2, &mut b1] {
        socket
            .checkpoint(about("message.created", &answer_id), |e| {
                e["type"] == "message.sent"
            })
            .await;
    }
    let stored = history(&api, &format!("/messages/chat/{chat_id}"), &b).await;
    assert_eq!(stored.iter().filter(|m| m["id"] == mid.as_str()).count(), 1);
}

#[tokio::test]
async fn a_retried_send_message_gives_the_first_message_back_and_pushes_once() {
    let api = Api::new();
    let app = app().await;
    let (a, b) = (api_user(&app, "wsrA").await, api_user(&app, "wsrB").await);
    let mut a1 = Socket::connect(&a.token).await;
    let mut b1 = Socket::connect(&b.token).await;
    let key = unique("retry");
    let frame = json!({"action": "sendMessage", "recipient_id": b.id, "content": "once", "client_message_id": key});
    a1.send(frame.clone()).await;
    let first = a1.expect("message.sent").await;
    a1.send(frame).await;
    let second = a1.expect("message.sent").await;
    assert_eq!(first["data"], second["data"], "the first message, back");
    let mid = id(&first["data"]);
    b1.expect_where("message.created", about("message.created", &mid))
        .await;
    // Checkpoint: a later message; no second `message.created` of the retried one before it.
    let later = api.send_direct(&a, &b, "later").await;
    let later_id = id(&later);
    b1.checkpoint(
        about("message.created", &later_id),
        about("message.created", &mid),
    )
    .await;
    let stored = history(&api, &format!("/messages/conversation/{}", a.id), &b).await;
    let contents: Vec<&Value> = stored.iter().map(|m| &m["content"]).collect();
    assert_eq!(contents, [&json!("later"), &json!("once")]);
}

#[tokio::test]
async fn send_message_refusals_are_error_events_and_store_nothing() {
    let api = Api::new();
    let app = app().await;
    let (a, b) = (api_user(&app, "wseA").await, api_user(&app, "wseB").await);
    let outsider = api_user(&app, "wseOut").await;
    let chat = api.create_chat(&a, &[&b]).await;
    let chat_id = id(&chat);
    let mut socket = Socket::connect(&outsider.token).await;

    socket
        .send(json!({"action": "sendMessage", "chat_id": chat_id, "content": "let me in"}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "forbidden", "{error:#}");
    assert!(error["data"]["message"].is_string());

    let nobody = ulid::Ulid::generate().to_string();
    socket
        .send(json!({"action": "sendMessage", "recipient_id": nobody, "content": "anyone?"}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "not_found", "{error:#}");
    // The socket stays usable, and nothing was stored.
    socket.send(json!({"action": "ping"})).await;
    socket
        .checkpoint(|e| e["type"] == "pong", |e| e["type"] == "message.sent")
        .await;
    assert!(
        history(&api, &format!("/messages/chat/{chat_id}"), &a)
            .await
            .is_empty()
    );
    let inbox = history(&api, "/messages/conversations", &outsider).await;
    assert!(inbox.is_empty(), "{inbox:#?}");
}

#[tokio::test]
async fn reply_to_a_message_of_another_conversation_is_refused_on_rest_and_websocket() {
    let api = Api::new();
    let app = app().await;
    let (a, b, c) = (
        api_user(&app, "rpA").await,
        api_user(&app, "rpB").await,
        api_user(&app, "rpC").await,
    );
    let chat = api.create_chat(&a, &[&b]).await;
    let chat_id = id(&chat);
    // a can see both: a message of the a-b conversation and one of the a-c conversation.
    let with_b = api.send_direct(&a, &b, "to b").await;
    let with_c = api.send_direct(&a, &c, "to c").await;
    let in_chat = api.send_to_chat(&a, &chat_id, "in the chat").await;
    let attempts = [
        json!({"recipient_id": b.id, "content": "re", "reply_to_id": id(&with_c)}),
        json!({"recipient_id": b.id, "content": "re", "reply_to_id": id(&in_chat)}),
        json!({"chat_id": chat_id, "content": "re", "reply_to_id": id(&with_b)}),
    ];
    for body in &attempts {
        let reply = api.post("/messages/", Some(&a.token), body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "reply_to_id");
    }
    let mut socket = Socket::connect(&a.token).await;
    for body in &attempts {
        let mut frame = body.clone();
        frame["action"] = json!("sendMessage");
        socket.send(frame).await;
        let error = socket.expect("error").await;
        assert_eq!(error["data"]["code"], "validation_error", "{error:#}");
        assert_eq!(error["data"]["field"], "reply_to_id");
    }
    // Same-conversation replies work on both, so the refusals above are about the conversation.
    api.post(
        "/messages/",
        Some(&a.token),
        json!({"recipient_id": b.id, "content": "re", "reply_to_id": id(&with_b)}),
    )
    .await
    .expect(201);
    socket
        .send(json!({"action": "sendMessage", "chat_id": chat_id, "content": "re", "reply_to_id": id(&in_chat)}))
        .await;
    let sent = socket.expect("message.sent").await;
    assert_eq!(sent["data"]["reply_to_id"], id(&in_chat).as_str());
    let direct = history(&api, &format!("/messages/conversation/{}", b.id), &a).await;
    assert_eq!(direct.len(), 2, "nothing refused was stored: {direct:#?}");
    assert_eq!(
        history(&api, &format!("/messages/chat/{chat_id}"), &a)
            .await
            .len(),
        2
    );
}
