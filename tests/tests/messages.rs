//! The messages endpoint group, end to end through the local API Gateway.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use e2e::ws::Socket;
use e2e::{Api, TestUser};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

const MESSAGE_FIELDS: [&str; 16] = [
    "attachments",
    "chat_id",
    "content",
    "conversation_id",
    "created_at",
    "deleted",
    "edited_at",
    "id",
    "message_type",
    "reactions",
    "read_by",
    "recipient_id",
    "reply_to_id",
    "sender_id",
    "seq",
    "updated_seq",
];

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn pair(api: &Api, prefix: &str) -> (TestUser, TestUser) {
    let mut users = api.users(prefix, 2).await;
    let b = users.pop().unwrap();
    let a = users.pop().unwrap();
    (a, b)
}

#[tokio::test]
async fn a_direct_message_has_every_field_and_only_its_users_see_it() {
    let api = Api::new();
    let users = api.users("msd", 3).await;
    let (alice, bob, eve) = (&users[0], &users[1], &users[2]);
    let reply = api
        .post(
            "/messages/",
            Some(&alice.token),
            json!({"recipient_id": bob.id, "content": "hello ☃"}),
        )
        .await;
    let m = reply.expect(201).clone();
    assert_eq!(keys(&m), MESSAGE_FIELDS.map(String::from).to_vec());
    assert_eq!(m["sender_id"], alice.id.as_str());
    assert_eq!(m["recipient_id"], bob.id.as_str());
    assert_eq!(m["chat_id"], Value::Null);
    assert_eq!(m["content"], "hello ☃");
    assert_eq!(m["message_type"], "text");
    assert_eq!(m["reply_to_id"], Value::Null);
    assert_eq!(m["reactions"], json!({}));
    assert_eq!(m["read_by"], json!([]));
    assert_eq!(m["edited_at"], Value::Null);
    assert_eq!(m["deleted"], false);
    assert_eq!(m["attachments"], json!([]));
    assert_eq!(
        (m["seq"].clone(), m["updated_seq"].clone()),
        (json!(1), json!(1))
    );
    let created_at = m["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "{created_at}"
    );

    let path = format!("/messages/{}", id(&m));
    assert_eq!(api.get(&path, &alice.token).await.expect(200), &m);
    assert_eq!(api.get(&path, &bob.token).await.expect(200), &m);
    api.get(&path, &eve.token)
        .await
        .expect_error(404, "not_found");

    // Ids sort by creation time.
    let later = api.send_direct(bob, alice, "later").await;
    assert!(id(&later) > id(&m));
    assert_eq!(later["conversation_id"], m["conversation_id"]);

    // `text` named explicitly; `image` and `file` need attachments (tests/tests/attachments.rs).
    let reply = api
        .post(
            "/messages",
            Some(&alice.token),
            json!({"recipient_id": bob.id, "content": "x", "message_type": "text"}),
        )
        .await;
    assert_eq!(reply.expect(201)["message_type"], "text");
}

/// A notice from the service is what clients show `system` messages as: only the service makes
/// them. A client's `system` is refused on REST and on the WebSocket, and nothing is stored.
#[tokio::test]
async fn clients_cannot_post_system_messages() {
    let api = Api::new();
    let alice = api.user("sys").await;
    let bob = api.user("sys").await;
    let notice = json!({"recipient_id": bob.id, "content": "Your account is locked", "message_type": "system"});
    let reply = api
        .post("/messages", Some(&alice.token), notice.clone())
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "message_type");

    let mut socket = Socket::connect(&alice.token).await;
    let mut frame = notice;
    frame["action"] = json!("sendMessage");
    socket.send(frame).await;
    let error = socket.expect("error").await;
    assert_eq!(error["data"]["code"], "validation_error");
    assert_eq!(error["data"]["field"], "message_type");

    let history = api
        .get(&format!("/messages/conversation/{}", bob.id), &alice.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([]));
}

