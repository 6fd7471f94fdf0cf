//! The run's people and places, before any fault: users written behind the API (an Argon2
//! hash each would cost minutes on two cores, and sign-up is not what the run tests), the
//! large chat built over the API with `Idempotency-Key`s, and direct conversations opened by a
//! first message each.

use std::sync::Arc;

use chat_lambda::App;
use e2e::direct::{DIRECT_SESSION, unsaved_user};
use futures::StreamExt;
use reqwest::Method;
use serde_json::json;

use crate::api::{Api, Call};
use crate::client::{Conversation, User};
use crate::ledger::{ClientLog, SendRecord, Target};

/// A chat is created with at most this many members (one transaction); the rest are added.
const CREATED_WITH: usize = 99;

pub struct World {
    pub users: Vec<User>,
    pub big_chat: String,
    /// Per user: the conversations it follows (id and how to fetch it).
    pub followed: Vec<Vec<(String, Conversation)>>,
    /// What the set-up itself sent, per user (checked like any send).
    pub logs: Vec<ClientLog>,
}

pub async fn users(app: &App, run: &str, count: usize) -> Result<Vec<User>, String> {
    // Sixteen at a time: one by one, 240 took a good part of the set-up on a debug stack.
    futures::stream::iter((0..count).map(|index| user(app, run, index)))
        .buffered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

async fn user(app: &App, run: &str, index: usize) -> Result<User, String> {
    let user = unsaved_user(&format!("{run}u{index}").to_lowercase());
    app.store
        .create_user(&user)
        .await
        .map_err(|e| format!("storing user {index}: {e}"))?;
    let token = app
        .tokens
        .issue(&user.id, DIRECT_SESSION)
        .map_err(|e| format!("a token for user {index}: {e:?}"))?
        .token;
    Ok(User { id: user.id, token })
}

/// The large chat of users `0..members`, and each user's direct peers: the next user and,
/// for every third, the one seven further on.
pub async fn world(
    api: &Api,
    run: &str,
    users: Vec<User>,
    members: usize,
) -> Result<World, String> {
    let n = users.len();
    let mut logs: Vec<ClientLog> = (0..n).map(|_| ClientLog::default()).collect();
    let owner = &users[0];
    let first: Vec<&str> = users[1..members.min(CREATED_WITH)]
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    let key = format!("{run}-big");
    let created = api
        .with_retries(
            &Call {
                route: "POST /chats",
                method: Method::POST,
                path: "/chats".to_owned(),
                token: &owner.token,
                idempotency_key: Some(&key),
                body: Some(json!({"name": format!("{run} everybody"), "member_ids": first})),
            },
            &mut logs[0].attempts,
        )
        .await;
    let big_chat = created.body["id"]
        .as_str()
        .filter(|_| created.outcome.succeeded())
        .ok_or_else(|| format!("creating the large chat: {}", created.outcome))?
        .to_owned();
    // Members already in add the rest, ten adders at a time, each within its write budget.
    let rest: Vec<usize> = (members.min(CREATED_WITH)..members).collect();
    for wave in rest.chunks(10) {
        let adds = wave.iter().enumerate().map(|(i, &joining)| {
            let adder = &users[1 + i];
            let key = format!("{run}-join{joining}");
            let path = format!("/chats/{big_chat}/members");
            let body = json!({"user_id": users[joining].id});
            let api = api.clone();
            async move {
                let mut attempts = Vec::new();
                let call = Call {
                    route: "POST /chats/{id}/members",
                    method: Method::POST,
                    path,
                    token: &adder.token,
                    idempotency_key: Some(&key),
                    body: Some(body),
                };
                let answer = api.with_retries(&call, &mut attempts).await;
                (answer.outcome, attempts)
            }
        });
        for (outcome, attempts) in futures::future::join_all(adds).await {
            logs[0].attempts.extend(attempts);
            if !outcome.succeeded() {
                return Err(format!("adding a member to the large chat: {outcome}"));
            }
        }
    }
    // Followed under its conversation id (`c.<chat_id>`), the key of its messages, of its
    // events' `conversation_id` and of the checks' queries: keyed by the bare chat id, the
    // catch-ups' view and the live events fell apart, and the checks read a conversation that
    // does not exist (no stored messages, last number 0), so nothing of the chat was checked.
    let big_conversation = chat_core::conversation::Conversation::chat(
        &chat_core::ids::ChatId::trusted(big_chat.as_str()),
    )
    .id();
    let mut followed: Vec<Vec<(String, Conversation)>> = (0..n).map(|_| Vec::new()).collect();
    for list in followed.iter_mut().take(members) {
        list.push((
            big_conversation.clone(),
            Conversation::Chat {
                chat_id: big_chat.clone(),
            },
        ));
    }
    let mut pairs: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    pairs.extend((0..n).step_by(3).map(|i| (i, (i + 7) % n)));
    let opened: Vec<_> = futures::stream::iter(pairs.iter().map(|&(a, b)| {
        let api = api.clone();
        let (from, to) = (users[a].clone(), users[b].clone());
        let key = format!("{run}-hello{a}-{b}");
        async move {
            let mut attempts = Vec::new();
            let call = Call {
                route: "POST /messages",
                method: Method::POST,
                path: "/messages".to_owned(),
                token: &from.token,
                idempotency_key: None,
                body: Some(json!({"recipient_id": to.id, "content": format!("{key} hello"), "client_message_id": key})),
            };
            let answer = api.with_retries(&call, &mut attempts).await;
            (key, answer, attempts)
        }
    }))
    .buffered(16)
    .collect()
    .await;
    for ((a, b), (key, answer, attempts)) in pairs.into_iter().zip(opened) {
        let count = attempts.len();
        logs[a].attempts.extend(attempts);
        let conversation = answer.body["conversation_id"]
            .as_str()
            .filter(|_| answer.outcome.succeeded())
            .ok_or_else(|| format!("opening a direct conversation: {}", answer.outcome))?
            .to_owned();
        logs[a].sends.push(SendRecord {
            client_message_id: key,
            target: Target::Direct(users[b].id.clone()),
            over_socket: false,
            attempts: count,
            answers: vec![crate::actions::identity(&answer.body)],
        });
        followed[a].push((
            conversation.clone(),
            Conversation::Direct {
                peer_id: users[b].id.clone(),
            },
        ));
        followed[b].push((
            conversation,
            Conversation::Direct {
                peer_id: users[a].id.clone(),
            },
        ));
    }
    Ok(World {
        users,
        big_chat,
        followed,
        logs,
    })
}

pub async fn app() -> Result<Arc<App>, String> {
    App::from_env()
        .await
        .map(Arc::new)
        .map_err(|e| format!("the functions' environment (run through infra/chaos.sh): {e}"))
}
