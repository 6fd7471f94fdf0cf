//! What each client did and saw, kept as it happened: the checks read these logs after the
//! run, beside the database.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

/// How one attempt of a request ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Success(u16),
    /// A 4xx other than 429: the request was refused and retrying cannot help.
    Refused(u16),
    RateLimited,
    Unavailable,
    /// The gateway's 500 in the place of a function the crash fault stopped.
    InjectedCrash,
    /// A 5xx that is neither 503 nor the crash fault's: the service's own failure.
    ServiceError(u16),
    Timeout,
    Transport,
    /// The gateway's frame for a WebSocket route whose function crashed.
    SocketCrash,
    /// An `error` event answering a frame, with its code.
    SocketError(String),
    /// A frame API Gateway's edge throttle refused.
    SocketThrottled,
    /// Neither `message.sent` nor an error within the wait.
    NoAck,
    /// The socket ended while the frame waited for its answer, or was not open.
    SocketGone,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Success(_))
    }

    /// A failure the service answered for itself (not a fault's, not a refusal).
    pub fn is_service_error(&self) -> bool {
        matches!(self, Outcome::ServiceError(_))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Success(code) => write!(f, "{code}"),
            Outcome::Refused(code) => write!(f, "{code} refused"),
            Outcome::RateLimited => write!(f, "429 rate limited"),
            Outcome::Unavailable => write!(f, "503 unavailable"),
            Outcome::InjectedCrash => write!(f, "500 injected crash (fault)"),
            Outcome::ServiceError(code) => write!(f, "{code} from the service"),
            Outcome::Timeout => write!(f, "client timeout"),
            Outcome::Transport => write!(f, "connection failed"),
            Outcome::SocketCrash => write!(f, "ws: crash frame (fault)"),
            Outcome::SocketError(code) => write!(f, "ws: error event {code}"),
            Outcome::SocketThrottled => write!(f, "ws: edge throttle frame"),
            Outcome::NoAck => write!(f, "ws: no answer in time"),
            Outcome::SocketGone => write!(f, "ws: socket gone"),
        }
    }
}

/// One attempt of one request, when it started (from the start of the load).
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: Duration,
    pub route: &'static str,
    pub outcome: Outcome,
}

/// Where a send goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Chat(String),
    /// The peer's user id.
    Direct(String),
}

/// A send and all its attempts under one `client_message_id`.
#[derive(Debug, Clone)]
pub struct SendRecord {
    pub client_message_id: String,
    pub target: Target,
    pub over_socket: bool,
    pub attempts: usize,
    /// (conversation id, message seq) of every 2xx answer: all must name one message.
    pub answers: Vec<(String, u64)>,
}

/// A change to a message other than a send: edit, reaction or read mark.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub kind: ChangeKind,
    pub conversation_id: String,
    pub seq: u64,
    pub acknowledged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Edit(String),
    Reaction(String),
    Read,
}

/// A `POST /chats` with an `Idempotency-Key` and its retries.
#[derive(Debug, Clone)]
pub struct ChatCreation {
    pub key: String,
    pub name: String,
    /// The chat id of every 2xx answer.
    pub answers: Vec<String>,
}

/// A message as the client last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenMessage {
    pub id: String,
    pub sender: String,
    pub updated_seq: u64,
    pub content: String,
}

/// What one client received of one conversation, live or by catch-up.
#[derive(Debug, Clone, Default)]
pub struct Track {
    /// The highest number applied (the contract's per-conversation mark).
    pub high: u64,
    /// The highest number that arrived live.
    pub max_live: u64,
    /// Live arrivals of each number (more than one: a repeat, dropped by `seq`).
    pub live: BTreeMap<u64, u32>,
    /// Ranges `(after, through]` a catch-up fetched.
    pub covered: Vec<(u64, u64)>,
    /// Numbers that arrived live for the first time after a higher one, not yet applied.
    pub out_of_order: Vec<u64>,
    /// Numbers that arrived live for the first time after a higher one, already applied from
    /// a catch-up: a large chat's delivery retried after a partial failure pushes its records
    /// again, to sockets that missed them the first time too (a client that connected
    /// meanwhile, or whose first push failed). The contract allows such a repeat and has the
    /// client ignore a number it holds; it is a repeat, not an order broken.
    pub late_repeats: u64,
    /// The conversation's messages by their creation number.
    pub view: BTreeMap<u64, SeenMessage>,
}

impl Track {
    /// Whether number `seq` reached the client, live or through a catch-up.
    pub fn received(&self, seq: u64) -> bool {
        self.live.contains_key(&seq) || self.fetched(seq)
    }

    /// Whether a catch-up brought number `seq`.
    pub fn fetched(&self, seq: u64) -> bool {
        self.covered
            .iter()
            .any(|(after, through)| *after < seq && seq <= *through)
    }

    /// Applies a message's state unless the client holds a newer one.
    pub fn apply(&mut self, seq: u64, seen: SeenMessage) {
        let newer = self
            .view
            .get(&seq)
            .is_none_or(|held| held.updated_seq < seen.updated_seq);
        if newer {
            self.view.insert(seq, seen);
        }
    }
}

/// Everything one client did and saw.
#[derive(Debug, Default)]
pub struct ClientLog {
    pub attempts: Vec<Attempt>,
    pub sends: Vec<SendRecord>,
    pub changes: Vec<ChangeRecord>,
    pub creations: Vec<ChatCreation>,
    /// By conversation id.
    pub tracks: HashMap<String, Track>,
    pub socket_opens: u64,
    pub socket_open_failures: u64,
    pub socket_ends: u64,
    pub crash_frames: u64,
    pub catch_ups: u64,
    pub catch_up_failures: u64,
}
