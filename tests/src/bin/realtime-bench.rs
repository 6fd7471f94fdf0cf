//! Real-time delivery figures against a running local stack (`CHAT_API_URL`, `CHAT_WS_URL`);
//! `./infra/bench-realtime.sh` starts a stack of release builds and runs it:
//! - 1:1: time from a REST send to the recipient's socket receiving the event, p50/p99;
//! - login: `POST /users/login` (Argon2id's verification and a new session), p50/p99;
//! - a large chat (`BENCH_CHAT_MEMBERS`, 1,000 by default): its members come online one socket
//!   each and subscribe to the presence of the 20 members a member list shows; the presence
//!   pushes that causes, against the n(n-1)/2 of pushing every chat contact;
//! - fan-out: one warm-up message (shown, not counted), then `BENCH_ROUNDS` (20) REST messages
//!   to that chat; the send's answer time, the time
//!   from the send to the last socket receiving `message.created`, the sockets missed, and the
//!   pushes per second the stack reached.
//!
//! `BENCH_PARTS` (`1to1,login,fanout` by default) runs only the parts it names: the large chat's
//! thousand sockets keep two cores busy for a minute after it, so the 1:1 and login figures of
//! a quiet machine come from runs without it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::ws::Socket;
use e2e::{Api, TestUser};
use futures::StreamExt;
use serde_json::json;

/// Members (and sockets) of the large chat, unless `BENCH_CHAT_MEMBERS` says otherwise.
const CHAT_MEMBERS: usize = 1000;
/// Messages sent to it, unless `BENCH_ROUNDS` says otherwise.
const FAN_OUT_ROUNDS: usize = 20;
/// The presence subscriptions of each client: the members its member list shows.
const WATCHED: usize = 20;
/// A socket that has not received a round's message after this long counts as missed.
const MISS_AFTER: Duration = Duration::from_secs(10);
const DIRECT_MESSAGES: usize = 300;
/// Logins of one account, one at a time.
const LOGINS: usize = 50;
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

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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
    let parts = std::env::var("BENCH_PARTS").unwrap_or_else(|_| "1to1,login,fanout".into());
    let parts: Vec<&str> = parts.split(',').map(str::trim).collect();
    if let Some(unknown) = parts
        .iter()
        .find(|p| !["1to1", "login", "fanout"].contains(p))
    {
        eprintln!("BENCH_PARTS: unknown part {unknown:?} (1to1, login, fanout)");
        std::process::exit(2);
    }
    let api = Api::new();
    if parts.contains(&"1to1") {
        one_to_one(&api).await;
        println!();
    }
    if parts.contains(&"login") {
        login(&api).await;
        println!();
    }
    if parts.contains(&"fanout") {
        fan_out(&api).await;
    }
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

/// Login: one account's, one at a time, after warm-up logins (the first of an instance is a
/// cold start).
async fn login(api: &Api) {
    println!(
        "login: {LOGINS} logins of one account, one at a time, after {WARM_UP} warm-up logins"
    );
    let user = &users(api, 1).await[0];
    for _ in 0..WARM_UP {
        api.login(user).await;
    }
    let mut took = Vec::with_capacity(LOGINS);
    for _ in 0..LOGINS {
        let started = Instant::now();
        api.login(user).await;
        took.push(started.elapsed());
    }
    took.sort();
    println!(
        "  login (request -> 200):              p50 {}, p99 {}",
        ms(percentile(&took, 50.0)),
        ms(percentile(&took, 99.0))
    );
}

