//! Routing through the real template: every contract path answers the same with and without a
//! trailing slash (a file's path: only without), unknown paths get API Gateway's 404, wrong methods the functions' 405.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use e2e::template_check::contract_routes;
use e2e::{Api, Reply, TestUser, unique};
use reqwest::Method;
use serde_json::{Value, json};

/// What every contract route needs to succeed: two users in a direct conversation and a chat,
/// and users that only the destructive routes use up.
struct World {
    a: TestUser,
    b: TestUser,
    chat_id: String,
    message_id: String,
}

/// One concrete request of a contract route.
struct Call {
    method: Method,
    path: String,
    query: &'static str,
    token: Option<String>,
    body: Option<Value>,
}

impl Call {
    fn new(method: &str, path: String, token: &TestUser) -> Self {
        Call {
            method: method.parse().unwrap(),
            path,
            query: "",
            token: Some(token.token.clone()),
            body: None,
        }
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }

    async fn send(&self, api: &Api, slash: bool) -> Reply {
        let slash = if slash { "/" } else { "" };
        let path = format!("{}{slash}{}", self.path, self.query);
        api.call(
            self.method.clone(),
            &path,
            self.token.as_deref(),
            self.body.clone(),
        )
        .await
    }
}

/// A request for `route` (`METHOD /path/{}` as the contract reader gives it) that succeeds once;
/// called once per form, so destructive routes get fresh resources each time.
async fn call_for(api: &Api, world: &World, route: &str) -> Call {
    let (a, b) = (&world.a, &world.b);
    let (chat, message) = (&world.chat_id, &world.message_id);
    match route {
        "POST /users/register" => {
            let name = unique("slashreg");
            let mut call = Call::new("POST", "/users/register".into(), a).body(
                json!({"username": name, "email": format!("{name}@example.com"), "password": "long enough pw"}),
            );
            call.token = None;
            call
        }
        "POST /users/login" => {
            let mut call = Call::new("POST", "/users/login".into(), a)
                .body(json!({"username": a.username, "password": a.password}));
            call.token = None;
            call
        }
        "POST /users/refresh" => {
            // A new session, so that using one up leaves a's alone.
            let session = api.login(a).await;
            let mut call = Call::new("POST", "/users/refresh".into(), a)
                .body(json!({"refresh_token": session["refresh_token"]}));
            call.token = None;
            call
        }
        "POST /users/logout" => {
            // A new session, so that using one up leaves a's alone.
            let session = api.login(a).await;
            let mut call = Call::new("POST", "/users/logout".into(), a);
            call.token = session["access_token"].as_str().map(str::to_owned);
            call
        }
        "GET /users/me" => Call::new("GET", "/users/me".into(), a),
        "PUT /users/me" => {
            Call::new("PUT", "/users/me".into(), a).body(json!({"display_name": "Slash"}))
        }
        "DELETE /users/me" => Call::new("DELETE", "/users/me".into(), &api.user("gone").await),
        "PATCH /users/me/status" => {
            Call::new("PATCH", "/users/me/status".into(), a).body(json!({"status": "away"}))
        }
        "GET /users/{}" => Call::new("GET", format!("/users/{}", b.id), a),
        "GET /users" => Call::new("GET", "/users".into(), a),
        "GET /users/search" => Call::new("GET", "/users/search".into(), a).query("?q=slash"),
        "POST /chats" => Call::new("POST", "/chats".into(), a)
            .body(json!({"name": "slash", "member_ids": [b.id]})),
        "GET /chats" => Call::new("GET", "/chats".into(), a),
        "GET /chats/{}" => Call::new("GET", format!("/chats/{chat}"), a),
        "POST /chats/{}/members" => {
            let newcomer = api.user("joiner").await;
            Call::new("POST", format!("/chats/{chat}/members"), a)
                .body(json!({"user_id": newcomer.id}))
        }
        "DELETE /chats/{}/members/{}" => {
            let leaver = api.user("leaver").await;
            api.post(
                &format!("/chats/{chat}/members"),
                Some(&a.token),
                json!({"user_id": leaver.id}),
            )
            .await
            .expect(200);
            Call::new("DELETE", format!("/chats/{chat}/members/{}", leaver.id), a)
        }
        "POST /messages" => Call::new("POST", "/messages".into(), a)
            .body(json!({"recipient_id": b.id, "content": "slash"})),
        "GET /messages/{}" => Call::new("GET", format!("/messages/{message}"), a),
        "PUT /messages/{}" => {
            Call::new("PUT", format!("/messages/{message}"), a).body(json!({"content": "edited"}))
        }
        "DELETE /messages/{}" => {
            let doomed = api.send_direct(a, b, "doomed").await;
            let id = doomed["id"].as_str().unwrap();
            Call::new("DELETE", format!("/messages/{id}"), a)
        }
        "GET /messages/conversation/{}" => {
            Call::new("GET", format!("/messages/conversation/{}", b.id), a)
        }
        "GET /messages/chat/{}" => Call::new("GET", format!("/messages/chat/{chat}"), a),
        "GET /messages/conversations" => Call::new("GET", "/messages/conversations".into(), a),
        "POST /messages/{}/reactions" => {
            Call::new("POST", format!("/messages/{message}/reactions"), b)
                .body(json!({"emoji": "👍"}))
        }
        "DELETE /messages/{}/reactions" => {
            Call::new("DELETE", format!("/messages/{message}/reactions"), b)
                .query("?emoji=%F0%9F%91%8D")
        }
        "PATCH /messages/{}/read" => Call::new("PATCH", format!("/messages/{message}/read"), b),
        "POST /attachments" => Call::new("POST", "/attachments".into(), a).body(
            json!({"file_name": "slash.txt", "content_type": "text/plain", "size_bytes": 5,
                "checksum_sha256": e2e::files::sha256(b"hello")}),
        ),
        // Followed to the file in storage: an upload of `a`, stored.
        "GET /attachments/{}" => {
            let ticket = api
                .post(
                    "/attachments",
                    Some(&a.token),
                    json!({"file_name": "s.txt", "content_type": "text/plain", "size_bytes": 5,
                        "checksum_sha256": e2e::files::sha256(b"slash")}),
                )
                .await;
            let ticket = ticket.expect(201);
            let mut upload = reqwest::Client::new().put(ticket["upload_url"].as_str().unwrap());
            for (name, value) in ticket["upload_headers"].as_object().unwrap() {
                if name != "content-length" {
                    upload = upload.header(name, value.as_str().unwrap());
                }
            }
            let status = upload.body("slash").send().await.unwrap().status();
            assert_eq!(status.as_u16(), 200);
            let id = ticket["attachment_id"].as_str().unwrap();
            Call::new("GET", format!("/attachments/{id}"), a)
        }
        "GET /openapi.json" | "GET /docs" | "GET /redoc" => {
            let path = route.trim_start_matches("GET ");
            let mut call = Call::new("GET", path.to_owned(), a);
            call.token = None;
            call
        }
        other => panic!("the contract has a route this test does not know: {other}"),
    }
}

