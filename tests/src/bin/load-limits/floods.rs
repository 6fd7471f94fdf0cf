//! The three floods and the honest users' traffic. Every flood stops at its deadline or after
//! `MAX_REQUESTS`, whichever comes first.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use crate::tally::{Honest, Outcome, Tally};
use crate::{Client, User};

/// Requests (or frames) one flood may send at most, whatever its duration.
pub const MAX_REQUESTS: usize = 5_000;
/// HTTP requests of a flood in flight at once.
const IN_FLIGHT: usize = 8;
/// Pace of the WebSocket flood: a frame every this long (50 a second, far over any one
/// connection's limit, and what a two-core machine's stack can still answer).
const FRAME_EVERY: Duration = Duration::from_millis(20);
/// How long answers to a flood's last frames may take to arrive.
const TRAILING: Duration = Duration::from_secs(3);
/// How often an honest user sends: a person chatting, not a script.
const HONEST_EVERY: Duration = Duration::from_secs(1);

/// What an HTTP answer means for the flood.
fn classify(status: u16, body: &Value, accepted: u16) -> Outcome {
    match status {
        s if s == accepted => Outcome::Accepted,
        429 if body["error"]["code"] == "rate_limited" => Outcome::RateLimited,
        429 if body["message"] == "Too Many Requests" => Outcome::EdgeThrottled,
        _ => Outcome::Other,
    }
}

/// `IN_FLIGHT` workers sending `request` back to back until `duration` has passed.
async fn http_flood(
    client: &Client,
    duration: Duration,
    accepted: u16,
    request: impl Fn(usize) -> (&'static str, Value) + Send + Sync + 'static,
) -> Tally {
    let started = Instant::now();
    let tally = Arc::new(Tally::new(started));
    let sent = Arc::new(AtomicUsize::new(0));
    let request = Arc::new(request);
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (client, tally, sent, request) = (
                client.clone(),
                Arc::clone(&tally),
                Arc::clone(&sent),
                Arc::clone(&request),
            );
            tokio::spawn(async move {
                while started.elapsed() < duration {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= MAX_REQUESTS {
                        break;
                    }
                    let (path, body) = request(n);
                    let outcome = match client.post(path, body).await {
                        Some((status, body)) => classify(status, &body, accepted),
                        None => Outcome::Other,
                    };
                    tally.add(outcome);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    Arc::into_inner(tally).expect("every worker has ended")
}

/// (a) Wrong passwords for one account, from one address.
pub async fn login(attacker: &Client, victim: &str, duration: Duration) -> Tally {
    let victim = victim.to_owned();
    http_flood(attacker, duration, 401, move |n| {
        let body = json!({"username": victim, "password": format!("wrong guess {n}")});
        ("/users/login", body)
    })
    .await
}

/// (b) One user's REST sends into the chat.
pub async fn rest_sends(flooder: &Client, chat_id: &str, duration: Duration) -> Tally {
    let chat_id = chat_id.to_owned();
    http_flood(flooder, duration, 201, move |n| {
        (
            "/messages",
            json!({"chat_id": chat_id, "content": format!("flood {n}")}),
        )
    })
    .await
}

/// (c) `sendMessage` and `typing` frames, alternately, on one connection at a steady pace;
/// `observer` is another member's socket, which counts the flooder's `typing` events.
pub async fn websocket(
    ws_url: &str,
    flooder: &User,
    observer: &User,
    chat_id: &str,
    duration: Duration,
) -> Tally {
    let connect = |token: &str| connect_async(format!("{ws_url}?token={token}"));
    let (socket, _) = connect(&flooder.token).await.expect("flooder's handshake");
    let (watch, _) = connect(&observer.token)
        .await
        .expect("observer's handshake");
    let started = Instant::now();
    let tally = Arc::new(Tally::new(started));
    let (mut sink, mut stream) = socket.split();

    let reader_tally = Arc::clone(&tally);
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            let outcome = match message {
                Message::Text(text) => {
                    let frame: Value = serde_json::from_str(text.as_str()).unwrap_or_default();
                    match frame["type"].as_str() {
                        Some("message.sent") => Outcome::Accepted,
                        Some("error") if frame["data"]["code"] == "rate_limited" => {
                            Outcome::RateLimited
                        }
                        Some("error") => Outcome::Other,
                        Some(_) => continue,
                        None if frame["message"] == "Too Many Requests" => Outcome::EdgeThrottled,
                        None => Outcome::Other,
                    }
                }
                Message::Close(_) => {
                    reader_tally.add(Outcome::Closed);
                    return;
                }
                _ => continue,
            };
            reader_tally.add(outcome);
        }
    });
    let observer_tally = Arc::clone(&tally);
    let flooder_id = flooder.id.clone();
    let observer_task = tokio::spawn(async move {
        let (_, mut stream) = watch.split();
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                let event: Value = serde_json::from_str(text.as_str()).unwrap_or_default();
                if event["type"] == "typing" && event["data"]["user_id"] == flooder_id.as_str() {
                    observer_tally.add(Outcome::Delivered);
                }
            }
        }
    });

    let mut pace = tokio::time::interval(FRAME_EVERY);
    for n in 0..MAX_REQUESTS {
        pace.tick().await;
        if started.elapsed() >= duration || reader.is_finished() {
            break;
        }
        let frame = if n % 2 == 0 {
            json!({"action": "sendMessage", "chat_id": chat_id,
                   "content": format!("ws flood {n}"), "client_message_id": format!("f{n}")})
        } else {
            json!({"action": "typing", "chat_id": chat_id, "is_typing": n % 4 == 1})
        };
        if sink.send(Message::text(frame.to_string())).await.is_err() {
            break;
        }
        tally.add(Outcome::Sent);
    }
    tokio::time::sleep(TRAILING).await;
    let _ = sink.close().await;
    reader.abort();
    observer_task.abort();
    let _ = reader.await;
    let _ = observer_task.await;
    Arc::into_inner(tally).expect("the socket tasks have ended")
}

/// Every honest user sends one message to the chat every `HONEST_EVERY`, each from its own
/// address, until `stop` is set; `phase` says which flood is running.
pub fn honest_traffic(
    users: Vec<(Client, User)>,
    chat_id: &str,
    phase: Arc<AtomicUsize>,
    honest: Arc<Honest>,
) -> Vec<tokio::task::JoinHandle<()>> {
    users
        .into_iter()
        .enumerate()
        .map(|(i, (client, user))| {
            let (chat_id, phase, honest) =
                (chat_id.to_owned(), Arc::clone(&phase), Arc::clone(&honest));
            tokio::spawn(async move {
                // Spread over the second, as people do not type in step.
                tokio::time::sleep(HONEST_EVERY / 3 * i as u32).await;
                let mut pace = tokio::time::interval(HONEST_EVERY);
                for n in 0.. {
                    pace.tick().await;
                    let now = phase.load(Ordering::Relaxed);
                    if now == usize::MAX {
                        return;
                    }
                    let body =
                        json!({"chat_id": chat_id, "content": format!("{} says {n}", user.id)});
                    let started = Instant::now();
                    let status = client.post("/messages", body).await.map_or(0, |(s, _)| s);
                    honest.record(now, status, started.elapsed());
                }
            })
        })
        .collect()
}
