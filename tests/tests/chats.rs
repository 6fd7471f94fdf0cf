//! The chats endpoint group, end to end through the local API Gateway.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Api, unique};
use reqwest::Method;
use serde_json::{Value, json};

fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn members(chat: &Value) -> Vec<String> {
    chat["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn creating_a_chat_returns_it_with_the_creator_as_member() {
    let api = Api::new();
    let users = api.users("chc", 3).await;
    let (owner, a, b) = (&users[0], &users[1], &users[2]);
    let name = unique("Team ");
    let reply = api
        .post(
            "/chats/",
            Some(&owner.token),
            // Duplicates and the creator itself are fine.
            json!({"name": name, "member_ids": [a.id, b.id, a.id, owner.id]}),
        )
        .await;
    let chat = reply.expect(201);
    let mut keys: Vec<&String> = chat.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["created_at", "created_by", "id", "members", "name"]);
    assert_eq!(chat["name"], name.as_str());
    assert_eq!(chat["created_by"], owner.id.as_str());
    assert_eq!(
        members(chat),
        sorted(vec![owner.id.clone(), a.id.clone(), b.id.clone()])
    );
    assert!(chat["created_at"].as_str().unwrap().ends_with('Z'));

    // member_ids may be left out: a chat of one.
    let alone = api
        .post("/chats", Some(&owner.token), json!({"name": "solo"}))
        .await;
    assert_eq!(members(alone.expect(201)), vec![owner.id.clone()]);
}

#[tokio::test]
async fn creating_a_chat_validates_its_input() {
    let api = Api::new();
    let owner = api.user("chv").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "n".repeat(101)}), "name"),
        (json!({"name": 5}), "name"),
        (json!({"name": "ok", "member_ids": "x"}), "member_ids"),
        (json!({"name": "ok", "member_ids": [1, 2]}), "member_ids"),
        (
            json!({"name": "ok", "member_ids": ["01NOSUCHUSER0000000000000X"]}),
            "member_ids",
        ),
        (
            json!({"name": "ok", "member_ids": ["bad/id"]}),
            "member_ids",
        ),
    ];
    for (body, field) in cases {
        let reply = api.post("/chats", Some(&owner.token), body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "{body}");
    }
    // More members than one transaction can create.
    let many: Vec<String> = (0..99).map(|i| format!("01MANY{i:020}")).collect();
    let reply = api
        .post(
            "/chats",
            Some(&owner.token),
            json!({"name": "big", "member_ids": many}),
        )
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "member_ids");
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 98"),
        "{:#}",
        reply.body
    );
    // Exactly 100 characters is fine.
    api.post(
        "/chats",
        Some(&owner.token),
        json!({"name": "n".repeat(100)}),
    )
    .await
    .expect(201);

    for raw in [&b"{not json"[..], b"[1]"] {
        let reply = api
            .raw(
                Method::POST,
                "/chats",
                Some(&owner.token),
                Some(raw.to_vec()),
            )
            .await;
        reply.expect_error(400, "bad_request");
    }
    let huge = json!({"name": "x".repeat(70 * 1024)})
        .to_string()
        .into_bytes();
    api.raw(Method::POST, "/chats", Some(&owner.token), Some(huge))
        .await
        .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn only_members_see_a_chat() {
    let api = Api::new();
    let users = api.users("chg", 3).await;
    let (owner, member, outsider) = (&users[0], &users[1], &users[2]);
    let chat = api.create_chat(owner, &[member]).await;
    let path = format!("/chats/{}", chat["id"].as_str().unwrap());
    assert_eq!(api.get(&path, &member.token).await.expect(200), &chat);
    api.get(&format!("{path}/"), &owner.token).await.expect(200);
    api.get(&path, &outsider.token)
        .await
        .expect_error(404, "not_found");
    api.get("/chats/01NOSUCHCHAT00000000000000", &owner.token)
        .await
        .expect_error(404, "not_found");
    api.get("/chats/not%23valid", &owner.token)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn listing_my_chats_pages_through_each_once() {
    let api = Api::new();
    let users = api.users("chl", 3).await;
    let (me, other, stranger) = (&users[0], &users[1], &users[2]);
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(api.create_chat(me, &[other]).await);
    }
    created.push(api.create_chat(other, &[me]).await);
    api.create_chat(other, &[stranger]).await; // not mine

    let (items, sizes) = api.all_pages("/chats", &me.token, 2).await;
    assert_eq!(sizes, vec![2, 2]);
    assert_eq!(sorted(ids(&items)), sorted(ids(&created)));
    // Most recently joined first.
    assert_eq!(ids(&items)[0], created[3]["id"].as_str().unwrap());

    let first = api.get("/chats?limit=2", &me.token).await;
    let cursor = first.expect(200)["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another user's cursor, an altered one, and bad limits.
    api.get(&format!("/chats/?limit=2&cursor={cursor}"), &other.token)
        .await
        .expect_error(422, "validation_error");
    let mut altered = cursor.clone().into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let reply = api
        .get(&format!("/chats?cursor={altered}"), &me.token)
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "cursor");
    for limit in ["0", "101", "x"] {
        let reply = api.get(&format!("/chats?limit={limit}"), &me.token).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "limit");
    }
}

