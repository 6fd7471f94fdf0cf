//! Retried writes are safe: a client whose answer was lost sends the same request again, maybe
//! while the first still runs, and nothing happens twice. Edits are idempotent by their
//! content; chat creation and member changes by the `Idempotency-Key` header.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Api, Reply, TestUser, unique};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

fn seq_of(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

/// `POST /chats` with an `Idempotency-Key`.
async fn create_keyed(api: &Api, who: &TestUser, key: &str, body: Value) -> Reply {
    api.keyed(Method::POST, "/chats", &who.token, key, Some(body))
        .await
}

/// The caller's chats named `name`.
async fn chats_named(api: &Api, who: &TestUser, name: &str) -> Vec<Value> {
    let (chats, _) = api.all_pages("/chats", &who.token, 100).await;
    chats.into_iter().filter(|c| c["name"] == name).collect()
}

#[tokio::test]
async fn a_retried_edit_changes_nothing_and_takes_no_number() {
    let api = Api::new();
    let users = api.users("rte", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let sent = api.send_direct(alice, bob, "first").await;
    let path = format!("/messages/{}", sent["id"].as_str().unwrap());
    let body = json!({"content": "second"});

    let edited = api.put(&path, &alice.token, body.clone()).await;
    let edited = edited.expect(200).clone();
    let again = api.put(&path, &alice.token, body).await;
    // The same message, as the first edit left it: same number, version and edit time.
    assert_eq!(again.expect(200), &edited);

    // Every change takes the conversation's next number: the retry took none.
    let next = api.send_direct(alice, bob, "third").await;
    assert_eq!(seq_of(&next, "seq"), seq_of(&edited, "updated_seq") + 1);
    let after = format!(
        "/messages/conversation/{}?after_seq={}",
        bob.id,
        seq_of(&sent, "seq")
    );
    let changes = api.get(&after, &alice.token).await.expect(200).clone();
    let numbers: Vec<u64> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| seq_of(m, "updated_seq"))
        .collect();
    assert_eq!(
        numbers,
        [seq_of(&edited, "updated_seq"), seq_of(&next, "seq")]
    );
}

#[tokio::test]
async fn ten_concurrent_copies_of_an_edit_make_one_change() {
    let api = Api::new();
    let users = api.users("rtc", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let sent = api.send_direct(alice, bob, "draft").await;
    let path = format!("/messages/{}", sent["id"].as_str().unwrap());
    let body = json!({"content": "final"});
    let replies = join_all((0..10).map(|_| api.put(&path, &alice.token, body.clone()))).await;
    let numbers: Vec<u64> = replies
        .iter()
        .map(|r| seq_of(r.expect(200), "updated_seq"))
        .collect();
    assert!(numbers.iter().all(|n| *n == numbers[0]), "{numbers:?}");
    let next = api.send_direct(alice, bob, "after").await;
    assert_eq!(seq_of(&next, "seq"), numbers[0] + 1);
}

#[tokio::test]
async fn a_keyed_chat_creation_sent_twice_makes_one_chat() {
    let api = Api::new();
    let users = api.users("rtk", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let name = unique("keyed ");
    let body = json!({"name": name, "member_ids": [bob.id]});
    let key = unique("key-");

    let first = create_keyed(&api, alice, &key, body.clone()).await;
    let first = first.expect(201).clone();
    // The retry may serialise the same body differently: it is the same request.
    let reordered = json!({"member_ids": [bob.id], "name": name});
    let again = create_keyed(&api, alice, &key, reordered).await;
    assert_eq!(again.expect(201), &first);
    assert_eq!(chats_named(&api, alice, &name).await.len(), 1);
    assert_eq!(chats_named(&api, bob, &name).await.len(), 1);

    // Without a key, the same body makes a second chat, as before.
    api.post("/chats", Some(&alice.token), body)
        .await
        .expect(201);
    assert_eq!(chats_named(&api, alice, &name).await.len(), 2);
}

#[tokio::test]
async fn ten_concurrent_keyed_creations_make_one_chat() {
    let api = Api::new();
    let alice = api.user("rtn").await;
    let name = unique("racing ");
    let key = unique("key-");
    let body = json!({ "name": name });
    let replies = join_all((0..10).map(|_| create_keyed(&api, &alice, &key, body.clone()))).await;
    let ids: Vec<&str> = replies
        .iter()
        .map(|r| r.expect(201)["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(chats_named(&api, &alice, &name).await.len(), 1);
}

#[tokio::test]
async fn a_key_used_for_another_request_is_refused_and_changes_nothing() {
    let api = Api::new();
    let users = api.users("rtr", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let key = unique("key-");
    let name = unique("first ");
    let created = create_keyed(&api, alice, &key, json!({ "name": name })).await;
    let chat_id = created.expect(201)["id"].as_str().unwrap().to_owned();

    let other = unique("other ");
    let refused = create_keyed(&api, alice, &key, json!({ "name": other })).await;
    refused.expect_error(422, "validation_error");
    assert_eq!(refused.field(), "Idempotency-Key");
    assert!(chats_named(&api, alice, &other).await.is_empty());

    // Another endpoint with the same key is another request too.
    let path = format!("/chats/{chat_id}/members");
    let add = api
        .keyed(
            Method::POST,
            &path,
            &alice.token,
            &key,
            Some(json!({"user_id": bob.id})),
        )
        .await;
    add.expect_error(422, "validation_error");
    let chat = api.get(&format!("/chats/{chat_id}"), &alice.token).await;
    assert_eq!(chat.expect(200)["members"], json!([alice.id]));

    // Keys are the caller's own: another user's same key is a fresh one.
    let bobs = create_keyed(&api, bob, &key, json!({ "name": other })).await;
    bobs.expect(201);
}

#[tokio::test]
async fn keyed_member_changes_retried_answer_the_first_result() {
    let api = Api::new();
    let users = api.users("rtm", 3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(alice, &[bob]).await;
    let chat_id = chat["id"].as_str().unwrap();

    let members = format!("/chats/{chat_id}/members");
    let add_key = unique("add-");
    let add = json!({"user_id": carol.id});
    let added = api
        .keyed(
            Method::POST,
            &members,
            &alice.token,
            &add_key,
            Some(add.clone()),
        )
        .await;
    let added = added.expect(200).clone();
    assert_eq!(added["members"].as_array().unwrap().len(), 3);
    let again = api
        .keyed(Method::POST, &members, &alice.token, &add_key, Some(add))
        .await;
    assert_eq!(again.expect(200), &added);

    // A removal retried after it succeeded answers the same chat, not 404 for a non-member.
    let remove = format!("/chats/{chat_id}/members/{}", carol.id);
    let remove_key = unique("remove-");
    let removed = api
        .keyed(Method::DELETE, &remove, &alice.token, &remove_key, None)
        .await;
    let removed = removed.expect(200).clone();
    assert_eq!(removed["members"].as_array().unwrap().len(), 2);
    let again = api
        .keyed(Method::DELETE, &remove, &alice.token, &remove_key, None)
        .await;
    assert_eq!(again.expect(200), &removed);
    // Unkeyed, the same retry is a removal of a non-member, as before.
    api.delete(&remove, &alice.token)
        .await
        .expect_error(404, "not_found");
    let chat = api.get(&format!("/chats/{chat_id}"), &carol.token).await;
    chat.expect_error(404, "not_found");
}

#[tokio::test]
async fn a_key_that_cannot_be_one_is_refused_before_anything_changes() {
    let api = Api::new();
    let alice = api.user("rtb").await;
    let name = unique("bad key ");
    for key in ["k".repeat(256), "tab\tkey".to_owned(), "\"\"".to_owned()] {
        let reply = create_keyed(&api, &alice, &key, json!({ "name": name })).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "Idempotency-Key", "{key:?}");
    }
    assert!(chats_named(&api, &alice, &name).await.is_empty());
    // The draft's quoted form and the plain one are both keys.
    let quoted = format!("\"{}\"", unique("q-"));
    create_keyed(&api, &alice, &quoted, json!({ "name": name }))
        .await
        .expect(201);
}

#[tokio::test]
async fn ten_concurrent_copies_of_a_keyed_removal_answer_alike() {
    let api = Api::new();
    let users = api.users("rtd", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let chat = api.create_chat(alice, &[bob]).await;
    let path = format!("/chats/{}/members/{}", chat["id"].as_str().unwrap(), bob.id);
    let key = unique("remove-");
    let replies =
        join_all((0..10).map(|_| api.keyed(Method::DELETE, &path, &alice.token, &key, None))).await;
    let first = replies[0].expect(200);
    assert_eq!(first["members"], json!([alice.id]));
    for reply in &replies {
        assert_eq!(reply.expect(200), first);
    }
}
