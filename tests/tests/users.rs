//! The users endpoint group, end to end through the local API Gateway.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Api, unique};
use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

const PRIVATE_FIELDS: [&str; 10] = [
    "id",
    "username",
    "email",
    "display_name",
    "bio",
    "avatar_url",
    "status",
    "last_seen_at",
    "created_at",
    "updated_at",
];
const PUBLIC_FIELDS: [&str; 7] = [
    "id",
    "username",
    "display_name",
    "bio",
    "avatar_url",
    "status",
    "last_seen_at",
];

fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    f.sort();
    f
}

#[tokio::test]
async fn register_returns_the_private_user_without_secrets() {
    let api = Api::new();
    let username = unique("Reg");
    let reply = api
        .post(
            "/users/register",
            None,
            json!({"username": username, "email": format!("{username}@Example.com"), "password": "long enough pw"}),
        )
        .await;
    let user = reply.expect(201);
    assert_eq!(keys(user), sorted(&PRIVATE_FIELDS));
    assert_eq!(user["username"], username.as_str());
    assert_eq!(
        user["display_name"],
        username.as_str(),
        "display_name defaults to username"
    );
    assert_eq!(user["status"], "offline");
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    let text = user.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
}

#[tokio::test]
async fn register_validates_every_field() {
    let api = Api::new();
    let ok = |name: &str| json!({"username": name, "email": format!("{name}@example.com"), "password": "long enough pw"});
    let name = unique("val");
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"email": "a@b.co", "password": "long enough pw"}),
            "username",
        ),
        (
            {
                let mut b = ok(&name);
                b["username"] = json!("ab");
                b
            },
            "username",
        ),
        (
            {
                let mut b = ok(&name);
                b["username"] = json!("a".repeat(33));
                b
            },
            "username",
        ),
        (
            {
                let mut b = ok(&name);
                b["username"] = json!("bad name!");
                b
            },
            "username",
        ),
        (
            {
                let mut b = ok(&name);
                b["username"] = json!(12345);
                b
            },
            "username",
        ),
        (
            {
                let mut b = ok(&name);
                b["email"] = json!("not-an-email");
                b
            },
            "email",
        ),
        (
            {
                let mut b = ok(&name);
                b.as_object_mut().unwrap().remove("email");
                b
            },
            "email",
        ),
        (
            {
                let mut b = ok(&name);
                b["password"] = json!("short");
                b
            },
            "password",
        ),
        (
            {
                let mut b = ok(&name);
                b["password"] = json!("p".repeat(129));
                b
            },
            "password",
        ),
        (
            {
                let mut b = ok(&name);
                b["password"] = json!(true);
                b
            },
            "password",
        ),
        (
            {
                let mut b = ok(&name);
                b["display_name"] = json!("");
                b
            },
            "display_name",
        ),
        (
            {
                let mut b = ok(&name);
                b["display_name"] = json!("d".repeat(65));
                b
            },
            "display_name",
        ),
    ];
    for (body, field) in cases {
        let reply = api.post("/users/register", None, body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "body {body}");
    }
    // None of them created the user.
    api.post("/users/register", None, ok(&name))
        .await
        .expect(201);
}