fn top_level_keys(body: &Value) -> Vec<String> {
    body.as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

fn contract() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join("docs/api-contract.md")).unwrap()
}

#[tokio::test]
async fn every_contract_route_answers_the_same_with_and_without_a_trailing_slash() {
    let api = Api::new();
    let (a, b) = (api.user("slasha").await, api.user("slashb").await);
    let chat = api.create_chat(&a, &[&b]).await;
    let message = api.send_direct(&a, &b, "hello").await;
    let world = World {
        chat_id: chat["id"].as_str().unwrap().to_owned(),
        message_id: message["id"].as_str().unwrap().to_owned(),
        a,
        b,
    };

    let routes = contract_routes(&contract());
    assert_eq!(routes.len(), 31, "every contract route was read");
    let mut differences = Vec::new();
    for route in &routes {
        let bare = call_for(&api, &world, route).await.send(&api, false).await;
        let slashed = call_for(&api, &world, route).await.send(&api, true).await;
        // The contract's exception: a file's path (`/openapi.json`) has no slash form.
        let file = route
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        let same = if file {
            slashed.status == 404 && slashed.body == json!({"message": "Not Found"})
        } else {
            bare.status == slashed.status
                && top_level_keys(&bare.body) == top_level_keys(&slashed.body)
        };
        if !bare.status.is_success() || !same {
            differences.push(format!(
                "{route}: without slash {} {}, with slash {} {}",
                bare.status, bare.body, slashed.status, slashed.body
            ));
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}

#[tokio::test]
async fn unknown_paths_are_api_gateways_404_and_wrong_methods_405() {
    let api = Api::new();
    let u = api.user("unknown").await;
    for path in [
        "/nowhere",
        "/nowhere/",
        "/",
        "/users/me/extra",
        "/users/a/b/c/",
        "/chats/x/members/y/z",
        "/messages/x/unknown",
    ] {
        let reply = api.call(Method::GET, path, Some(&u.token), None).await;
        assert_eq!(reply.status.as_u16(), 404, "GET {path}: {}", reply.body);
        assert_eq!(reply.body, json!({"message": "Not Found"}), "GET {path}");
    }
    // RFC 9110: a 405 lists what the path takes in `Allow` (found by the fuzzer: TRACE got a
    // 405 without it).
    let trace = Method::from_bytes(b"TRACE").unwrap();
    for (method, path, allow) in [
        (Method::DELETE, "/users", "GET"),
        (Method::DELETE, "/users/", "GET"),
        (Method::POST, "/users/me", "GET, PUT, DELETE"),
        (Method::POST, "/users/me/", "GET, PUT, DELETE"),
        (trace.clone(), "/users/me", "GET, PUT, DELETE"),
        (Method::GET, "/users/me/status/", "PATCH"),
        (Method::PUT, "/users/login", "GET, POST"),
        (Method::PUT, "/chats", "GET, POST"),
        (Method::PUT, "/chats/", "GET, POST"),
        (Method::GET, "/chats/x/members", "POST"),
        (trace, "/messages", "POST"),
        (Method::GET, "/messages/x/reactions/", "POST, DELETE"),
    ] {
        let reply = api.call(method.clone(), path, Some(&u.token), None).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (405, "method_not_allowed"),
            "{method} {path}: {}",
            reply.body
        );
        let allowed = reply.headers.get("allow").and_then(|v| v.to_str().ok());
        assert_eq!(allowed, Some(allow), "{method} {path}: the Allow header");
    }
}

/// The template's `CorsConfiguration` (any origin by default) as the local gateway applies it.
#[tokio::test]
async fn cors_follows_the_templates_configuration() {
    let api = Api::new();
    let u = api.user("cors").await;
    let http = reqwest::Client::new();
    let base = e2e::api_url();
    let mut preflight = http.request(Method::OPTIONS, format!("{base}/messages/"));
    for (name, value) in [
        ("origin", "https://web.example.com"),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type,idempotency-key",
        ),
    ] {
        preflight = preflight.header(name, value);
    }
    let preflight = preflight.send().await.unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let expected = [
        ("access-control-allow-origin", "*"),
        (
            "access-control-allow-methods",
            "GET,POST,PUT,PATCH,DELETE,OPTIONS",
        ),
        // A browser may send the Idempotency-Key of a retry-safe write.
        (
            "access-control-allow-headers",
            "authorization,content-type,idempotency-key",
        ),
        ("access-control-max-age", "600"),
    ];
    for (name, value) in expected {
        assert_eq!(header(&preflight, name).as_deref(), Some(value), "{name}");
    }

    let me = http
        .get(format!("{base}/users/me"))
        .bearer_auth(&u.token)
        .header("origin", "https://web.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(
        header(&me, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let no_origin = api.get("/users/me", &u.token).await;
    assert!(
        !no_origin
            .headers
            .contains_key("access-control-allow-origin")
    );
}
