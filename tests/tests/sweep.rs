//! A route-by-route sweep driven by `docs/api-contract.md` (read with the template test's
//! parser): a missing, garbage, tampered or expired token, or the token of a deleted account,
//! gives 401 on every authenticated route; every list route's `limit` defaults to 50 (search
//! included) and 0 or 101 gives 422, and a forged, tampered or foreign cursor gives 422.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::direct::{api_user, app};
use e2e::template_check::contract_routes;
use e2e::{Api, TestUser, unique};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

/// The contract says these alone take no token: registration, login and the API documentation.
const OPEN_ROUTES: [&str; 6] = [
    "POST /users/register",
    "POST /users/login",
    // The refresh token is the credential (tests/tests/sessions.rs).
    "POST /users/refresh",
    "GET /openapi.json",
    "GET /docs",
    "GET /redoc",
];

fn contract() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join("docs/api-contract.md")).unwrap()
}

/// Every contract route with the query cell of its row (`limit, cursor` for a list).
fn routes_with_query() -> BTreeMap<String, String> {
    contract()
        .lines()
        .filter_map(|line| {
            let route = contract_routes(line).into_iter().next()?;
            let query = line.split('|').nth(2).unwrap_or_default().to_owned();
            Some((route, query))
        })
        .collect()
}

