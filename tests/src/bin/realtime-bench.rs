//! Real-time delivery figures against a running local stack (`CHAT_API_URL`, `CHAT_WS_URL`);
//! `./infra/bench-realtime.sh` starts a stack of release builds and runs it:
//! - 1:1: time from a REST send to the recipient's socket receiving the event, p50/p99;
//! - fan-out: a REST message to a 200-member chat, every member connected; time from the send
//!   to the last socket receiving `message.created`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::ws::Socket;
use e2e::{Api, TestUser};
use futures::StreamExt;
use serde_json::json;

const CHAT_MEMBERS: usize = 200;
const FAN_OUT_ROUNDS: usize = 5;
const DIRECT_MESSAGES: usize = 300;
/// Messages sent before the 1:1 figures count: they warm the instances and their connections.
const WARM_UP: usize = 10;
/// Set-up events are over once no socket has had one for this long.
const QUIET: Duration = Duration::from_secs(2);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn users(api: &Api, n: usize) -> Vec<TestUser> {
    futures::stream::iter(0..n)
        .map(|_| api.user("bench"))
        .buffer_unordered(16)
        .collect()
        .await
}

#[tokio::main]
async fn main() {
    let api = Api::new();
    one_to_one(&api).await;
    println!();
    fan_out(&api).await;
}

/// 1:1: REST send to the recipient's socket, one message at a time.
async fn one_to_one(api: &Api) {
    println!(
        "1:1: {DIRECT_MESSAGES} REST messages, sender to recipient socket, after {WARM_UP} warm-up messages"
    );
    let pair = users(api, 2).await;
    let (a, b) = (&pair[0], &pair[1]);
    let mut inbox = Socket::connect(&b.token).await;
    for i in 0..WARM_UP {
        let sent = api.send_direct(a, b, &format!("warm-up {i}")).await;
        let id = sent["id"].as_str().unwrap().to_owned();
        inbox
            .expect_where("message.created", |e| e["data"]["id"] == id.as_str())
            .await;
    }
    let mut latencies = Vec::with_capacity(DIRECT_MESSAGES);
    let mut answered = Vec::with_capacity(DIRECT_MESSAGES);
    for i in 0..DIRECT_MESSAGES {
        let started = Instant::now();
        let sent = api.send_direct(a, b, &format!("ping {i}")).await;
        answered.push(started.elapsed());
        let id = sent["id"].as_str().unwrap().to_owned();
        let (_, at) = inbox
            .expect_arrival("message.created", |e| e["data"]["id"] == id.as_str())
            .await;
        latencies.push(at.duration_since(started.into()));
    }
    latencies.sort();
    answered.sort();
    println!(
        "  delivery (send -> recipient socket): p50 {}, p99 {}, max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "  REST answer (send -> 201):           p50 {}, p99 {}",
        ms(percentile(&answered, 50.0)),
        ms(percentile(&answered, 99.0))
    );
}

/// Fan-out: one REST message to a chat whose every member has a socket open.
async fn fan_out(api: &Api) {
    println!("setting up {CHAT_MEMBERS} users, one chat and {CHAT_MEMBERS} sockets...");
    let members = users(api, CHAT_MEMBERS).await;
    let owner = &members[0];
    // A chat is created with at most 99 members (one transaction); the rest are added.
    let first: Vec<&TestUser> = members[1..99].iter().collect();
    let chat = api.create_chat(owner, &first).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    futures::stream::iter(&members[99..])
        .map(|m| {
            let api = api.clone();
            let path = format!("/chats/{chat_id}/members");
            async move {
                api.post(&path, Some(&owner.token), json!({"user_id": m.id}))
                    .await
                    .expect(200);
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    let mut sockets: Vec<Socket> = futures::stream::iter(&members)
        .map(|m| Socket::connect(&m.token))
        .buffer_unordered(16)
        .collect()
        .await;
    // Every connect tells the member's contacts it is online: let that burst of presence events
    // finish, so the rounds measure message delivery and not the tail of the set-up.
    let presence: usize =
        futures::future::join_all(sockets.iter_mut().map(|s| s.drain_until_quiet(QUIET)))
            .await
            .into_iter()
            .sum();
    println!(
        "{} sockets connected; {presence} presence events drained",
        sockets.len()
    );

    println!("\nfan-out: one REST message to a {CHAT_MEMBERS}-member chat");
    for round in 1..=FAN_OUT_ROUNDS {
        let content = format!("fan-out round {round}");
        let started = Instant::now();
        let sent = api.send_to_chat(owner, &chat_id, &content).await;
        let accepted = started.elapsed();
        let id = sent["id"].as_str().unwrap().to_owned();
        let arrivals: Vec<Duration> = futures::future::join_all(sockets.iter_mut().map(|s| {
            let id = id.clone();
            async move {
                let (_, at) = s
                    .expect_arrival("message.created", |e| e["data"]["id"] == id.as_str())
                    .await;
                at.duration_since(started.into())
            }
        }))
        .await;
        let last = arrivals.iter().max().copied().unwrap_or_default();
        println!(
            "  round {round}: {} sockets reached; send answered after {}, last delivery {} after the send",
            arrivals.len(),
            ms(accepted),
            ms(last)
        );
    }
}
