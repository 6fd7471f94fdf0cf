//! One simulated user: its socket comes and goes, it acts on its own seeded schedule, and it
//! keeps per conversation what it received, live or through the `after_seq` catch-up, as the
//! contract's client does (apply by `seq`, fetch after a gap or a reconnect).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::api::{Api, Call};
use crate::duties::until;
use crate::ledger::{ClientLog, SeenMessage};
use crate::schedule::Calendar;
use crate::socket::{Incoming, Socket};

/// A user of the run, as the API knows it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// A conversation a client follows, and how to fetch what it missed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Conversation {
    Chat { chat_id: String },
    Direct { peer_id: String },
}

impl Conversation {
    pub fn catch_up_path(&self) -> String {
        match self {
            Conversation::Chat { chat_id } => format!("/messages/chat/{chat_id}"),
            Conversation::Direct { peer_id } => format!("/messages/conversation/{peer_id}"),
        }
    }
}

/// How the run paces and shapes a client.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Mean time between two actions of one client.
    pub action_every: Duration,
    pub ping_every: Duration,
    pub ws_url: String,
    /// Ids of every user of the run, for the chats clients create.
    pub everybody: Arc<Vec<String>>,
    /// The large chat, which clients act on less (each change goes to all its members).
    pub big_chat: String,
    pub seed: u64,
    /// The fault windows, once the load's start is known.
    pub calendar: Arc<Calendar>,
}

pub struct Client {
    pub index: usize,
    pub user: User,
    pub api: Api,
    pub pace: Pace,
    pub rng: StdRng,
    pub log: ClientLog,
    pub socket: Option<Socket>,
    /// Conversation id to how it is fetched, for every conversation the client knows.
    pub known: HashMap<String, Conversation>,
    /// The conversations it followed from the start (the checks' subjects).
    pub followed: BTreeSet<String>,
    /// Conversations whose catch-up failed and must be tried again.
    pub behind: BTreeSet<String>,
    /// `message.sent` answers not yet claimed, by `client_message_id`.
    pub acks: HashMap<String, Value>,
    /// Failures answered on the socket since the last frame the client sent.
    pub socket_failures: Vec<crate::ledger::Outcome>,
    /// Chats this client created (its own small rooms).
    pub own_chats: Vec<String>,
    pub sends: u64,
    /// Sends go over REST only (the last messages of the run, which must not depend on a socket).
    pub rest_only: bool,
    /// When the socket comes back (while offline) or goes away (while online).
    pub switch_at: Instant,
    /// Left without a close frame for the presence check, and stays away.
    pub vanished: bool,
}

enum Wake {
    Stop,
    Frame(Option<Incoming>),
    Act,
    Duty,
}

impl Client {
    pub fn new(
        index: usize,
        user: User,
        api: Api,
        pace: Pace,
        seed: u64,
        log: ClientLog,
    ) -> Client {
        use rand::SeedableRng;
        // Each client's own stream from the run's seed: the same seed, the same choices.
        let stream = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Client {
            index,
            user,
            api,
            pace,
            rng: StdRng::seed_from_u64(stream),
            log,
            socket: None,
            known: HashMap::new(),
            followed: BTreeSet::new(),
            behind: BTreeSet::new(),
            acks: HashMap::new(),
            socket_failures: Vec::new(),
            own_chats: Vec::new(),
            sends: 0,
            rest_only: false,
            switch_at: Instant::now(),
            vanished: false,
        }
    }

    /// Acts until `stop` turns true; then the client is handed back for the checks.
    pub async fn drive(mut self, mut stop: watch::Receiver<bool>) -> Client {
        let mut next_action = Instant::now() + self.interval();
        let mut duties = self.duties();
        loop {
            if *stop.borrow() {
                return self;
            }
            let next_duty = duties.first().map(|(at, _)| *at);
            let wake = tokio::select! {
                _ = stop.changed() => Wake::Stop,
                frame = next_frame(&mut self.socket) => Wake::Frame(frame),
                () = tokio::time::sleep_until(next_action) => Wake::Act,
                () = until(next_duty) => Wake::Duty,
            };
            match wake {
                Wake::Stop => return self,
                Wake::Frame(frame) => self.on_frame(frame).await,
                Wake::Act => {
                    self.keep_online().await;
                    self.act().await;
                    next_action = Instant::now() + self.interval();
                }
                Wake::Duty => {
                    let (_, duty) = duties.remove(0);
                    self.perform(duty).await;
                }
            }
        }
    }

