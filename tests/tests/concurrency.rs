//! Messages under concurrent requests, end to end. CI may run this file repeatedly:
//! `cargo test -p e2e --test concurrency` with the stack's environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::Api;
use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn fifty_users_reacting_at_once_leave_fifty_reactions() {
    let api = Api::new();
    let users = api.users("ccr", 50).await;
    let others: Vec<_> = users[1..].iter().collect();
    let chat = api.create_chat(&users[0], &others).await;
    let m = api
        .send_to_chat(&users[0], chat["id"].as_str().unwrap(), "react!")
        .await;
    let path = format!("/messages/{}/reactions", m["id"].as_str().unwrap());

    let replies = join_all(users.iter().map(|u| {
        let api = api.clone();
        let path = path.clone();
        let token = u.token.clone();
        async move { api.post(&path, Some(&token), json!({"emoji": "🔥"})).await }
    }))
    .await;
    for reply in &replies {
        reply.expect(200);
    }
    let stored = api
        .get(
            &format!("/messages/{}", m["id"].as_str().unwrap()),
            &users[0].token,
        )
        .await;
    let mut reacted: Vec<String> = stored.expect(200)["reactions"]["🔥"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    reacted.sort();
    let mut expected: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    expected.sort();
    assert_eq!(reacted, expected);
}

#[tokio::test]
async fn ten_concurrent_sends_with_one_key_store_one_message() {
    let api = Api::new();
    let users = api.users("cci", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    let body =
        json!({"recipient_id": bob.id, "content": "exactly once", "client_message_id": "retry-me"});
    let replies = join_all((0..10).map(|_| {
        let api = api.clone();
        let body = body.clone();
        let token = alice.token.clone();
        async move { api.post("/messages", Some(&token), body).await }
    }))
    .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [vec![200; 9], vec![201]].concat(), "{replies:?}");
    let first = replies[0].body.clone();
    assert!(
        replies.iter().all(|r| r.body == first),
        "all get the first message"
    );

    let history = api
        .get(&format!("/messages/conversation/{}", bob.id), &alice.token)
        .await;
    assert_eq!(history.expect(200)["items"], json!([first]));
    let inbox = api.get("/messages/conversations", &bob.token).await;
    assert_eq!(inbox.expect(200)["items"][0]["unread_count"], 1);
}

/// A request: method, path, bearer token, body.
type Call = (Method, String, String, Option<Value>);

#[tokio::test]
async fn concurrent_edits_reactions_and_deletes_never_resurrect_a_message() {
    let api = Api::new();
    let users = api.users("ccd", 2).await;
    let (alice, bob) = (&users[0], &users[1]);
    for round in 0..5 {
        let m = api.send_direct(alice, bob, &format!("round {round}")).await;
        let path = format!("/messages/{}", m["id"].as_str().unwrap());
        let emojis = ["👍", "🎉", "❤️", "😂"];
        let calls = |with_deletes: bool| {
            let mut calls: Vec<Call> = Vec::new();
            for i in 0..8 {
                calls.push((
                    Method::PUT,
                    path.clone(),
                    alice.token.clone(),
                    Some(json!({"content": format!("edit {i}")})),
                ));
                let reactor = if i % 2 == 0 { &bob.token } else { &alice.token };
                calls.push((
                    Method::POST,
                    format!("{path}/reactions"),
                    reactor.clone(),
                    Some(json!({"emoji": emojis[i % 4]})),
                ));
            }
            if with_deletes {
                let delete = (Method::DELETE, path.clone(), alice.token.clone(), None);
                calls.insert(5, delete.clone());
                calls.push(delete);
            }
            calls
        };
        let run = |calls: Vec<Call>| {
            join_all(calls.into_iter().map(|(method, path, token, body)| {
                let api = api.clone();
                async move {
                    let reply = api.call(method.clone(), &path, Some(&token), body).await;
                    (method, reply)
                }
            }))
        };

        // Without a delete, every edit and reaction wins: none may be refused.
        for (method, reply) in run(calls(false)).await {
            assert_eq!(reply.status.as_u16(), 200, "{method} {:#}", reply.body);
        }
        let stored = api.get(&path, &bob.token).await.expect(200).clone();
        let edits: Vec<Value> = (0..8).map(|i| json!(format!("edit {i}"))).collect();
        assert!(edits.contains(&stored["content"]), "{stored:#}");
        let (a, b) = (json!([alice.id]), json!([bob.id]));
        assert_eq!(
            stored["reactions"],
            json!({"👍": b, "🎉": a, "❤️": b, "😂": a}),
            "every reaction landed once"
        );

        // With deletes in the mix, a change lands before the delete or is refused because of
        // it, never for anything else, and never undoes it.
        let replies = run(calls(true)).await;
        for (method, reply) in &replies {
            match (method.clone(), reply.status.as_u16()) {
                (Method::DELETE, status) => assert_eq!(status, 204, "{:#}", reply.body),
                (_, 200) => assert_eq!(reply.body["deleted"], false, "{:#}", reply.body),
                (_, 409) => {
                    let message = reply.body["error"]["message"].as_str().unwrap_or_default();
                    assert!(message.contains("deleted"), "{method} {:#}", reply.body);
                }
                (_, status) => panic!("{method} {status} {:#}", reply.body),
            }
        }

        for token in [&alice.token, &bob.token] {
            let stored = api.get(&path, token).await.expect(200).clone();
            assert_eq!(stored["deleted"], true, "{stored:#}");
            assert_eq!(stored["content"], "", "{stored:#}");
            assert_eq!(stored["reactions"], json!({}), "{stored:#}");
        }
        // Later changes stay refused.
        api.put(&path, &alice.token, json!({"content": "back"}))
            .await
            .expect_error(409, "conflict");
        api.post(
            &format!("{path}/reactions"),
            Some(&bob.token),
            json!({"emoji": "👻"}),
        )
        .await
        .expect_error(409, "conflict");
        let history = api
            .get(
                &format!("/messages/conversation/{}?limit=1", bob.id),
                &alice.token,
            )
            .await;
        let newest = &history.expect(200)["items"][0];
        assert_eq!(
            (newest["deleted"].clone(), newest["content"].clone()),
            (json!(true), json!(""))
        );
    }
}