/// The large chat: its members come online, then messages to all of them.
async fn fan_out(api: &Api) {
    let size = setting("BENCH_CHAT_MEMBERS", CHAT_MEMBERS);
    let rounds = setting("BENCH_ROUNDS", FAN_OUT_ROUNDS);
    println!("setting up {size} users and one chat of all of them...");
    let members = users(api, size).await;
    let owner = &members[0];
    // A chat is created with at most 99 members (one transaction); the rest are added.
    let first: Vec<&TestUser> = members[1..size.min(99)].iter().collect();
    let chat = api.create_chat(owner, &first).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    futures::stream::iter(members.get(99..).unwrap_or_default())
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

    println!("\n{size} users come online: one socket each, each subscribing to {WATCHED} members");
    let watched: Vec<&str> = members
        .iter()
        .take(WATCHED)
        .map(|m| m.id.as_str())
        .collect();
    let started = Instant::now();
    let mut sockets: Vec<Socket> = futures::stream::iter(&members)
        .map(|m| {
            let watched = watched.clone();
            async move {
                let mut socket = Socket::connect(&m.token).await;
                socket
                    .send(json!({"action": "subscribePresence", "user_ids": watched}))
                    .await;
                socket
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let connected = started.elapsed();
    let presence: usize = futures::future::join_all(
        sockets
            .iter_mut()
            .map(|s| s.count_until_quiet("presence", QUIET)),
    )
    .await
    .into_iter()
    .sum();
    let old_rule = size * (size - 1) / 2;
    println!(
        "  {} sockets connected in {}; {presence} presence pushes in all (pushing every chat contact: {old_rule})",
        sockets.len(),
        ms(connected)
    );

    println!(
        "\nfan-out: {rounds} REST messages to the {size}-member chat, after one warm-up message"
    );
    // The first message starts the delivery function's instances and their connections (a
    // deployed function pays that once per instance, not per message): shown, not counted.
    let warm_up = round(api, owner, &chat_id, &mut sockets, "warm-up").await;
    println!("  warm-up: {}", warm_up.line);
    let mut answers = Vec::with_capacity(rounds);
    let mut lasts = Vec::with_capacity(rounds);
    let mut missed_total = 0;
    for n in 1..=rounds {
        let measured = round(api, owner, &chat_id, &mut sockets, &format!("round {n}")).await;
        println!("  round {n:>2}: {}", measured.line);
        answers.push(measured.answered);
        lasts.push(measured.last);
        missed_total += measured.missed;
    }
    answers.sort();
    lasts.sort();
    println!(
        "  send answered: p50 {}, max {}; last delivery: p50 {}, max {}; sockets missed over {rounds} rounds: {missed_total}",
        ms(percentile(&answers, 50.0)),
        ms(*answers.last().unwrap()),
        ms(percentile(&lasts, 50.0)),
        ms(*lasts.last().unwrap())
    );
}

/// One message to the large chat, timed at every socket.
struct Round {
    answered: Duration,
    last: Duration,
    missed: usize,
    line: String,
}

async fn round(
    api: &Api,
    owner: &TestUser,
    chat_id: &str,
    sockets: &mut [Socket],
    label: &str,
) -> Round {
    let started = Instant::now();
    let sent = api
        .send_to_chat(owner, chat_id, &format!("fan-out {label}"))
        .await;
    let answered = started.elapsed();
    let id = sent["id"].as_str().unwrap().to_owned();
    let arrivals: Vec<Option<Duration>> = futures::future::join_all(sockets.iter_mut().map(|s| {
        let id = id.clone();
        async move {
            s.try_within(
                "message.created",
                |e| e["data"]["id"] == id.as_str(),
                MISS_AFTER,
            )
            .await
            .map(|(_, at)| at.duration_since(started.into()))
        }
    }))
    .await;
    let reached: Vec<Duration> = arrivals.iter().flatten().copied().collect();
    let missed = arrivals.len() - reached.len();
    let first = reached.iter().min().copied().unwrap_or_default();
    let last = reached.iter().max().copied().unwrap_or_default();
    let spread = (last - first).as_secs_f64();
    let rate = if spread > 0.0 {
        format!("{:.0} pushes/s", reached.len() as f64 / spread)
    } else {
        "-".to_owned()
    };
    let line = format!(
        "send answered after {}; first delivery {}, last {}; {} reached, {missed} missed; {rate}",
        ms(answered),
        ms(first),
        ms(last),
        reached.len()
    );
    Round {
        answered,
        last,
        missed,
        line,
    }
}