    fn interval(&mut self) -> Duration {
        let mean = self.pace.action_every.as_millis() as u64;
        Duration::from_millis(self.rng.random_range(mean / 2..=mean * 3 / 2))
    }

    /// Opens the socket when it is due back, goes offline when the online spell is over, and
    /// fetches what a failed catch-up left behind.
    async fn keep_online(&mut self) {
        let now = Instant::now();
        if self.socket.is_none() && now >= self.switch_at {
            if self.connect().await {
                let online = self.rng.random_range(30..120);
                self.switch_at = now + Duration::from_secs(online);
            } else {
                self.switch_at = now + Duration::from_secs(1);
            }
        } else if self.socket.is_some()
            && now >= self.switch_at
            && !self.pace.calendar.holds_sockets(now)
        {
            let clean = self.rng.random_bool(0.5);
            self.go_offline(clean).await;
            let offline = self.rng.random_range(5..30);
            self.switch_at = now + Duration::from_secs(offline);
        }
        if self.socket.is_some() {
            let behind: Vec<String> = self.behind.iter().cloned().collect();
            for conversation in behind {
                self.catch_up(&conversation).await;
            }
        }
    }

    /// Opens a socket, then fetches every known conversation after its mark.
    pub async fn connect(&mut self) -> bool {
        match Socket::connect(&self.pace.ws_url, &self.user.token, self.pace.ping_every).await {
            Ok(socket) => {
                self.log.socket_opens += 1;
                self.socket = Some(socket);
                let known: Vec<String> = self.known.keys().cloned().collect();
                for conversation in known {
                    self.catch_up(&conversation).await;
                }
                true
            }
            Err(_) => {
                self.log.socket_open_failures += 1;
                false
            }
        }
    }

    /// Ends the socket: with a close frame, or cut as a lost network would.
    pub async fn go_offline(&mut self, clean: bool) {
        if let Some(socket) = self.socket.take()
            && clean
        {
            socket.close().await;
        }
    }

    pub async fn on_frame(&mut self, frame: Option<Incoming>) {
        match frame {
            Some(Incoming::Event(event)) => self.on_event(event).await,
            Some(Incoming::Crash) => {
                self.log.crash_frames += 1;
                self.socket_failures
                    .push(crate::ledger::Outcome::SocketCrash);
            }
            Some(Incoming::Throttled) => self
                .socket_failures
                .push(crate::ledger::Outcome::SocketThrottled),
            Some(Incoming::Ended) | None => {
                self.log.socket_ends += 1;
                self.socket = None;
                // A client that lost its socket comes back soon.
                self.switch_at = Instant::now() + Duration::from_millis(500);
            }
        }
    }

    async fn on_event(&mut self, event: Value) {
        let kind = event["type"].as_str().unwrap_or("");
        let data = &event["data"];
        let (seq, message) = match kind {
            "message.created" | "message.updated" | "message.deleted" => {
                (data["updated_seq"].as_u64(), data)
            }
            "reaction.added" | "reaction.removed" | "message.read" => {
                (data["seq"].as_u64(), &data["message"])
            }
            "message.sent" => {
                if let Some(key) = data["client_message_id"].as_str() {
                    self.acks.insert(key.to_owned(), data.clone());
                }
                return;
            }
            "error" => {
                let code = data["code"].as_str().unwrap_or("unknown").to_owned();
                self.socket_failures
                    .push(crate::ledger::Outcome::SocketError(code));
                return;
            }
            _ => return,
        };
        let (Some(seq), Some(conversation_id)) = (seq, message["conversation_id"].as_str()) else {
            return;
        };
        let conversation_id = conversation_id.to_owned();
        if !self.known.contains_key(&conversation_id)
            && let Some(how) = self.conversation_of(message)
        {
            self.known.insert(conversation_id.clone(), how);
        }
        let track = self.log.tracks.entry(conversation_id.clone()).or_default();
        let arrivals = track.live.entry(seq).or_insert(0);
        *arrivals += 1;
        let first = *arrivals == 1;
        if first && seq < track.max_live {
            if track.fetched(seq) {
                track.late_repeats += 1;
            } else {
                track.out_of_order.push(seq);
            }
        }
        track.max_live = track.max_live.max(seq);
        if let Some(seen) = seen(message) {
            track.apply(message["seq"].as_u64().unwrap_or(0), seen);
        }
        let gap = seq > track.high + 1;
        if seq == track.high + 1 {
            track.high = seq;
        }
        if gap {
            self.catch_up(&conversation_id).await;
            let track = self.log.tracks.entry(conversation_id).or_default();
            track.high = track.high.max(seq);
        }
    }

