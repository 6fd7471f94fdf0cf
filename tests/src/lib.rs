//! Helpers for the end-to-end tests: they talk to a running local stack (started by
//! `infra/test.sh`) over real HTTP and WebSockets, and read DynamoDB Local where a test must
//! look behind the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub fn api_url() -> String {
    std::env::var("CHAT_API_URL")
        .expect("CHAT_API_URL is not set: run the tests with infra/test.sh, which starts the stack")
}

/// A name no other test (or earlier run against a kept database) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}{n}x{nanos:08x}")
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected reply: {:#}",
            self.body
        );
        &self.body
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "unexpected reply: {:#}",
            self.body
        );
        assert!(self.body["error"]["message"].is_string(), "{:#}", self.body);
    }
}

#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    pub fn new() -> Self {
        Api {
            base: api_url(),
            http: reqwest::Client::new(),
        }
    }

    /// An API client whose requests come from `ip` (a loopback address such as 127.0.0.2):
    /// the local gateway reports the TCP peer as `sourceIp`, so tests can act as several
    /// addresses.
    pub fn from_address(ip: &str) -> Self {
        let ip: std::net::IpAddr = ip.parse().expect("an IP address");
        Api {
            base: api_url(),
            http: reqwest::Client::builder()
                .local_address(ip)
                .build()
                .expect("an HTTP client bound to that address"),
        }
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        self.with_headers(method, path, token, &[], body).await
    }

    /// A request with an `Idempotency-Key` header.
    pub async fn keyed(
        &self,
        method: Method,
        path: &str,
        token: &str,
        key: &str,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| b.to_string().into_bytes());
        let headers = [("idempotency-key", key)];
        self.with_headers(method, path, Some(token), &headers, body)
            .await
    }

    pub async fn with_headers(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await.expect("the local gateway answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp
            .text()
            .await
            .expect("the response body reads to the end");
        // The API answers JSON; only the documentation pages and their files are something else,
        // and say so: those bodies are kept as a string.
        let json = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_none_or(|value| value.starts_with("application/json"));
        let body = if text.is_empty() {
            Value::Null
        } else if !json {
            Value::String(text)
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.raw(
            method,
            path,
            token,
            body.map(|b| b.to_string().into_bytes()),
        )
        .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// A new session of `user` (a login); the session JSON.
    pub async fn login(&self, user: &TestUser) -> Value {
        self.post(
            "/users/login",
            None,
            json!({"username": user.username, "password": user.password}),
        )
        .await
        .expect(200)
        .clone()
    }

    /// Registers and logs in a fresh user.
    pub async fn user(&self, prefix: &str) -> TestUser {
        let username = unique(prefix);
        let password = "correct horse battery".to_owned();
        let email = format!("{username}@example.com");
        let reply = self
            .post(
                "/users/register",
                None,
                json!({"username": username, "email": email, "password": password}),
            )
            .await;
        let user = reply.expect(201).clone();
        let login = self
            .post(
                "/users/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        let session = login.expect(200);
        TestUser {
            id: user["id"].as_str().unwrap().to_owned(),
            username,
            email,
            password,
            token: session["access_token"].as_str().unwrap().to_owned(),
            refresh_token: session["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub password: String,
    pub token: String,
    /// Empty for users made behind the API (`direct`), which have no refresh token.
    pub refresh_token: String,
}

/// `claims` signed as the stack signs its tokens (HS256, the stack's `JWT_SECRET`).
pub fn sign_token(claims: &Value) -> String {
    let secret = std::env::var("JWT_SECRET").expect("the stack's JWT_SECRET");
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("claims sign")
}

/// The claims of a JWT, read without checking it (tests forge tokens from real ones).
pub fn token_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("the payload is base64url");
    serde_json::from_slice(&bytes).expect("the payload is JSON")
}

/// Helpers of the chats and messages tests.
impl Api {
    /// `n` fresh users, registered concurrently.
    pub async fn users(&self, prefix: &str, n: usize) -> Vec<TestUser> {
        futures::future::join_all((0..n).map(|_| self.user(prefix))).await
    }

    /// A chat of `owner` with `members`; the chat JSON.
    pub async fn create_chat(&self, owner: &TestUser, members: &[&TestUser]) -> Value {
        let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
        self.post(
            "/chats",
            Some(&owner.token),
            json!({"name": unique("chat"), "member_ids": ids}),
        )
        .await
        .expect(201)
        .clone()
    }

    /// A direct message from `from` to `to`; the message JSON.
    pub async fn send_direct(&self, from: &TestUser, to: &TestUser, content: &str) -> Value {
        self.post(
            "/messages",
            Some(&from.token),
            json!({"recipient_id": to.id, "content": content}),
        )
        .await
        .expect(201)
        .clone()
    }

    /// A message from `from` to the chat; the message JSON.
    pub async fn send_to_chat(&self, from: &TestUser, chat_id: &str, content: &str) -> Value {
        self.post(
            "/messages",
            Some(&from.token),
            json!({"chat_id": chat_id, "content": content}),
        )
        .await
        .expect(201)
        .clone()
    }

    /// `who` reacts to a message with `emoji`; the message JSON.
    pub async fn react(&self, who: &TestUser, message_id: &str, emoji: &str) -> Value {
        let path = format!("/messages/{message_id}/reactions");
        let body = json!({ "emoji": emoji });
        self.post(&path, Some(&who.token), body)
            .await
            .expect(200)
            .clone()
    }

    /// `who` takes back its `emoji` reaction (the emoji in the body); the message JSON.
    pub async fn unreact(&self, who: &TestUser, message_id: &str, emoji: &str) -> Value {
        let path = format!("/messages/{message_id}/reactions");
        let body = Some(json!({ "emoji": emoji }));
        let reply = self
            .call(Method::DELETE, &path, Some(&who.token), body)
            .await;
        reply.expect(200).clone()
    }

    /// `who` marks a message read; the message JSON.
    pub async fn mark_read(&self, who: &TestUser, message_id: &str) -> Value {
        let path = format!("/messages/{message_id}/read");
        let reply = self
            .call(Method::PATCH, &path, Some(&who.token), None)
            .await;
        reply.expect(200).clone()
    }

    /// Every item of a list endpoint, following `next_cursor` with pages of `limit`; also the
    /// size of each page.
    pub async fn all_pages(
        &self,
        path: &str,
        token: &str,
        limit: usize,
    ) -> (Vec<Value>, Vec<usize>) {
        let mut items = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
                None => format!("{path}{sep}limit={limit}"),
            };
            let page = self.get(&url, token).await.expect(200).clone();
            let page_items = page["items"].as_array().unwrap().clone();
            sizes.push(page_items.len());
            items.extend(page_items);
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return (items, sizes),
            }
            assert!(sizes.len() < 1000, "paging does not end");
        }
    }
}
pub mod direct;
pub mod docs_check;
pub mod faults;
pub mod files;
pub mod limits;
pub mod metrics;
pub mod template_check;
pub mod ws;
