//! Chats larger than the inline threshold hear of their changes from the delivery function,
//! which the messages table's DynamoDB stream triggers (the local gateway runs the template's
//! event source mapping): every change reaches every member's socket, in order, with its
//! number, though the request that made it answered without pushing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chat_aws::invoke::Invoker;
use chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS;
use e2e::direct::{api_user, app};
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser};
use futures::future::join_all;
use serde_json::{Value, json};

/// Every socket receives the `event_type` event about message `id`.
async fn everyone_gets(sockets: &mut [Socket], event_type: &str, id: &str) -> Vec<Value> {
    join_all(
        sockets
            .iter_mut()
            .map(|s| s.expect_where(event_type, about(event_type, id))),
    )
    .await
}

fn number(event: &Value) -> u64 {
    let data = &event["data"];
    data["seq"]
        .as_u64()
        .filter(|_| !data["updated_seq"].is_u64() || event["type"] == "message.created")
        .or_else(|| data["updated_seq"].as_u64())
        .unwrap()
}

#[tokio::test]
async fn a_large_chat_hears_every_change_through_the_stream() {
    let api = Api::new();
    let app = app().await;
    let size = usize::try_from(INLINE_FANOUT_MAX_MEMBERS).unwrap() + 4;
    let mut members: Vec<TestUser> = Vec::new();
    for _ in 0..size {
        members.push(api_user(&app, "sfo").await);
    }
    let owner = &members[0];
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(owner, &others).await;
    let chat_id = chat["id"].as_str().unwrap();
    let mut sockets = Vec::new();
    for m in &members {
        sockets.push(Socket::connect(&m.token).await);
    }

    let sent = api.send_to_chat(owner, chat_id, "to everyone").await;
    let id = sent["id"].as_str().unwrap().to_owned();
    for event in everyone_gets(&mut sockets, "message.created", &id).await {
        assert_eq!(
            event["data"], sent,
            "the whole message, as the sender got it"
        );
    }

    let reader = &members[5];
    api.put(
        &format!("/messages/{id}"),
        &owner.token,
        json!({"content": "edited"}),
    )
    .await
    .expect(200);
    api.react(reader, &id, "🎉").await;
    api.mark_read(reader, &id).await;
    api.delete(&format!("/messages/{id}"), &owner.token)
        .await
        .expect(204);
    let first = sent["seq"].as_u64().unwrap();
    for (offset, event_type) in [
        "message.updated",
        "reaction.added",
        "message.read",
        "message.deleted",
    ]
    .into_iter()
    .enumerate()
    {
        for event in everyone_gets(&mut sockets, event_type, &id).await {
            assert_eq!(number(&event), first + 1 + offset as u64, "{event_type}");
            if event_type != "message.updated" && event_type != "message.deleted" {
                assert_eq!(event["data"]["user_id"], reader.id.as_str());
            }
        }
    }
}

/// Users per share, as the stack's delivery function reads it (test.sh sets 8).
fn users_per_shard() -> usize {
    std::env::var("DELIVERY_SHARD_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(chat_lambda::fanout::DEFAULT_USERS_PER_SHARD)
}

/// The delivery function's log lines (cargo lambda watch writes its functions' output to the
/// stack's `lambda.log`) that name `needle`.
fn delivery_log_lines(needle: &str) -> Vec<String> {
    let dir = std::env::var("STACK_STATE_DIR")
        .unwrap_or_else(|_| format!("{}/../target/local-stack", env!("CARGO_MANIFEST_DIR")));
    let log = std::fs::read_to_string(format!("{dir}/lambda.log")).expect("the stack's lambda.log");
    log.lines()
        .filter(|line| line.contains(needle))
        .map(str::to_owned)
        .collect()
}

async fn chat_of(api: &Api, size: usize, prefix: &str) -> (Vec<TestUser>, String) {
    let app = app().await;
    let mut members: Vec<TestUser> = Vec::new();
    for _ in 0..size {
        members.push(api_user(&app, prefix).await);
    }
    let others: Vec<&TestUser> = members[1..].iter().collect();
    let chat = api.create_chat(&members[0], &others).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    (members, chat_id)
}

/// A large audience goes out in shares: the invocation that read the record pushes one and
/// invokes the function once for each other share, and every socket gets the event once.
#[tokio::test]
async fn a_large_audience_goes_out_in_shares_each_pushed_by_an_invocation() {
    let per_shard = users_per_shard();
    let size = usize::try_from(INLINE_FANOUT_MAX_MEMBERS).unwrap() + 4;
    assert!(
        size > 2 * per_shard,
        "the stack's DELIVERY_SHARD_USERS ({per_shard}) must make {size} members three shares or more (test.sh sets 8)"
    );
    let api = Api::new();
    let (members, chat_id) = chat_of(&api, size, "sfs").await;
    let mut sockets = Vec::new();
    for m in &members {
        sockets.push(Socket::connect(&m.token).await);
    }

    let sent = api.send_to_chat(&members[0], &chat_id, "in shares").await;
    let id = sent["id"].as_str().unwrap().to_owned();
    everyone_gets(&mut sockets, "message.created", &id).await;
    let quiet = std::time::Duration::from_millis(1500);
    let again: Vec<usize> = join_all(
        sockets
            .iter_mut()
            .map(|s| s.count_until_quiet("message.created", quiet)),
    )
    .await;
    assert!(again.iter().all(|n| *n == 0), "a second copy: {again:?}");

    let about = format!("{id}@{}", sent["updated_seq"]);
    let shares = delivery_log_lines(&format!("shard of {about}"));
    assert_eq!(
        shares.len(),
        size.div_ceil(per_shard) - 1,
        "one invocation per share after the first: {shares:#?}"
    );
}

/// A share, as a coordinator hands it over through the Lambda Invoke API, reaches exactly its
/// users' sockets.
#[tokio::test]
async fn a_share_reaches_exactly_its_users() {
    let api = Api::new();
    let (members, _chat_id) = chat_of(&api, 3, "sfx").await;
    let mut sockets = Vec::new();
    for m in &members {
        sockets.push(Socket::connect(&m.token).await);
    }
    let marker = e2e::unique("share");
    let frame = json!({"type": "message.created", "data": {"id": marker}, "ts": "now"});
    let share = json!({
        "about": marker,
        "frame": frame.to_string(),
        "user_ids": [members[0].id, members[1].id],
    });
    let endpoint = std::env::var("AWS_ENDPOINT_URL_LAMBDA").expect("the stack's Lambda endpoint");
    // Signed with the stack's keys by the coordinator's own client: the gateway's Invoke API
    // refuses unsigned requests, as Lambda does.
    let invoker = Invoker::new(&chat_aws::sdk::sdk_config().await, Some(endpoint));
    invoker
        .invoke(
            "delivery",
            share.to_string().into_bytes(),
            std::time::Duration::from_secs(30),
        )
        .await
        .expect("the share is delivered");
    for socket in &mut sockets[..2] {
        let got = socket
            .expect_where("message.created", about("message.created", &marker))
            .await;
        assert_eq!(got, frame);
    }
    let third = sockets[2]
        .count_until_quiet("message.created", std::time::Duration::from_secs(1))
        .await;
    assert_eq!(third, 0, "the third member is not in the share");
}
