//! The end of the run: every client back online and caught up, the stack left to settle, one
//! last message in each followed conversation (a push lost at the very end shows as a gap
//! only with a next event), then the checks; last, the presence check, after some clients
//! vanish without a goodbye and the lease and sweep have had their time.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use rand::Rng;

use crate::api::Api;
use crate::checks::{self, Check};
use crate::client::{Client, Conversation};
use crate::database::Database;
use crate::ledger::Target;

/// Quiet after the last sentinel's events before the checks read anything.
const QUIET: Duration = Duration::from_secs(3);
/// Every tenth client leaves without a close frame before the presence check.
const VANISHING: usize = 10;

pub struct Outcome {
    pub checks: Vec<Check>,
    pub lost: u64,
    pub duplicated: u64,
    pub repeats: u64,
}

/// Opens the clients' sockets `at_once` at a time, each retried for up to half a minute.
pub async fn online(clients: &mut [Client], at_once: usize) {
    futures::stream::iter(clients.iter_mut())
        .for_each_concurrent(at_once, |client| async move {
            for _ in 0..30 {
                if client.socket.is_some() || client.connect().await {
                    let spell = client.rng.random_range(30..120);
                    client.switch_at = tokio::time::Instant::now() + Duration::from_secs(spell);
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
        .await;
}

/// Every client handles its frames for `span`; one whose socket the service closed (a lease
/// that lapsed under a fault, a record a 410 removed) reconnects and catches up, as the
/// contract's client does, unless it left on purpose.
async fn pump(clients: &mut [Client], span: Duration) {
    let until = tokio::time::Instant::now() + span;
    futures::future::join_all(clients.iter_mut().map(|client| async move {
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return;
            }
            if client.socket.is_none() && !client.vanished {
                if !client.connect().await {
                    tokio::time::sleep(left.min(Duration::from_secs(1))).await;
                }
                continue;
            }
            if !client.next(left).await && client.socket.is_none() && client.vanished {
                tokio::time::sleep(left).await;
            }
        }
    }))
    .await;
}

pub async fn settle_and_check(
    clients: &mut [Client],
    api: &Api,
    presence_bound: Duration,
    recovery_from: Duration,
) -> Result<Outcome, String> {
    println!("faults off; every client online and caught up; settling...");
    online(clients, 16).await;
    pump(clients, Duration::from_secs(5)).await;
    for client in clients.iter_mut() {
        let behind: Vec<String> = client.behind.iter().cloned().collect();
        for conversation in behind {
            client.catch_up(&conversation).await;
        }
    }
    // One last message in every followed conversation, from one of its followers; the
    // clients send theirs side by side (one after another, 320 sends took a minute).
    let mut done = BTreeSet::new();
    let mut sentinels: Vec<Vec<Target>> = vec![Vec::new(); clients.len()];
    for (client, targets) in clients.iter().zip(sentinels.iter_mut()) {
        for conversation in &client.followed {
            if !done.insert(conversation.clone()) {
                continue;
            }
            match client.known.get(conversation) {
                Some(Conversation::Chat { chat_id }) => targets.push(Target::Chat(chat_id.clone())),
                Some(Conversation::Direct { peer_id }) => {
                    targets.push(Target::Direct(peer_id.clone()))
                }
                None => {}
            }
        }
    }
    futures::stream::iter(clients.iter_mut().zip(sentinels))
        .for_each_concurrent(16, |(client, targets)| async move {
            client.rest_only = true;
            for target in targets {
                client.send(Some(target)).await;
            }
        })
        .await;
    pump(clients, QUIET * 3).await;

    let db = Database::connect().await?;
    let stored = checks::stored(&db, clients).await?;
    let (mut all, lost, duplicated) = checks::sends(clients, &stored);
    all.push(checks::changes(clients, &stored));
    let (delivery, repeats) = checks::delivery(&db, clients, &stored).await?;
    all.extend(delivery);
    all.push(checks::creations(clients, &db.chat_names().await?));
    all.push(no_service_errors(clients));
    all.push(recovered(clients, recovery_from, presence_bound));

    println!(
        "presence: every {VANISHING}th client vanishes without a close frame; waiting {} s (lease + sweep + 5 s)...",
        presence_bound.as_secs() + 5
    );
    for client in clients
        .iter_mut()
        .filter(|c| c.index % VANISHING == VANISHING - 1)
    {
        client.vanished = true;
        client.go_offline(false).await;
    }
    pump(clients, presence_bound + Duration::from_secs(5)).await;
    all.push(presence(&db, clients).await?);
    let _ = api;
    Ok(Outcome {
        checks: all,
        lost,
        duplicated,
        repeats,
    })
}

fn no_service_errors(clients: &[Client]) -> Check {
    let failures = clients
        .iter()
        .flat_map(|c| c.log.attempts.iter().map(move |a| (c, a)))
        .filter(|(_, a)| a.outcome.is_service_error())
        .map(|(c, a)| {
            format!(
                "user {} {} at {:.1} s: {}",
                c.user.id,
                a.route,
                a.at.as_secs_f64(),
                a.outcome
            )
        })
        .collect();
    Check::new(
        "no 5xx from the service itself (503 and the crash fault's 500 aside)",
        failures,
    )
}

/// Every attempt started 5 s or more after the last fault ended succeeded; on a socket, from
/// a lease and a sweep later: a socket whose lease could not be renewed during a fault is
/// swept and closed by the service up to then, by design (the client reconnects), and a frame
/// sent on it meanwhile is lost with it.
fn recovered(clients: &[Client], from: Duration, lease_and_sweep: Duration) -> Check {
    let mut count = 0;
    let mut failures = Vec::new();
    for client in clients {
        let recovered = |a: &&crate::ledger::Attempt| {
            let on_socket = a.route.starts_with("ws ");
            a.at >= from
                + if on_socket {
                    lease_and_sweep
                } else {
                    Duration::ZERO
                }
        };
        for attempt in client.log.attempts.iter().filter(recovered) {
            count += 1;
            if !attempt.outcome.succeeded() {
                failures.push(format!(
                    "user {} {} at {:.1} s: {}",
                    client.user.id,
                    attempt.route,
                    attempt.at.as_secs_f64(),
                    attempt.outcome
                ));
            }
        }
    }
    Check::new(
        format!(
            "every request from 5 s after the last fault succeeded, on a socket from a lease and a sweep later ({count})"
        ),
        failures,
    )
}

/// One connection record and `online` for each client holding a socket; none and `offline`
/// for the others.
async fn presence(db: &Database, clients: &[Client]) -> Result<Check, String> {
    let records = db.connections().await?;
    let statuses = db.statuses().await?;
    let mut failures = Vec::new();
    for client in clients {
        let (want_records, want_status) = if client.socket.is_some() {
            (1, "online")
        } else {
            (0, "offline")
        };
        let held = records.get(&client.user.id).copied().unwrap_or(0);
        let status = statuses.get(&client.user.id).map_or("", String::as_str);
        if held != want_records || status != want_status {
            failures.push(format!("user {}: {held} connection records, {status:?}; expected {want_records}, {want_status:?}", client.user.id));
        }
    }
    Ok(Check::new(
        "connection records and presence match the open sockets, within the lease and sweep",
        failures,
    ))
}
