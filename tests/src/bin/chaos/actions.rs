//! What a client does on its turn, chosen by its seeded generator: sends over REST or its
//! socket (with `client_message_id`, retried with the same one), edits of its own messages,
//! reactions, read marks, typing, and small chats created with an `Idempotency-Key`.

use std::time::Duration;

use rand::Rng;
use rand::seq::IndexedRandom;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Call, MAX_ATTEMPTS, retry_wait};
use crate::client::{Client, Conversation};
use crate::ledger::{Attempt, ChangeKind, ChangeRecord, ChatCreation, Outcome, SendRecord, Target};

/// How long a socket send waits for its `message.sent`: as long as a REST attempt, for the
/// same reason (a route's function answers within its 10 s timeout, its push soon after).
const ACK_WAIT: Duration = crate::api::ATTEMPT_TIMEOUT;
const EMOJI: [&str; 4] = ["👍", ":tada:", "❤️", ":eyes:"];

impl Client {
    pub async fn act(&mut self) {
        let roll = self.rng.random_range(0..100);
        match roll {
            0..40 => {
                let target = self.pick_target();
                self.send(target).await;
            }
            40..50 => self.edit().await,
            50..62 => self.react().await,
            62..77 => self.read().await,
            77..80 => self.create_chat().await,
            80..85 => self.typing().await,
            _ => {}
        }
    }

    /// A conversation to act in: the large chat seldom, since each change goes to all of it.
    fn pick_conversation(&mut self) -> Option<String> {
        let big = self.pace.big_chat.clone();
        let others: Vec<String> = self
            .known
            .keys()
            .filter(|id| self.conversation_is_not(id, &big))
            .cloned()
            .collect();
        let in_big = self
            .known
            .keys()
            .any(|id| !self.conversation_is_not(id, &big));
        if in_big && (others.is_empty() || self.rng.random_bool(0.08)) {
            return self
                .known
                .iter()
                .find(|(_, how)| {
                    **how
                        == Conversation::Chat {
                            chat_id: big.clone(),
                        }
                })
                .map(|(id, _)| id.clone());
        }
        others.choose(&mut self.rng).cloned()
    }

    fn conversation_is_not(&self, id: &str, chat_id: &str) -> bool {
        self.known
            .get(id)
            .is_none_or(|how| !matches!(how, Conversation::Chat { chat_id: c } if c == chat_id))
    }

    fn pick_target(&mut self) -> Option<Target> {
        let id = self.pick_conversation()?;
        Some(match self.known.get(&id)? {
            Conversation::Chat { chat_id } => Target::Chat(chat_id.clone()),
            Conversation::Direct { peer_id } => Target::Direct(peer_id.clone()),
        })
    }

    /// A message of `conversation` the client holds, by its creation number, and its id.
    fn pick_message(&mut self, own: bool) -> Option<(String, u64, String)> {
        let conversation = self.pick_conversation()?;
        let track = self.log.tracks.get(&conversation)?;
        let me = &self.user.id;
        let candidates: Vec<(u64, String)> = track
            .view
            .iter()
            .filter(|(_, seen)| !own || seen.sender == *me)
            .map(|(seq, seen)| (*seq, seen.id.clone()))
            .collect();
        let (seq, id) = candidates.choose(&mut self.rng)?.clone();
        Some((conversation, seq, id))
    }

