//! Each event an operator watches moves its metric: the functions write them to their log in
//! CloudWatch's embedded metric format, the function as a dimension. Tests run concurrently in
//! one stack, so each checks that its metric grew, not by how much.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::direct::{api_user, app, gone_connection};
use e2e::metrics::{grown, total};
use e2e::{Api, TestUser};

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