#[tokio::test]
async fn malformed_and_oversize_bodies_are_400_and_413() {
    let api = Api::new();
    for raw in [&b"{not json"[..], b"[1,2]", b"\"text\"", b"\xff\xfe"] {
        let reply = api
            .raw(Method::POST, "/users/register", None, Some(raw.to_vec()))
            .await;
        reply.expect_error(400, "bad_request");
    }
    let huge = json!({"username": "x".repeat(70 * 1024)})
        .to_string()
        .into_bytes();
    let reply = api
        .raw(Method::POST, "/users/register", None, Some(huge))
        .await;
    reply.expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn usernames_and_emails_are_unique_case_insensitively() {
    let api = Api::new();
    let a = api.user("Uniq").await;
    let reply = api
        .post(
            "/users/register",
            None,
            json!({"username": a.username.to_uppercase(), "email": "other@example.com", "password": "long enough pw"}),
        )
        .await;
    reply.expect_error(409, "username_taken");
    let reply = api
        .post(
            "/users/register",
            None,
            json!({"username": unique("other"), "email": a.email.to_uppercase(), "password": "long enough pw"}),
        )
        .await;
    reply.expect_error(409, "email_taken");
}

#[tokio::test]
async fn login_by_username_or_email_and_identical_failures() {
    let api = Api::new();
    let u = api.user("login").await;
    for body in [
        json!({"username": u.username, "password": u.password}),
        json!({"username": u.username.to_uppercase(), "password": u.password}),
        json!({"username": u.email, "password": u.password}),
        json!({"email": u.email.to_uppercase(), "password": u.password}),
    ] {
        let reply = api.post("/users/login", None, body).await;
        let body = reply.expect(200);
        assert_eq!(body["token_type"], "bearer");
        assert!(body["expires_in"].as_u64().unwrap() > 0);
        assert_eq!(body["user"]["id"], u.id.as_str());
        assert_eq!(body["user"]["email"], u.email.as_str());
    }
    let wrong_password = api
        .post(
            "/users/login",
            None,
            json!({"username": u.username, "password": "wrong password"}),
        )
        .await;
    let unknown_user = api
        .post(
            "/users/login",
            None,
            json!({"username": unique("nobody"), "password": "wrong password"}),
        )
        .await;
    wrong_password.expect_error(401, "invalid_credentials");
    unknown_user.expect_error(401, "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_user.body);

    let reply = api
        .post("/users/login", None, json!({"username": u.username}))
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "password");
    let reply = api
        .post("/users/login", None, json!({"password": "whatever pw"}))
        .await;
    reply.expect_error(422, "validation_error");
}

#[tokio::test]
async fn me_requires_a_valid_token() {
    let api = Api::new();
    let u = api.user("me").await;
    let me = api.get("/users/me", &u.token).await;
    assert_eq!(keys(me.expect(200)), sorted(&PRIVATE_FIELDS));
    assert_eq!(me.body["id"], u.id.as_str());

    api.call(Method::GET, "/users/me", None, None)
        .await
        .expect_error(401, "unauthorized");
    api.get("/users/me", "not.a.jwt")
        .await
        .expect_error(401, "unauthorized");
    let reply = api.raw(Method::GET, "/users/me", None, None).await;
    reply.expect_error(401, "unauthorized");
}

fn forge(claims: Value, secret: &[u8], alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn forged_expired_and_unsigned_tokens_get_401() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let api = Api::new();
    let u = api.user("tok").await;
    let secret = std::env::var("JWT_SECRET").expect("the stack's JWT_SECRET");
    // The claims of the login's own token (its session), with a new expiry.
    let mut valid = e2e::token_claims(&u.token);
    valid["exp"] = json!(now() + 600);
    // Sanity: a token we sign with the stack's secret is accepted, so the 401s below are
    // about the defects, not about how the tests sign.
    let ours = forge(
        valid.clone(),
        secret.as_bytes(),
        jsonwebtoken::Algorithm::HS256,
    );
    api.get("/users/me", &ours).await.expect(200);

    let other_secret = forge(
        valid.clone(),
        b"another-secret-another-secret-another",
        jsonwebtoken::Algorithm::HS256,
    );
    api.get("/users/me", &other_secret)
        .await
        .expect_error(401, "unauthorized");

    for (claim, value) in [
        ("aud", json!("another-api")),
        ("aud", Value::Null),
        ("sid", json!("a-session-that-never-was")),
        ("iss", json!("someone-else")),
    ] {
        let mut claims = valid.clone();
        match value {
            Value::Null => claims.as_object_mut().unwrap().remove(claim),
            value => claims.as_object_mut().unwrap().insert(claim.into(), value),
        };
        let token = forge(claims, secret.as_bytes(), jsonwebtoken::Algorithm::HS256);
        api.get("/users/me", &token)
            .await
            .expect_error(401, "unauthorized");
    }

    let mut expired_claims = valid.clone();
    expired_claims["iat"] = json!(now() - 7200);
    expired_claims["exp"] = json!(now() - 3600);
    let expired = forge(
        expired_claims,
        secret.as_bytes(),
        jsonwebtoken::Algorithm::HS256,
    );
    api.get("/users/me", &expired)
        .await
        .expect_error(401, "unauthorized");

    let hs512 = forge(
        valid.clone(),
        secret.as_bytes(),
        jsonwebtoken::Algorithm::HS512,
    );
    api.get("/users/me", &hs512)
        .await
        .expect_error(401, "unauthorized");

    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(valid.to_string());
    let unsigned = format!("{header}.{payload}.");
    api.get("/users/me", &unsigned)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn profile_updates() {
    let api = Api::new();
    let u = api.user("prof").await;
    let reply = api
        .put(
            "/users/me",
            &u.token,
            json!({"display_name": "Zoë Prof", "bio": "hello", "avatar_url": "https://img.example.com/a.png"}),
        )
        .await;
    let body = reply.expect(200);
    assert_eq!(body["display_name"], "Zoë Prof");
    assert_eq!(body["bio"], "hello");
    assert_eq!(body["avatar_url"], "https://img.example.com/a.png");
    assert_ne!(body["updated_at"], body["created_at"]);

    let reply = api.put("/users/me", &u.token, json!({"bio": null})).await;
    assert_eq!(reply.expect(200)["bio"], Value::Null);

    for (body, field) in [
        (json!({"bio": "b".repeat(501)}), "bio"),
        (json!({"display_name": ""}), "display_name"),
        (json!({"avatar_url": "javascript:alert(1)"}), "avatar_url"),
        (json!({"email": "nope"}), "email"),
        (json!({"password": "new password 1"}), "current_password"),
        (json!({"display_name": 7}), "display_name"),
    ] {
        let reply = api.put("/users/me", &u.token, body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "{body}");
    }
    let reply = api
        .put(
            "/users/me",
            &u.token,
            json!({"password": "new password 1", "current_password": "wrong one!"}),
        )
        .await;
    reply.expect_error(403, "forbidden");
    api.raw(
        Method::PUT,
        "/users/me",
        Some(&u.token),
        Some(b"{".to_vec()),
    )
    .await
    .expect_error(400, "bad_request");

    let reply = api
        .put(
            "/users/me",
            &u.token,
            json!({"password": "new password 1", "current_password": u.password}),
        )
        .await;
    reply.expect(200);
    api.post(
        "/users/login",
        None,
        json!({"username": u.username, "password": u.password}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    api.post(
        "/users/login",
        None,
        json!({"username": u.username, "password": "new password 1"}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn changing_email_moves_its_uniqueness() {
    let api = Api::new();
    let a = api.user("mailA").await;
    let b = api.user("mailB").await;
    api.put(
        "/users/me",
        &a.token,
        json!({"email": b.email.to_uppercase()}),
    )
    .await
    .expect_error(409, "email_taken");
    let new_email = format!("{}@new.example.com", unique("moved"));
    let reply = api
        .put("/users/me", &a.token, json!({"email": new_email}))
        .await;
    assert_eq!(reply.expect(200)["email"], new_email.as_str());
    // The old address is free again, the new one is taken.
    api.post(
        "/users/register",
        None,
        json!({"username": unique("reuse"), "email": a.email, "password": "long enough pw"}),
    )
    .await
    .expect(201);
    api.post(
        "/users/register",
        None,
        json!({"username": unique("reuse"), "email": new_email, "password": "long enough pw"}),
    )
    .await
    .expect_error(409, "email_taken");
    api.post(
        "/users/login",
        None,
        json!({"email": new_email, "password": a.password}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn public_profiles() {
    let api = Api::new();
    let a = api.user("pubA").await;
    let b = api.user("pubB").await;
    let reply = api.get(&format!("/users/{}", b.id), &a.token).await;
    assert_eq!(keys(reply.expect(200)), sorted(&PUBLIC_FIELDS));
    assert_eq!(reply.body["username"], b.username.as_str());
    api.get("/users/01ARZ3NDEKTSV4RRFFQ69G5FAV", &a.token)
        .await
        .expect_error(404, "not_found");
    api.call(Method::GET, &format!("/users/{}", b.id), None, None)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn listing_pages_through_every_user_once() {
    // More users than one page holds, whatever else the stack has: the test passes alone on a
    // fresh stack, and every one of them must be listed exactly once.
    const KNOWN: usize = 60;
    let api = Api::new();
    let app = e2e::direct::app().await;
    let tag = unique("lst").to_lowercase();
    let known: Vec<e2e::TestUser> =
        join_all((0..KNOWN).map(|_| e2e::direct::api_user(&app, &tag))).await;
    let me = &known[0];
    let mut seen = std::collections::HashSet::new();
    let mut listed = std::collections::BTreeMap::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users/?limit=50&cursor={c}"),
            None => "/users/?limit=50".to_owned(),
        };
        let reply = api.get(&path, &me.token).await;
        let body = reply.expect(200);
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 50);
        for item in items {
            assert_eq!(keys(item), sorted(&PUBLIC_FIELDS));
            let id = item["id"].as_str().unwrap().to_owned();
            assert!(seen.insert(id.clone()), "duplicate {item}");
            let username = item["username"].as_str().unwrap();
            if username.starts_with(&tag) {
                listed.insert(id, username.to_owned());
            }
        }
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 10_000, "paging does not end");
    }
    assert!(pages > 1, "{KNOWN} users fit in no single page of 50");
    let missing: Vec<&e2e::TestUser> = known
        .iter()
        .filter(|u| listed.remove(&u.id) != Some(u.username.clone()))
        .collect();
    assert!(missing.is_empty(), "never listed: {missing:#?}");
    assert!(listed.is_empty(), "listed but never created: {listed:#?}");

    for limit in ["0", "101", "x"] {
        let reply = api.get(&format!("/users?limit={limit}"), &me.token).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "limit");
    }
    let reply = api.get("/users?cursor=forged.cursor", &me.token).await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "cursor");
}

#[tokio::test]
async fn search_by_prefix_of_username_or_display_name() {
    let api = Api::new();
    let tag = unique("srch").to_lowercase();
    let a = api.user(&format!("{tag}Alpha")).await;
    let b = api.user(&format!("{tag}Beta")).await;
    let c = api.user("unrelated").await;
    api.put(
        "/users/me",
        &c.token,
        json!({"display_name": format!("{} Gamma", tag.to_uppercase())}),
    )
    .await
    .expect(200);

    let ids = |reply: &e2e::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = api
        .get(
            &format!("/users/search/?q={}", tag.to_uppercase()),
            &a.token,
        )
        .await;
    all.expect(200);
    let mut found = ids(&all);
    found.sort();
    let mut expected = vec![a.id.clone(), b.id.clone(), c.id.clone()];
    expected.sort();
    assert_eq!(found, expected);
    for item in all.body["items"].as_array().unwrap() {
        assert!(item.get("email").is_none());
    }

    let alpha = api
        .get(&format!("/users/search?q={tag}alp"), &a.token)
        .await;
    assert_eq!(ids(&alpha), vec![a.id.clone()]);
    let limited = api
        .get(&format!("/users/search?q={tag}&limit=2"), &a.token)
        .await;
    assert_eq!(ids(&limited).len(), 2);

    api.get("/users/search", &a.token)
        .await
        .expect_error(422, "validation_error");
    let long = "q".repeat(65);
    let reply = api.get(&format!("/users/search?q={long}"), &a.token).await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "q");
    api.call(Method::GET, &format!("/users/search?q={tag}"), None, None)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn status_changes() {
    let api = Api::new();
    let u = api.user("stat").await;
    // A status shows while the user has a connection (presence follows live connections; with
    // none, see `presence_rules`).
    let _socket = e2e::ws::Socket::connect(&u.token).await;
    for status in ["online", "away", "busy", "offline"] {
        let reply = api
            .patch("/users/me/status", &u.token, json!({"status": status}))
            .await;
        assert_eq!(reply.expect(200)["status"], status);
    }
    let me = api.get("/users/me", &u.token).await;
    assert!(
        me.body["last_seen_at"].is_string(),
        "going offline sets last_seen_at"
    );
    let reply = api
        .patch("/users/me/status", &u.token, json!({"status": "sleeping"}))
        .await;
    reply.expect_error(422, "validation_error");
    assert_eq!(reply.field(), "status");
    api.patch("/users/me/status", &u.token, json!({}))
        .await
        .expect_error(422, "validation_error");
}

#[tokio::test]
async fn deleting_an_account_frees_its_names_and_revokes_its_tokens() {
    let api = Api::new();
    let u = api.user("del").await;
    let other = api.user("delo").await;
    let reply = api.delete("/users/me", &u.token).await;
    assert_eq!(reply.status.as_u16(), 204);
    assert_eq!(reply.body, Value::Null);

    api.get("/users/me", &u.token)
        .await
        .expect_error(401, "unauthorized");
    api.delete("/users/me", &u.token)
        .await
        .expect_error(401, "unauthorized");
    api.post(
        "/users/login",
        None,
        json!({"username": u.username, "password": u.password}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    api.get(&format!("/users/{}", u.id), &other.token)
        .await
        .expect_error(404, "not_found");

    let again = api
        .post(
            "/users/register",
            None,
            json!({"username": u.username.to_uppercase(), "email": u.email, "password": "long enough pw"}),
        )
        .await;
    let again = again.expect(201);
    assert_ne!(again["id"], u.id.as_str(), "a new account, not the old one");
}

#[tokio::test]
async fn trailing_slashes_and_unknown_routes() {
    let api = Api::new();
    let u = api.user("slash").await;
    api.get("/users/me/", &u.token).await.expect(200);
    api.get(&format!("/users/{}/", u.id), &u.token)
        .await
        .expect(200);
    let reply = api.call(Method::GET, "/nowhere", None, None).await;
    assert_eq!(reply.status.as_u16(), 404);
    assert_eq!(reply.body, json!({"message": "Not Found"}));
}

/// Fires `n` registrations at once; returns (status, error code) of each.
async fn race(api: &Api, bodies: Vec<Value>) -> Vec<(u16, String)> {
    join_all(bodies.into_iter().map(|body| {
        let api = api.clone();
        async move {
            let reply = api.post("/users/register", None, body).await;
            (reply.status.as_u16(), reply.code().to_owned())
        }
    }))
    .await
}

fn tally(results: &[(u16, String)], code: &str) -> (usize, usize) {
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let taken = results
        .iter()
        .filter(|(s, c)| *s == 409 && c == code)
        .count();
    (created, taken)
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_username_make_one_user() {
    let api = Api::new();
    let name = unique("race");
    let bodies = (0..20)
        .map(|i| {
            // Mixed case: every variant names the same account.
            let variant: String = name
                .chars()
                .enumerate()
                .map(|(j, c)| if (i + j) % 2 == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            json!({"username": variant, "email": format!("{name}{i}@example.com"), "password": "long enough pw"})
        })
        .collect();
    let results = race(&api, bodies).await;
    assert_eq!(tally(&results, "username_taken"), (1, 19), "{results:?}");
    let stored = api
        .get(
            &format!("/users/search?q={name}"),
            &api.user("racer").await.token,
        )
        .await;
    assert_eq!(
        stored.body["items"].as_array().unwrap().len(),
        1,
        "{:#}",
        stored.body
    );
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_email_make_one_user() {
    let api = Api::new();
    let email = format!("{}@Example.com", unique("Race"));
    let tag = unique("mrace");
    let bodies = (0..20)
        .map(|i| {
            let variant = if i % 2 == 0 { email.to_uppercase() } else { email.to_lowercase() };
            json!({"username": format!("{tag}n{i}"), "email": variant, "password": "long enough pw"})
        })
        .collect();
    let results = race(&api, bodies).await;
    assert_eq!(tally(&results, "email_taken"), (1, 19), "{results:?}");
    let stored = api
        .get(
            &format!("/users/search?q={tag}"),
            &api.user("racer").await.token,
        )
        .await;
    assert_eq!(
        stored.body["items"].as_array().unwrap().len(),
        1,
        "{:#}",
        stored.body
    );
}