#[tokio::test]
async fn sending_validates_its_input() {
    let api = Api::new();
    let users = api.users("msv", 3).await;
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(bob, &[carol]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let other_conv = api.send_direct(bob, carol, "elsewhere").await;

    let cases: Vec<(Value, &str)> = vec![
        (json!({"content": "x"}), "recipient_id"),
        (
            json!({"recipient_id": bob.id, "chat_id": chat_id, "content": "x"}),
            "recipient_id",
        ),
        (json!({"recipient_id": bob.id}), "content"),
        (json!({"recipient_id": bob.id, "content": ""}), "content"),
        (
            json!({"recipient_id": bob.id, "content": "x".repeat(4001)}),
            "content",
        ),
        (json!({"recipient_id": bob.id, "content": 3}), "content"),
        (
            json!({"recipient_id": bob.id, "content": "x", "message_type": "video"}),
            "message_type",
        ),
        (
            json!({"recipient_id": bob.id, "content": "x", "client_message_id": ""}),
            "client_message_id",
        ),
        (
            json!({"recipient_id": bob.id, "content": "x", "client_message_id": "k".repeat(65)}),
            "client_message_id",
        ),
        (
            json!({"recipient_id": alice.id, "content": "to myself"}),
            "recipient_id",
        ),
        (
            json!({"recipient_id": bob.id, "content": "x", "reply_to_id": id(&other_conv)}),
            "reply_to_id",
        ),
        (
            json!({"recipient_id": bob.id, "content": "x", "reply_to_id": "garbage"}),
            "reply_to_id",
        ),
    ];
    for (body, field) in cases {
        let reply = api
            .post("/messages", Some(&alice.token), body.clone())
            .await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "{body}");
    }
    // 4000 characters (not bytes) are fine.
    api.post(
        "/messages",
        Some(&alice.token),
        json!({"recipient_id": bob.id, "content": "é".repeat(4000)}),
    )
    .await
    .expect(201);

    api.post(
        "/messages",
        Some(&alice.token),
        json!({"recipient_id": "01NOSUCHUSER0000000000000X", "content": "x"}),
    )
    .await
    .expect_error(404, "not_found");
    api.post(
        "/messages",
        Some(&alice.token),
        json!({"chat_id": chat_id, "content": "x"}),
    )
    .await
    .expect_error(403, "forbidden");
    api.post(
        "/messages",
        Some(&alice.token),
        json!({"chat_id": "01NOSUCHCHAT00000000000000", "content": "x"}),
    )
    .await
    .expect_error(404, "not_found");

    for raw in [&b"{oops"[..], b"[]", b"42"] {
        api.raw(
            Method::POST,
            "/messages",
            Some(&alice.token),
            Some(raw.to_vec()),
        )
        .await
        .expect_error(400, "bad_request");
    }
    let huge = json!({"recipient_id": bob.id, "content": "x".repeat(70 * 1024)})
        .to_string()
        .into_bytes();
    api.raw(Method::POST, "/messages", Some(&alice.token), Some(huge))
        .await
        .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn replies_stay_in_their_conversation() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msr").await;
    let first = api.send_direct(&alice, &bob, "question").await;
    let reply = api
        .post(
            "/messages",
            Some(&bob.token),
            json!({"recipient_id": alice.id, "content": "answer", "reply_to_id": id(&first)}),
        )
        .await;
    assert_eq!(reply.expect(201)["reply_to_id"], id(&first).as_str());
}