#[tokio::test]
async fn members_add_members_idempotently() {
    let api = Api::new();
    let users = api.users("cha", 4).await;
    let (owner, member, newcomer, outsider) = (&users[0], &users[1], &users[2], &users[3]);
    let chat = api.create_chat(owner, &[member]).await;
    let path = format!("/chats/{}/members", chat["id"].as_str().unwrap());

    // Any member may add, not only the creator.
    let reply = api
        .post(&path, Some(&member.token), json!({"user_id": newcomer.id}))
        .await;
    let added = reply.expect(200).clone();
    assert!(members(&added).contains(&newcomer.id));
    let again = api
        .post(
            &format!("{path}/"),
            Some(&owner.token),
            json!({"user_id": newcomer.id}),
        )
        .await;
    assert_eq!(members(again.expect(200)), members(&added));
    api.get(
        &format!("/chats/{}", chat["id"].as_str().unwrap()),
        &newcomer.token,
    )
    .await
    .expect(200);

    api.post(
        &path,
        Some(&outsider.token),
        json!({"user_id": outsider.id}),
    )
    .await
    .expect_error(403, "forbidden");
    for body in [
        json!({}),
        json!({"user_id": 7}),
        json!({"user_id": "01NOSUCHUSER0000000000000X"}),
    ] {
        let reply = api.post(&path, Some(&owner.token), body).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "user_id");
    }
    api.post(
        "/chats/01NOSUCHCHAT00000000000000/members",
        Some(&owner.token),
        json!({"user_id": member.id}),
    )
    .await
    .expect_error(404, "not_found");
    api.raw(Method::POST, &path, Some(&owner.token), Some(b"{".to_vec()))
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn members_leave_and_the_creator_removes_anyone() {
    let api = Api::new();
    let users = api.users("chr", 5).await;
    let (owner, a, b, c, outsider) = (&users[0], &users[1], &users[2], &users[3], &users[4]);
    let chat = api.create_chat(owner, &[a, b, c]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let remove = |who: &str| format!("/chats/{chat_id}/members/{who}");

    // A member may not remove another member.
    api.delete(&remove(&b.id), &a.token)
        .await
        .expect_error(403, "forbidden");
    // Non-members get 404, whoever they name.
    api.delete(&remove(&a.id), &outsider.token)
        .await
        .expect_error(404, "not_found");
    api.delete(&remove(&outsider.id), &outsider.token)
        .await
        .expect_error(404, "not_found");
    // Removing somebody who is no member.
    api.delete(&remove(&outsider.id), &owner.token)
        .await
        .expect_error(404, "not_found");

    // A member leaves.
    let left = api.delete(&remove(&a.id), &a.token).await;
    assert!(!members(left.expect(200)).contains(&a.id));
    api.get(&format!("/chats/{chat_id}"), &a.token)
        .await
        .expect_error(404, "not_found");
    let (mine, _) = api.all_pages("/chats", &a.token, 50).await;
    assert!(!ids(&mine).contains(&chat_id.to_owned()));
    api.post(
        "/messages",
        Some(&a.token),
        json!({"chat_id": chat_id, "content": "hi"}),
    )
    .await
    .expect_error(403, "forbidden");
    api.get(&format!("/messages/chat/{chat_id}"), &a.token)
        .await
        .expect_error(404, "not_found");

    // The creator removes another member.
    let after = api.delete(&remove(&b.id), &owner.token).await;
    assert_eq!(
        members(after.expect(200)),
        sorted(vec![owner.id.clone(), c.id.clone()])
    );
    // And a removed member can be added back.
    let back = api
        .post(
            &format!("/chats/{chat_id}/members"),
            Some(&c.token),
            json!({"user_id": b.id}),
        )
        .await;
    assert!(members(back.expect(200)).contains(&b.id));
}

#[tokio::test]
async fn every_chat_route_requires_a_token() {
    let api = Api::new();
    let chat = "01NOSUCHCHAT00000000000000";
    let routes = [
        (Method::POST, "/chats".to_owned()),
        (Method::GET, "/chats".to_owned()),
        (Method::GET, format!("/chats/{chat}")),
        (Method::POST, format!("/chats/{chat}/members")),
        (Method::DELETE, format!("/chats/{chat}/members/someone")),
    ];
    for (method, path) in routes {
        let reply = api.call(method.clone(), &path, None, Some(json!({}))).await;
        reply.expect_error(401, "unauthorized");
        let reply = api
            .call(method, &path, Some("not-a-token"), Some(json!({})))
            .await;
        reply.expect_error(401, "unauthorized");
    }
}