    pub async fn send(&mut self, target: Option<Target>) {
        let Some(target) = target else { return };
        self.sends += 1;
        let key = format!("s{}u{}n{}", self.pace.seed, self.index, self.sends);
        let mut body = json!({"content": format!("{key} hello"), "client_message_id": key});
        match &target {
            Target::Chat(chat_id) => body["chat_id"] = json!(chat_id),
            Target::Direct(peer_id) => body["recipient_id"] = json!(peer_id),
        }
        let over_socket = self.rng.random_bool(0.4) && self.socket.is_some() && !self.rest_only;
        let mut record = SendRecord {
            client_message_id: key.clone(),
            target,
            over_socket,
            attempts: 0,
            answers: Vec::new(),
        };
        let mut attempt = 0;
        if over_socket {
            attempt += 1;
            record.attempts += 1;
            let at = self.api.epoch.elapsed();
            let mut frame = body.clone();
            frame["action"] = json!("sendMessage");
            let outcome = self.send_frame(&key, &frame).await;
            if let Some(message) = self.acks.remove(&key) {
                record.answers.push(identity(&message));
            }
            self.log.attempts.push(Attempt {
                at,
                route: "ws sendMessage",
                outcome: outcome.clone(),
            });
            if outcome.succeeded() {
                self.log.sends.push(record);
                return;
            }
            // The retry goes over REST with the same key, as a client whose socket failed.
            tokio::time::sleep(Duration::from_millis(self.rng.random_range(100..600))).await;
        }
        let token = self.user.token.clone();
        let call = Call {
            route: "POST /messages",
            method: Method::POST,
            path: "/messages".to_owned(),
            token: &token,
            idempotency_key: None,
            body: Some(body),
        };
        while attempt < MAX_ATTEMPTS {
            attempt += 1;
            record.attempts += 1;
            let at = self.api.epoch.elapsed();
            let answer = self.api.once(&call).await;
            self.log.attempts.push(Attempt {
                at,
                route: call.route,
                outcome: answer.outcome.clone(),
            });
            if answer.outcome.succeeded() {
                record.answers.push(identity(&answer.body));
            }
            match retry_wait(&answer, attempt) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => break,
            }
        }
        self.log.sends.push(record);
    }

    /// Sends `frame` on the socket and waits for its `message.sent` or a failure, handling
    /// every other frame meanwhile.
    async fn send_frame(&mut self, key: &str, frame: &Value) -> Outcome {
        self.socket_failures.clear();
        let sent = match &self.socket {
            Some(socket) => socket.send(frame).await,
            None => Err("no socket".to_owned()),
        };
        if sent.is_err() {
            return Outcome::SocketGone;
        }
        let deadline = tokio::time::Instant::now() + ACK_WAIT;
        loop {
            if self.acks.contains_key(key) {
                return Outcome::Success(201);
            }
            if let Some(failure) = self.socket_failures.pop() {
                return failure;
            }
            if self.socket.is_none() {
                return Outcome::SocketGone;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() || !self.next(left).await {
                return Outcome::NoAck;
            }
        }
    }

    async fn edit(&mut self) {
        let Some((conversation, seq, id)) = self.pick_message(true) else {
            return;
        };
        let key = self
            .log
            .tracks
            .get(&conversation)
            .and_then(|t| t.view.get(&seq))
            .map(|seen| seen.content.split(' ').next().unwrap_or("").to_owned())
            .unwrap_or_default();
        let content = format!("{key} edit {}", self.rng.random_range(0..1_000_000));
        let body = json!({ "content": content });
        self.change(
            ChangeKind::Edit(content),
            conversation,
            seq,
            Method::PUT,
            format!("/messages/{id}"),
            Some(body),
            "PUT /messages/{id}",
        )
        .await;
    }

    async fn react(&mut self) {
        let Some((conversation, seq, id)) = self.pick_message(false) else {
            return;
        };
        let emoji = (*EMOJI.choose(&mut self.rng).unwrap_or(&"👍")).to_owned();
        let body = json!({ "emoji": emoji });
        let path = format!("/messages/{id}/reactions");
        self.change(
            ChangeKind::Reaction(emoji),
            conversation,
            seq,
            Method::POST,
            path,
            Some(body),
            "POST /messages/{id}/reactions",
        )
        .await;
    }

    async fn read(&mut self) {
        let Some((conversation, seq, id)) = self.pick_message(false) else {
            return;
        };
        if self.socket.is_some() && self.rng.random_bool(0.3) {
            // A markRead frame has no answer of its own: the read mark is checked from the
            // database only when REST acknowledged it.
            let frame = json!({"action": "markRead", "message_id": id});
            if let Some(socket) = &self.socket {
                let _ = socket.send(&frame).await;
            }
            return;
        }
        let path = format!("/messages/{id}/read");
        self.change(
            ChangeKind::Read,
            conversation,
            seq,
            Method::PATCH,
            path,
            None,
            "PATCH /messages/{id}/read",
        )
        .await;
    }

    #[allow(clippy::too_many_arguments)]
    async fn change(
        &mut self,
        kind: ChangeKind,
        conversation_id: String,
        seq: u64,
        method: Method,
        path: String,
        body: Option<Value>,
        route: &'static str,
    ) {
        let token = self.user.token.clone();
        let call = Call {
            route,
            method,
            path,
            token: &token,
            idempotency_key: None,
            body,
        };
        let answer = self.api.with_retries(&call, &mut self.log.attempts).await;
        self.log.changes.push(ChangeRecord {
            kind,
            conversation_id,
            seq,
            acknowledged: answer.outcome.succeeded(),
        });
    }

    async fn typing(&mut self) {
        let Some(target) = self.pick_target() else {
            return;
        };
        let mut frame = json!({"action": "typing", "is_typing": true});
        match target {
            Target::Chat(chat_id) => frame["chat_id"] = json!(chat_id),
            Target::Direct(peer_id) => frame["recipient_id"] = json!(peer_id),
        }
        if let Some(socket) = &self.socket {
            let _ = socket.send(&frame).await;
        }
    }

    /// A small room with a few other users, then a first message in it.
    async fn create_chat(&mut self) {
        let count = self.rng.random_range(2..=4);
        let members: Vec<String> = self
            .pace
            .everybody
            .choose_multiple(&mut self.rng, count)
            .filter(|id| **id != self.user.id)
            .cloned()
            .collect();
        let key = format!(
            "k{}u{}c{}",
            self.pace.seed,
            self.index,
            self.log.creations.len()
        );
        let name = format!("room {key}");
        let token = self.user.token.clone();
        let call = Call {
            route: "POST /chats",
            method: Method::POST,
            path: "/chats".to_owned(),
            token: &token,
            idempotency_key: Some(&key),
            body: Some(json!({"name": name, "member_ids": members})),
        };
        let mut creation = ChatCreation {
            key: key.clone(),
            name,
            answers: Vec::new(),
        };
        // Every attempt is kept: each 2xx must name the same chat.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let at = self.api.epoch.elapsed();
            let answer = self.api.once(&call).await;
            self.log.attempts.push(Attempt {
                at,
                route: call.route,
                outcome: answer.outcome.clone(),
            });
            if let (true, Some(id)) = (answer.outcome.succeeded(), answer.body["id"].as_str()) {
                creation.answers.push(id.to_owned());
            }
            match retry_wait(&answer, attempt) {
                Some(wait) if attempt < MAX_ATTEMPTS => tokio::time::sleep(wait).await,
                _ => break,
            }
        }
        let chat_id = creation.answers.first().cloned();
        self.log.creations.push(creation);
        if let Some(chat_id) = chat_id {
            self.own_chats.push(chat_id.clone());
            self.send(Some(Target::Chat(chat_id))).await;
        }
    }
}

/// (conversation id, creation number) of a message in an answer or an event.
pub fn identity(message: &Value) -> (String, u64) {
    (
        message["conversation_id"].as_str().unwrap_or("").to_owned(),
        message["seq"].as_u64().unwrap_or(0),
    )
}