#[tokio::test]
async fn a_client_message_id_makes_a_send_idempotent() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msi").await;
    let body = json!({"recipient_id": bob.id, "content": "once", "client_message_id": "k-1"});
    let first = api
        .post("/messages", Some(&alice.token), body.clone())
        .await;
    let first = first.expect(201).clone();
    let again = api.post("/messages", Some(&alice.token), body).await;
    assert_eq!(again.expect(200), &first);
    // Another key is another message; the same key of another sender too.
    let other = api
        .post(
            "/messages",
            Some(&alice.token),
            json!({"recipient_id": bob.id, "content": "twice", "client_message_id": "k-2"}),
        )
        .await;
    assert_ne!(id(other.expect(201)), id(&first));
    let bobs = api
        .post(
            "/messages",
            Some(&bob.token),
            json!({"recipient_id": alice.id, "content": "mine", "client_message_id": "k-1"}),
        )
        .await;
    assert_ne!(id(bobs.expect(201)), id(&first));
    let (history, _) = api
        .all_pages(
            &format!("/messages/conversation/{}", bob.id),
            &alice.token,
            50,
        )
        .await;
    assert_eq!(history.len(), 3);
}

#[tokio::test]
async fn chat_messages_reach_members_only() {
    let api = Api::new();
    let users = api.users("msc", 3).await;
    let (owner, member, outsider) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(owner, &[member]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let m = api.send_to_chat(member, chat_id, "hi all").await;
    assert_eq!(m["chat_id"], chat_id);
    assert_eq!(m["recipient_id"], Value::Null);
    assert_eq!(m["conversation_id"], format!("c.{chat_id}").as_str());

    let history = api
        .get(&format!("/messages/chat/{chat_id}/"), &owner.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([m]));
    api.get(&format!("/messages/chat/{chat_id}"), &outsider.token)
        .await
        .expect_error(404, "not_found");
    api.get("/messages/chat/01NOSUCHCHAT00000000000000", &owner.token)
        .await
        .expect_error(404, "not_found");
    api.get(&format!("/messages/{}", id(&m)), &outsider.token)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn non_participants_get_404_on_every_message_route() {
    let api = Api::new();
    let users = api.users("msn", 3).await;
    let (alice, bob, eve) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(alice, &[bob]).await;
    let direct = api.send_direct(alice, bob, "private").await;
    let in_chat = api
        .send_to_chat(alice, chat["id"].as_str().unwrap(), "members only")
        .await;
    for m in [&direct, &in_chat] {
        let path = format!("/messages/{}", id(m));
        let tries = [
            (Method::GET, path.clone(), None),
            (
                Method::PUT,
                path.clone(),
                Some(json!({"content": "mine now"})),
            ),
            (Method::DELETE, path.clone(), None),
            (
                Method::POST,
                format!("{path}/reactions"),
                Some(json!({"emoji": "👍"})),
            ),
            (
                Method::DELETE,
                format!("{path}/reactions"),
                Some(json!({"emoji": "👍"})),
            ),
            (Method::PATCH, format!("{path}/read"), None),
        ];
        for (method, path, body) in tries {
            let reply = api
                .call(method.clone(), &path, Some(&eve.token), body)
                .await;
            reply.expect_error(404, "not_found");
        }
    }
    // Malformed and altered ids name nothing.
    let tampered = id(&direct).replace(&alice.id, &eve.id);
    for bad in [
        "nonsense",
        "01JD8X3B1R0000000000000000.d.x",
        tampered.as_str(),
    ] {
        api.get(&format!("/messages/{bad}"), &alice.token)
            .await
            .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn only_the_sender_edits_and_a_deleted_message_cannot_be_edited() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "mse").await;
    let m = api.send_direct(&alice, &bob, "draft").await;
    let path = format!("/messages/{}", id(&m));

    let edited = api
        .put(&path, &alice.token, json!({"content": "final"}))
        .await;
    let edited = edited.expect(200).clone();
    assert_eq!(edited["content"], "final");
    assert!(edited["edited_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(edited["id"], m["id"]);
    assert_eq!(api.get(&path, &bob.token).await.expect(200), &edited);

    api.put(&path, &bob.token, json!({"content": "hijack"}))
        .await
        .expect_error(403, "forbidden");
    for body in [
        json!({}),
        json!({"content": ""}),
        json!({"content": "x".repeat(4001)}),
    ] {
        let reply = api.put(&path, &alice.token, body).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "content");
    }
    api.raw(
        Method::PUT,
        &path,
        Some(&alice.token),
        Some(b"nope".to_vec()),
    )
    .await
    .expect_error(400, "bad_request");

    api.delete(&path, &alice.token).await.expect(204);
    api.put(&path, &alice.token, json!({"content": "undead"}))
        .await
        .expect_error(409, "conflict");
}

#[tokio::test]
async fn deleting_leaves_a_tombstone_and_may_be_repeated() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msx").await;
    let m = api.send_direct(&alice, &bob, "regret").await;
    let path = format!("/messages/{}", id(&m));
    api.post(
        &format!("{path}/reactions"),
        Some(&bob.token),
        json!({"emoji": "😮"}),
    )
    .await
    .expect(200);

    api.delete(&path, &bob.token)
        .await
        .expect_error(403, "forbidden");
    let reply = api.delete(&path, &alice.token).await;
    reply.expect(204);
    assert_eq!(reply.body, Value::Null);

    let tombstone = api.get(&path, &bob.token).await.expect(200).clone();
    assert_eq!(tombstone["deleted"], true);
    assert_eq!(tombstone["content"], "");
    assert_eq!(tombstone["reactions"], json!({}));
    let history = api
        .get(&format!("/messages/conversation/{}", alice.id), &bob.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([tombstone]));

    // Deleting again answers the same; reacting to a tombstone is a conflict.
    api.delete(&path, &alice.token).await.expect(204);
    api.post(
        &format!("{path}/reactions"),
        Some(&bob.token),
        json!({"emoji": "👍"}),
    )
    .await
    .expect_error(409, "conflict");
}

#[tokio::test]
async fn reactions_are_sets_per_emoji() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msa").await;
    let m = api.send_direct(&alice, &bob, "react to me").await;
    let path = format!("/messages/{}/reactions", id(&m));

    let r = api
        .post(&path, Some(&alice.token), json!({"emoji": "👍"}))
        .await;
    assert_eq!(r.expect(200)["reactions"], json!({"👍": [alice.id]}));
    let r = api
        .post(&path, Some(&alice.token), json!({"emoji": "👍"}))
        .await;
    assert_eq!(
        r.expect(200)["reactions"],
        json!({"👍": [alice.id]}),
        "adding twice changes nothing"
    );
    api.post(&path, Some(&bob.token), json!({"emoji": "👍"}))
        .await
        .expect(200);
    let r = api
        .post(&path, Some(&bob.token), json!({"emoji": "👨‍👩‍👧"}))
        .await;
    let mut both = vec![alice.id.clone(), bob.id.clone()];
    both.sort();
    assert_eq!(
        r.expect(200)["reactions"],
        json!({"👍": both, "👨‍👩‍👧": [bob.id]})
    );

    // Removal: emoji as query parameter or in the body.
    let r = api
        .call(
            Method::DELETE,
            &format!("{path}?emoji=👍"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(
        r.expect(200)["reactions"],
        json!({"👍": [bob.id], "👨‍👩‍👧": [bob.id]})
    );
    let r = api
        .call(
            Method::DELETE,
            &path,
            Some(&bob.token),
            Some(json!({"emoji": "👍"})),
        )
        .await;
    assert_eq!(r.expect(200)["reactions"], json!({"👨‍👩‍👧": [bob.id]}));
    // Removing what is not there changes nothing.
    let r = api
        .call(
            Method::DELETE,
            &path,
            Some(&alice.token),
            Some(json!({"emoji": "🎉"})),
        )
        .await;
    assert_eq!(r.expect(200)["reactions"], json!({"👨‍👩‍👧": [bob.id]}));

    for body in [
        json!({}),
        json!({"emoji": ""}),
        json!({"emoji": "x".repeat(33)}),
        json!({"emoji": 1}),
    ] {
        let reply = api.post(&path, Some(&alice.token), body).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "emoji");
    }
    let reply = api
        .call(Method::DELETE, &path, Some(&alice.token), None)
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "emoji");
}

#[tokio::test]
async fn read_receipts_and_unread_counts() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msm").await;
    let first = api.send_direct(&alice, &bob, "one").await;
    let second = api.send_direct(&alice, &bob, "two").await;
    let inbox = api.get("/messages/conversations", &bob.token).await;
    let entry = inbox.expect(200)["items"][0].clone();
    assert_eq!(entry["unread_count"], 2);
    assert_eq!(entry["last_message"]["id"], second["id"]);

    let path = format!("/messages/{}/read", id(&first));
    let read = api.patch(&path, &bob.token, json!({})).await;
    assert_eq!(read.expect(200)["read_by"], json!([bob.id]));
    let again = api.patch(&path, &bob.token, json!({})).await;
    assert_eq!(again.expect(200)["read_by"], json!([bob.id]));
    let inbox = api.get("/messages/conversations", &bob.token).await;
    assert_eq!(
        inbox.expect(200)["items"][0]["unread_count"],
        1,
        "counted once"
    );

    // The sender may mark its own message; it never counted as unread for it.
    let own = api.patch(&path, &alice.token, json!({})).await;
    let mut both = vec![alice.id.clone(), bob.id.clone()];
    both.sort();
    assert_eq!(own.expect(200)["read_by"], json!(both));
    let inbox = api.get("/messages/conversations", &alice.token).await;
    assert_eq!(inbox.expect(200)["items"][0]["unread_count"], 0);

    api.patch(
        &format!("/messages/{}/read", id(&second)),
        &bob.token,
        json!({}),
    )
    .await
    .expect(200);
    let inbox = api.get("/messages/conversations", &bob.token).await;
    assert_eq!(inbox.expect(200)["items"][0]["unread_count"], 0);
}