    fn conversation_of(&self, message: &Value) -> Option<Conversation> {
        if let Some(chat_id) = message["chat_id"].as_str() {
            return Some(Conversation::Chat {
                chat_id: chat_id.to_owned(),
            });
        }
        let sender = message["sender_id"].as_str()?;
        let peer = if sender == self.user.id {
            message["recipient_id"].as_str()?
        } else {
            sender
        };
        Some(Conversation::Direct {
            peer_id: peer.to_owned(),
        })
    }

    /// Fetches everything of `conversation_id` changed after the client's mark, page by page.
    pub async fn catch_up(&mut self, conversation_id: &str) {
        let Some(how) = self.known.get(conversation_id).cloned() else {
            return;
        };
        self.log.catch_ups += 1;
        let after = self
            .log
            .tracks
            .get(conversation_id)
            .map_or(0, |track| track.high);
        let mut cursor: Option<String> = None;
        let mut through = after;
        let mut fetched = Vec::new();
        loop {
            let mut path = format!("{}?after_seq={after}&limit=100", how.catch_up_path());
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={}", urlencode(cursor)));
            }
            let call = Call {
                route: "GET /messages (catch-up)",
                method: Method::GET,
                path,
                token: &self.user.token,
                idempotency_key: None,
                body: None,
            };
            let answer = self.api.with_retries(&call, &mut self.log.attempts).await;
            if !answer.outcome.succeeded() {
                self.log.catch_up_failures += 1;
                self.behind.insert(conversation_id.to_owned());
                return;
            }
            for item in answer.body["items"].as_array().into_iter().flatten() {
                through = through.max(item["updated_seq"].as_u64().unwrap_or(0));
                fetched.push(item.clone());
            }
            match answer.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        self.behind.remove(conversation_id);
        let track = self
            .log
            .tracks
            .entry(conversation_id.to_owned())
            .or_default();
        for item in &fetched {
            if let Some(seen) = seen(item) {
                track.apply(item["seq"].as_u64().unwrap_or(0), seen);
            }
        }
        if through > after {
            track.covered.push((after, through));
        }
        track.high = track.high.max(through);
    }

    /// Waits up to `within` for the next frame and handles it; false when none came.
    pub async fn next(&mut self, within: Duration) -> bool {
        match tokio::time::timeout(within, next_frame(&mut self.socket)).await {
            Ok(frame) => {
                self.on_frame(frame).await;
                true
            }
            Err(_) => false,
        }
    }
}

/// The socket's next frame; never, while there is no socket.
async fn next_frame(socket: &mut Option<Socket>) -> Option<Incoming> {
    match socket {
        Some(socket) => socket.incoming.recv().await,
        None => std::future::pending().await,
    }
}

fn seen(message: &Value) -> Option<SeenMessage> {
    Some(SeenMessage {
        id: message["id"].as_str()?.to_owned(),
        sender: message["sender_id"].as_str()?.to_owned(),
        updated_seq: message["updated_seq"].as_u64()?,
        content: message["content"].as_str()?.to_owned(),
    })
}

fn urlencode(value: &str) -> String {
    urlencoding::encode(value).into_owned()
}