/// A concrete path for a route as the parser writes it (`GET /users/{}`).
fn concrete(route: &str, id: &str) -> (Method, String) {
    let (method, path) = route.split_once(' ').unwrap();
    (method.parse().unwrap(), path.replace("{}", id))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn signed(claims: Value) -> String {
    e2e::sign_token(&claims)
}

/// `token` with its subject replaced by `other`, keeping the original signature.
fn tampered(token: &str, other: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!(other);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

#[tokio::test]
async fn every_authenticated_route_refuses_a_bad_token_with_401() {
    let api = Api::new();
    let app = app().await;
    let (u, other) = (api_user(&app, "swU").await, api_user(&app, "swO").await);
    let gone = api_user(&app, "swGone").await;
    api.delete("/users/me", &gone.token).await.expect(204);
    // The claims of u's own token (its session), with other times.
    let claims = |iat: u64, exp: u64| {
        let mut claims = e2e::token_claims(&u.token);
        claims["iat"] = json!(iat);
        claims["exp"] = json!(exp);
        claims
    };
    let expired = signed(claims(now() - 7200, now() - 3600));
    // Sanity: the same claims with a future expiry pass, so the 401s are about the defects.
    let fresh = signed(claims(now(), now() + 600));
    api.get("/users/me", &fresh).await.expect(200);
    api.get("/users/me", &u.token).await.expect(200);
    let tokens: [(&str, Option<String>); 6] = [
        ("missing", None),
        ("garbage", Some("garbage".into())),
        ("not a JWT", Some("a.b.c".into())),
        ("tampered", Some(tampered(&u.token, &other.id))),
        ("expired", Some(expired)),
        ("deleted account", Some(gone.token.clone())),
    ];

    let routes = routes_with_query();
    assert_eq!(routes.len(), 31, "every contract route was read");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for route in routes.keys().filter(|r| !OPEN_ROUTES.contains(&r.as_str())) {
        let (method, path) = concrete(route, &u.id);
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        for (name, token) in &tokens {
            let reply = api
                .call(method.clone(), &path, token.as_deref(), body.clone())
                .await;
            checked += 1;
            if (reply.status.as_u16(), reply.code()) != (401, "unauthorized") {
                wrong.push(format!(
                    "{route} with a {name} token: {} {}",
                    reply.status, reply.body
                ));
            }
        }
    }
    assert_eq!(checked, 25 * tokens.len());
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Where each list route of the contract lists more than one default page.
struct Lists {
    owner: TestUser,
    peer: TestUser,
    chat_id: String,
    tag: String,
}

impl Lists {
    fn path(&self, route: &str) -> String {
        match route {
            "GET /users" => "/users/".into(),
            "GET /users/search" => format!("/users/search/?q={}", self.tag),
            "GET /chats" => "/chats/".into(),
            "GET /messages/conversation/{}" => format!("/messages/conversation/{}", self.peer.id),
            "GET /messages/chat/{}" => format!("/messages/chat/{}", self.chat_id),
            "GET /messages/conversations" => "/messages/conversations".into(),
            other => panic!("the contract has a list route this test does not know: {other}"),
        }
    }
}

const MORE_THAN_A_PAGE: usize = 51;

async fn lists(api: &Api) -> Lists {
    let app = app().await;
    let tag = unique("swl").to_lowercase();
    let users =
        futures::future::join_all((0..MORE_THAN_A_PAGE).map(|_| api_user(&app, &tag))).await;
    let (owner, peer) = (users[0].clone(), users[1].clone());
    let chat = api.create_chat(&owner, &[&peer]).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let work = (0..MORE_THAN_A_PAGE).map(|n| {
        let (api, owner, peer, chat_id) = (api.clone(), &owner, &peer, &chat_id);
        let to = users[n].clone();
        async move {
            api.create_chat(owner, &[peer]).await;
            api.send_to_chat(owner, chat_id, "page filler").await;
            api.send_direct(owner, peer, "page filler").await;
            if to.id != owner.id {
                api.send_direct(owner, &to, "a conversation").await;
            }
        }
    });
    futures::stream::iter(work)
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    Lists {
        owner,
        peer,
        chat_id,
        tag,
    }
}

#[tokio::test]
async fn every_list_route_defaults_to_50_and_refuses_bad_limits_and_cursors() {
    let api = Api::new();
    let lists = lists(&api).await;
    let token = &lists.owner.token;
    let routes: Vec<(String, String)> = routes_with_query()
        .into_iter()
        .filter(|(_, query)| query.contains("`limit"))
        .collect();
    assert_eq!(routes.len(), 6, "every list route was read: {routes:?}");
    let mut cursors = Vec::new();
    for (route, query) in &routes {
        let path = lists.path(route);
        let sep = if path.contains('?') { '&' } else { '?' };
        let page = api.get(&path, token).await;
        let items = page.expect(200)["items"].as_array().unwrap().len();
        assert_eq!(items, 50, "{route}: the default page");
        for limit in ["0", "101"] {
            let reply = api.get(&format!("{path}{sep}limit={limit}"), token).await;
            reply.expect_error(422, "validation_error");
            assert_eq!(reply.field(), "limit", "{route} limit={limit}");
        }
        if query.contains("cursor") {
            let next = page.body["next_cursor"].as_str();
            let next = next.unwrap_or_else(|| panic!("{route}: more than a page, yet no cursor"));
            cursors.push((route.clone(), next.to_owned()));
        }
    }
    assert_eq!(cursors.len(), 5, "every paged list route has a cursor");
    for (i, (route, own)) in cursors.iter().enumerate() {
        let path = lists.path(route);
        let sep = if path.contains('?') { '&' } else { '?' };
        // One of the list's own cursors passes, so the refusals below are about the cursor.
        api.get(&format!("{path}{sep}cursor={own}"), token)
            .await
            .expect(200);
        let (foreign_route, foreign) = &cursors[(i + 1) % cursors.len()];
        let mut flipped = own.clone().into_bytes();
        // A middle character: every bit of it carries data (the last may be padding bits).
        let middle = flipped.len() / 2;
        flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        for (what, cursor) in [
            ("forged", "forged.cursor".to_owned()),
            ("tampered", flipped),
            ("foreign", foreign.clone()),
        ] {
            let reply = api.get(&format!("{path}{sep}cursor={cursor}"), token).await;
            assert_eq!(
                (reply.status.as_u16(), reply.code(), reply.field()),
                (422, "validation_error", "cursor"),
                "{route} with a {what} cursor{}: {}",
                if what.starts_with("foreign") {
                    format!(" from {foreign_route}")
                } else {
                    String::new()
                },
                reply.body
            );
        }
    }
}