#[tokio::test]
async fn the_inbox_lists_conversations_by_latest_activity() {
    let api = Api::new();
    let users = api.users("msb", 3).await;
    let (me, peer, other) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(other, &[me]).await;
    let chat_id = chat["id"].as_str().unwrap();

    api.send_direct(peer, me, "old").await;
    let in_chat = api.send_to_chat(other, chat_id, "newer").await;
    let mine = api.send_direct(me, other, "newest").await;

    let (items, sizes) = api.all_pages("/messages/conversations", &me.token, 2).await;
    assert_eq!(sizes, vec![2, 1]);
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["direct", "chat", "direct"]);
    let mut k = keys(&items[0]);
    k.sort();
    assert_eq!(
        k,
        [
            "chat",
            "conversation_id",
            "kind",
            "last_message",
            "peer",
            "unread_count"
        ]
    );

    let newest = &items[0];
    assert_eq!(newest["last_message"], mine);
    assert_eq!(newest["peer"]["id"], other.id.as_str());
    assert!(newest["peer"].get("email").is_none(), "a public user");
    assert_eq!(newest["chat"], Value::Null);
    assert_eq!(newest["unread_count"], 0, "my own message");

    let chat_entry = &items[1];
    assert_eq!(
        chat_entry["conversation_id"],
        format!("c.{chat_id}").as_str()
    );
    assert_eq!(chat_entry["chat"]["id"], chat_id);
    assert_eq!(chat_entry["peer"], Value::Null);
    assert_eq!(chat_entry["last_message"], in_chat);
    assert_eq!(chat_entry["unread_count"], 1);

    assert_eq!(items[2]["peer"]["id"], peer.id.as_str());
    assert_eq!(items[2]["unread_count"], 1);

    // An edit of the last message shows in the inbox; so does its deletion.
    let path = format!("/messages/{}", id(&in_chat));
    api.put(&path, &other.token, json!({"content": "edited"}))
        .await
        .expect(200);
    let inbox = api.get("/messages/conversations", &me.token).await;
    assert_eq!(
        inbox.expect(200)["items"][1]["last_message"]["content"],
        "edited"
    );
    api.delete(&path, &other.token).await.expect(204);
    let inbox = api.get("/messages/conversations", &me.token).await;
    let entry = &inbox.expect(200)["items"][1];
    assert_eq!(entry["last_message"]["deleted"], true);
    assert_eq!(entry["last_message"]["content"], "");

    // Leaving the chat removes it from the inbox.
    api.delete(&format!("/chats/{chat_id}/members/{}", me.id), &me.token)
        .await
        .expect(200);
    let (items, _) = api
        .all_pages("/messages/conversations", &me.token, 50)
        .await;
    assert_eq!(items.len(), 2);

    api.get("/messages/conversations?limit=0", &me.token)
        .await
        .expect_error(422, "validation_error");
}

