//! `load-limits`: floods a local stack and shows that its rate limits hold, while honest users
//! in the same chat keep chatting. `./infra/load-limits.sh` starts a stack with the default
//! limits (no `RATE_LIMIT_MULTIPLIER`) and runs it; with `CHAT_API_URL` set it runs against
//! that stack instead. Loopback only, three floods of `FLOOD` each, at most
//! `floods::MAX_REQUESTS` requests a flood:
//! (a) wrong passwords for one account from one address, (b) REST sends by one user into a
//! chat, (c) `sendMessage` and `typing` frames on one WebSocket connection.
//! Each prints, per second, what was accepted and what was refused (by a function: 429
//! `rate_limited`; by API Gateway's edge throttling: its own 429), then the honest users'
//! sends meanwhile: attempted, succeeded, p50/p99 latency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod floods;
mod tally;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tally::Honest;

/// How long each flood lasts.
const FLOOD: Duration = Duration::from_secs(6);
const HONEST_USERS: u8 = 3;

/// An HTTP client speaking from one loopback address (the gateway takes `sourceIp` from the
/// TCP peer), with a user's token or none.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    fn new(base: &str, address: Ipv4Addr) -> Self {
        let http = reqwest::Client::builder()
            .local_address(IpAddr::V4(address))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            http,
            base: base.to_owned(),
            token: None,
        }
    }

    fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The status and JSON body; `None` when no answer came.
    pub async fn post(&self, path: &str, body: Value) -> Option<(u16, Value)> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Some((status, body))
    }
}

pub struct User {
    pub id: String,
    pub username: String,
    pub token: String,
}

/// Registers and logs in a fresh user from `client`'s address.
async fn user(client: &Client, prefix: &str) -> User {
    let username = e2e::unique(prefix);
    let password = "correct horse battery";
    let registration = json!({"username": username, "email": format!("{username}@example.com"), "password": password});
    let (status, body) = client
        .post("/users/register", registration)
        .await
        .expect("register");
    assert_eq!(status, 201, "register {username}: {body}");
    let login = json!({"username": username, "password": password});
    let (status, session) = client.post("/users/login", login).await.expect("login");
    assert_eq!(status, 200, "login {username}: {session}");
    User {
        id: body["id"].as_str().unwrap().to_owned(),
        username,
        token: session["access_token"].as_str().unwrap().to_owned(),
    }
}

fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
    else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[tokio::main]
async fn main() {
    let api = e2e::api_url();
    let ws = e2e::ws::ws_url();
    if !is_loopback(&api) || !is_loopback(&ws) {
        eprintln!("load-limits floods local stacks only: {api} / {ws} is not a loopback address");
        std::process::exit(2);
    }
    let multiplier = std::env::var("RATE_LIMIT_MULTIPLIER").unwrap_or_else(|_| "unset".into());
    println!(
        "load-limits against {api} (RATE_LIMIT_MULTIPLIER {multiplier}): 3 floods of {} s, at most {} requests each, {HONEST_USERS} honest users sending one message a second each throughout",
        FLOOD.as_secs(),
        floods::MAX_REQUESTS
    );
    let from = |last: u8| Client::new(&api, Ipv4Addr::new(127, 0, 0, last));
    let attacker = from(2);
    let victim = user(&from(20), "victim").await;
    let flooder = user(&from(21), "flooder").await;
    let mut honest_users = Vec::new();
    for n in 0..HONEST_USERS {
        let client = from(22 + n);
        let honest = user(&client, "honest").await;
        honest_users.push((client.with_token(&honest.token), honest));
    }
    let flooder_client = from(21).with_token(&flooder.token);
    let members: Vec<&str> = honest_users.iter().map(|(_, u)| u.id.as_str()).collect();
    let chat = json!({"name": e2e::unique("load"), "member_ids": members});
    let (status, chat) = flooder_client
        .post("/chats", chat)
        .await
        .expect("create chat");
    assert_eq!(status, 201, "create chat: {chat}");
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let observer = User {
        id: honest_users[0].1.id.clone(),
        username: honest_users[0].1.username.clone(),
        token: honest_users[0].1.token.clone(),
    };

    let phase = Arc::new(AtomicUsize::new(0));
    let honest = Arc::new(Honest::default());
    let honest_tasks = floods::honest_traffic(
        honest_users,
        &chat_id,
        Arc::clone(&phase),
        Arc::clone(&honest),
    );

    println!(
        "\n(a) login flood: wrong passwords for {} from one address",
        victim.username
    );
    floods::login(&attacker, &victim.username, FLOOD)
        .await
        .print(FLOOD.as_secs());
    honest.print(0);

    phase.store(1, Ordering::Relaxed);
    println!("\n(b) REST flood: POST /messages by one user into the chat");
    floods::rest_sends(&flooder_client, &chat_id, FLOOD)
        .await
        .print(FLOOD.as_secs());
    honest.print(1);

    phase.store(2, Ordering::Relaxed);
    println!(
        "\n(c) WebSocket flood: sendMessage and typing frames, alternately, on one connection"
    );
    floods::websocket(&ws, &flooder, &observer, &chat_id, FLOOD)
        .await
        .print(FLOOD.as_secs());
    honest.print(2);

    phase.store(usize::MAX, Ordering::Relaxed);
    for task in honest_tasks {
        task.abort();
    }
}
