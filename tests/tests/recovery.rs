//! Nothing is lost across a reconnect: every change of a conversation takes the next number of
//! its sequence, the events carry it, and history with `after_seq` returns exactly what changed
//! after the last number a client saw, in order, each message once in its current state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use e2e::ws::{Socket, about};
use e2e::{Api, TestUser};
use serde_json::{Value, json};

fn seq_of(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

/// The number an event carries: a message event's data is the message (its last change is the
/// event's), the other conversation events name it in `data.seq`.
fn event_seq(event: &Value) -> u64 {
    let data = &event["data"];
    match event["type"].as_str() {
        Some("message.created" | "message.updated" | "message.deleted") => {
            seq_of(data, "updated_seq")
        }
        _ => seq_of(data, "seq"),
    }
}

async fn chat_of_two(api: &Api, prefix: &str) -> (TestUser, TestUser, String) {
    let mut users = api.users(prefix, 2).await;
    let bob = users.pop().unwrap();
    let alice = users.pop().unwrap();
    let chat = api.create_chat(&alice, &[&bob]).await;
    (alice, bob, chat["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_reconnecting_client_recovers_exactly_what_it_missed() {
    let api = Api::new();
    let (alice, bob, chat_id) = chat_of_two(&api, "rcv").await;

    // Bob is online for the first five messages and remembers the last number he saw.
    let mut socket = Socket::connect(&bob.token).await;
    let mut older = Vec::new();
    let mut last_seen = 0;
    for i in 0..5 {
        let m = api
            .send_to_chat(&alice, &chat_id, &format!("before {i}"))
            .await;
        let id = m["id"].as_str().unwrap().to_owned();
        let event = socket
            .expect_where("message.created", about("message.created", &id))
            .await;
        assert_eq!(event_seq(&event), seq_of(&m, "seq"));
        assert!(event_seq(&event) > last_seen, "numbers grow");
        last_seen = event_seq(&event);
        older.push(id);
    }
    socket.close().await;

    // Offline: 50 new messages, and five older ones edited or reacted to.
    let mut new_ids = Vec::new();
    for i in 0..50 {
        let m = api
            .send_to_chat(&alice, &chat_id, &format!("after {i}"))
            .await;
        new_ids.push(m["id"].as_str().unwrap().to_owned());
    }
    for id in &older[..3] {
        api.put(
            &format!("/messages/{id}"),
            &alice.token,
            json!({"content": "edited"}),
        )
        .await
        .expect(200);
    }
    for id in &older[3..] {
        api.react(&alice, id, "👍").await;
    }

    // Back online: the gap, in pages, from the last number seen.
    let _socket = Socket::connect(&bob.token).await;
    let path = format!("/messages/chat/{chat_id}?after_seq={last_seen}");
    let (items, sizes) = api.all_pages(&path, &bob.token, 20).await;
    assert_eq!(sizes, [20, 20, 15]);
    let ids: Vec<&str> = items.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let distinct: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "no message twice");
    let expected: BTreeSet<&str> = new_ids.iter().chain(&older).map(String::as_str).collect();
    assert_eq!(distinct, expected, "exactly the 50 new and the 5 changed");
    let numbers: Vec<u64> = items.iter().map(|m| seq_of(m, "updated_seq")).collect();
    assert_eq!(
        numbers,
        (last_seen + 1..=last_seen + 55).collect::<Vec<_>>(),
        "in order, every change once, no gap"
    );
    // The new messages first (they were sent first), then the changes, in their current state.
    assert_eq!(
        ids[..50],
        new_ids.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    for m in &items[50..53] {
        assert_eq!(m["content"], "edited");
        assert!(seq_of(m, "seq") <= last_seen, "an older message");
    }
    for m in &items[53..] {
        assert_eq!(m["reactions"]["👍"], json!([alice.id]));
    }

    // Caught up: nothing after the last number.
    let last = numbers.last().copied().unwrap();
    let rest = api
        .get(
            &format!("/messages/chat/{chat_id}?after_seq={last}"),
            &bob.token,
        )
        .await;
    assert_eq!(rest.expect(200)["items"], json!([]));
}

#[tokio::test]
async fn every_change_takes_the_next_number_and_events_carry_it() {
    let api = Api::new();
    let (alice, bob, chat_id) = chat_of_two(&api, "rcn").await;
    let mut socket = Socket::connect(&bob.token).await;
    let m = api.send_to_chat(&alice, &chat_id, "one").await;
    let id = m["id"].as_str().unwrap().to_owned();
    let first = seq_of(&m, "seq");
    assert_eq!(seq_of(&m, "updated_seq"), first);

    api.put(
        &format!("/messages/{id}"),
        &alice.token,
        json!({"content": "two"}),
    )
    .await
    .expect(200);
    api.react(&bob, &id, "🎉").await;
    api.unreact(&bob, &id, "🎉").await;
    api.mark_read(&bob, &id).await;
    api.delete(&format!("/messages/{id}"), &alice.token)
        .await
        .expect(204);
    let mut seen = Vec::new();
    for event_type in [
        "message.created",
        "message.updated",
        "reaction.added",
        "reaction.removed",
        "message.read",
        "message.deleted",
    ] {
        let event = socket
            .expect_where(event_type, about(event_type, &id))
            .await;
        seen.push(event_seq(&event));
    }
    assert_eq!(seen, (first..first + 6).collect::<Vec<_>>());
    let now = api.get(&format!("/messages/{id}"), &bob.token).await;
    let now = now.expect(200);
    assert_eq!(
        (seq_of(now, "seq"), seq_of(now, "updated_seq")),
        (first, first + 5)
    );

    // A repeated change is no change: it takes no number.
    api.mark_read(&bob, &id).await;
    let again = api.get(&format!("/messages/{id}"), &bob.token).await;
    assert_eq!(seq_of(again.expect(200), "updated_seq"), first + 5);
}

#[tokio::test]
async fn after_seq_is_checked_and_private() {
    let api = Api::new();
    let (alice, _bob, chat_id) = chat_of_two(&api, "rcp").await;
    let eve = api.user("rce").await;
    for bad in ["x", "-1", "1.5", ""] {
        api.get(
            &format!("/messages/chat/{chat_id}?after_seq={bad}"),
            &alice.token,
        )
        .await
        .expect_error(422, "validation_error");
    }
    api.get(&format!("/messages/chat/{chat_id}?after_seq=0"), &eve.token)
        .await
        .expect_error(404, "not_found");
    // A cursor of one catch-up does not resume another.
    for i in 0..3 {
        api.send_to_chat(&alice, &chat_id, &format!("m{i}")).await;
    }
    let page = api
        .get(
            &format!("/messages/chat/{chat_id}?after_seq=0&limit=1"),
            &alice.token,
        )
        .await;
    let cursor = page.expect(200)["next_cursor"].as_str().unwrap().to_owned();
    api.get(
        &format!("/messages/chat/{chat_id}?after_seq=1&limit=1&cursor={cursor}"),
        &alice.token,
    )
    .await
    .expect_error(422, "validation_error");
}