#[tokio::test]
async fn history_pages_250_messages_newest_first_each_once() {
    let api = Api::new();
    let (alice, bob) = pair(&api, "msp").await;
    let sent: Vec<Value> = futures::stream::iter(0..250)
        .map(|i| {
            let api = api.clone();
            let (from, to) = if i % 3 == 0 {
                (bob.clone(), alice.clone())
            } else {
                (alice.clone(), bob.clone())
            };
            async move { api.send_direct(&from, &to, &format!("message {i}")).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;

    let path = format!("/messages/conversation/{}", bob.id);
    let (items, sizes) = api.all_pages(&path, &alice.token, 50).await;
    assert_eq!(sizes, vec![50; 5], "the fifth page is the last");
    let got: Vec<String> = items.iter().map(id).collect();
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), 250, "each exactly once");
    let expected: HashSet<String> = sent.iter().map(id).collect();
    assert_eq!(got.iter().cloned().collect::<HashSet<_>>(), expected);
    assert!(got.windows(2).all(|w| w[0] > w[1]), "newest first");
    let times: Vec<&str> = items
        .iter()
        .map(|m| m["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    // Bob sees the same conversation.
    let (from_bob, _) = api
        .all_pages(
            &format!("/messages/conversation/{}", alice.id),
            &bob.token,
            100,
        )
        .await;
    assert_eq!(from_bob.iter().map(id).collect::<Vec<_>>(), got);

    // A cursor is bound to its conversation and cannot be altered.
    let first = api.get(&format!("{path}?limit=50"), &alice.token).await;
    let cursor = first.expect(200)["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let carol = api.user("msp").await;
    api.send_direct(&alice, &carol, "elsewhere").await;
    let foreign = api
        .get(
            &format!("/messages/conversation/{}?cursor={cursor}", carol.id),
            &alice.token,
        )
        .await;
    foreign.expect_error(422, "validation_error");
    assert_eq!(foreign.field(), "cursor");
    let mut altered = cursor.into_bytes();
    let last = altered.len() - 3;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    api.get(&format!("{path}?cursor={altered}"), &alice.token)
        .await
        .expect_error(422, "validation_error");
    for limit in ["0", "101", "-1", "many"] {
        api.get(&format!("{path}?limit={limit}"), &alice.token)
            .await
            .expect_error(422, "validation_error");
    }
}

#[tokio::test]
async fn every_message_route_requires_a_token() {
    let api = Api::new();
    let m = "01JD8X3B1R0000000000000000.c.NOSUCHCHAT";
    let routes = [
        (Method::POST, "/messages".to_owned()),
        (Method::GET, "/messages/conversations".to_owned()),
        (Method::GET, "/messages/conversation/someone".to_owned()),
        (Method::GET, "/messages/chat/somechat".to_owned()),
        (Method::GET, format!("/messages/{m}")),
        (Method::PUT, format!("/messages/{m}")),
        (Method::DELETE, format!("/messages/{m}")),
        (Method::POST, format!("/messages/{m}/reactions")),
        (Method::DELETE, format!("/messages/{m}/reactions")),
        (Method::PATCH, format!("/messages/{m}/read")),
    ];
    for (method, path) in routes {
        api.call(method.clone(), &path, None, Some(json!({})))
            .await
            .expect_error(401, "unauthorized");
        api.call(method, &path, Some("Bearer.not.a.jwt"), None)
            .await
            .expect_error(401, "unauthorized");
    }
}
