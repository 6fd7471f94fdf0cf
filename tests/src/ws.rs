//! A WebSocket client for the tests: connects through the local gateway and waits for events.
//!
//! Like a real client, it reads its socket all the time (in a background task), so the
//! gateway's keep-alive pings are answered even while a test is busy elsewhere; a socket left
//! unread for two ping intervals would be closed as dead. And like the contract's client, it
//! sends `{"action":"ping"}` every `CHAT_WS_PING_SECS` seconds when that is set (the test stack
//! runs with leases of a few seconds), swallowing the pongs of its own pings.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub fn ws_url() -> String {
    std::env::var("CHAT_WS_URL")
        .unwrap_or_else(|_| format!("{}/ws", crate::api_url().replacen("http", "ws", 1)))
}

/// How long a test waits for an event that must come.
pub const EVENT_WAIT: Duration = Duration::from_secs(10);

/// Whether `event` is of `event_type` and about message `id`: a message event carries the
/// message, a reaction or read event its `message_id` and the message.
pub fn about<'a>(event_type: &'a str, id: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |e| {
        e["type"] == event_type
            && (e["data"]["id"] == id
                || e["data"]["message_id"] == id
                || e["data"]["message"]["id"] == id)
    }
}

/// Whether `event` is a `presence` event about user `user_id`.
pub fn presence_about(user_id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |e| e["type"] == "presence" && e["data"]["user_id"] == user_id
}

/// Whether `event` is a `presence` event saying user `user_id` is now `status`.
pub fn presence_now<'a>(user_id: &'a str, status: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |e| presence_about(user_id)(e) && e["data"]["status"] == status
}

/// Checkpoint for a socket that must hear nothing about `user`: a direct message from
/// `pinger` to `watcher`, sent now, arrives with no presence of `user` before it.
pub async fn hears_nothing_about(
    api: &crate::Api,
    pinger: &crate::TestUser,
    watcher: &crate::TestUser,
    socket: &mut Socket,
    user: &crate::TestUser,
) {
    let checkpoint = api.send_direct(pinger, watcher, "checkpoint").await;
    let id = checkpoint["id"].as_str().expect("a message id");
    socket
        .checkpoint(about("message.created", id), presence_about(&user.id))
        .await;
}

/// What the reader task saw, in arrival order.
#[derive(Debug)]
enum Incoming {
    /// An event, with when the reader got it (before any test code looked at it).
    Event(Value, Instant),
    /// The server closed the socket (with its close frame, if any), or it failed or ended.
    Ended(String),
}

type Sink = Arc<tokio::sync::Mutex<SplitSink<Stream, Message>>>;

pub struct Socket {
    sink: Sink,
    incoming: mpsc::UnboundedReceiver<Incoming>,
    reader: JoinHandle<()>,
    pinger: Option<JoinHandle<()>>,
    /// Events read while waiting for another one, kept in arrival order.
    seen: Vec<(Value, Instant)>,
}

/// The handshake refused: the HTTP status the gateway answered.
pub async fn refused_status(query: &str) -> Option<u16> {
    let request = format!("{}{query}", ws_url()).into_client_request().ok()?;
    match connect_async(request).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Some(resp.status().as_u16()),
        Err(other) => panic!("unexpected handshake failure: {other}"),
    }
}

/// Cuts a connection at the local gateway without `$disconnect`, as a crash would.
pub async fn crash(connection_id: &str) {
    let encoded = connection_id
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let url = format!("{}/ws/@connections/{encoded}/crash", crate::api_url());
    let status = signed_post(&url, "execute-api").await.status();
    assert_eq!(status.as_u16(), 204, "the gateway's crash control");
}

/// A bodiless POST signed (SigV4) for `service` with the stack's keys, from the environment
/// as the functions take them: the gateway refuses unsigned requests under `@connections`.
async fn signed_post(url: &str, service: &str) -> reqwest::Response {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let provider = sdk.credentials_provider().expect("the stack's keys");
    let identity = provider.provide_credentials().await.unwrap().into();
    let region = sdk.region().map_or("us-east-1", |region| region.as_ref());
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable =
        SignableRequest::new("POST", url, std::iter::empty(), SignableBody::Bytes(&[])).unwrap();
    let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
    let mut post = reqwest::Client::new().post(url);
    for (name, value) in instructions.headers() {
        post = post.header(name, value);
    }
    post.send().await.unwrap()
}

/// The client's ping period (`CHAT_WS_PING_SECS`), if set.
pub fn ping_interval() -> Option<Duration> {
    std::env::var("CHAT_WS_PING_SECS")
        .ok()
        .and_then(|secs| secs.parse::<f64>().ok())
        .filter(|secs| *secs > 0.0)
        .map(Duration::from_secs_f64)
}

/// Sends `ping` frames every `every`, counting each in `unanswered`.
async fn ping_every(sink: Sink, every: Duration, unanswered: Arc<AtomicUsize>) {
    loop {
        tokio::time::sleep(every).await;
        // Counted first: the pong may be read before `send` returns.
        unanswered.fetch_add(1, Ordering::SeqCst);
        let frame = Message::text(r#"{"action":"ping"}"#);
        if sink.lock().await.send(frame).await.is_err() {
            return;
        }
    }
}

async fn read_all(
    mut stream: futures::stream::SplitStream<Stream>,
    to: mpsc::UnboundedSender<Incoming>,
    own_pings: Arc<AtomicUsize>,
) {
    // Reading is also what sends the pong to each ping.
    let ended = loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => {
                let event: Value = serde_json::from_str(text.as_str())
                    .unwrap_or_else(|_| panic!("not JSON: {text}"));
                // Any pong answers one of ours as well as a test's: they are alike.
                if event["type"] == "pong"
                    && own_pings
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    continue;
                }
                if to.send(Incoming::Event(event, Instant::now())).is_err() {
                    return;
                }
            }
            Some(Ok(Message::Close(frame))) => break format!("closed: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(err)) => break format!("socket error: {err}"),
            None => break "socket ended".to_owned(),
        }
    };
    let _ = to.send(Incoming::Ended(ended));
}

impl Socket {
    /// A socket that pings as the contract asks (when `CHAT_WS_PING_SECS` is set).
    pub async fn connect(token: &str) -> Socket {
        Self::open(token, ping_interval()).await
    }

    /// A socket that never sends a frame on its own: its lease is never renewed.
    pub async fn connect_silent(token: &str) -> Socket {
        Self::open(token, None).await
    }

    /// A pinging socket, or the HTTP status of the refused handshake.
    pub async fn try_connect(token: &str) -> Result<Socket, u16> {
        match connect_async(format!("{}?token={token}", ws_url())).await {
            Ok((stream, _)) => Ok(Self::from_stream(stream, ping_interval())),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(other) => panic!("unexpected handshake failure: {other}"),
        }
    }

    async fn open(token: &str, ping: Option<Duration>) -> Socket {
        let (stream, _) = connect_async(format!("{}?token={token}", ws_url()))
            .await
            .expect("WebSocket handshake");
        Self::from_stream(stream, ping)
    }

    fn from_stream(stream: Stream, ping: Option<Duration>) -> Socket {
        let (sink, stream) = stream.split();
        let sink = Arc::new(tokio::sync::Mutex::new(sink));
        let (to, incoming) = mpsc::unbounded_channel();
        let own_pings = Arc::new(AtomicUsize::new(0));
        let pinger = ping.map(|every| {
            tokio::spawn(ping_every(Arc::clone(&sink), every, Arc::clone(&own_pings)))
        });
        Socket {
            sink,
            incoming,
            reader: tokio::spawn(read_all(stream, to, own_pings)),
            pinger,
            seen: Vec::new(),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.sink
            .lock()
            .await
            .send(Message::text(text.to_owned()))
            .await
            .expect("send frame");
    }

    /// Sends `subscribePresence` with `user_ids`; the `presence.snapshot` answer's users.
    pub async fn subscribe_presence(&mut self, user_ids: &[&str]) -> Vec<Value> {
        self.send(serde_json::json!({"action": "subscribePresence", "user_ids": user_ids}))
            .await;
        let snapshot = self.expect("presence.snapshot").await;
        snapshot["data"]["users"]
            .as_array()
            .unwrap_or_else(|| panic!("a snapshot without users: {snapshot:#}"))
            .clone()
    }

    /// The next event of `event_type` (earlier events of other types are kept for later).
    pub async fn expect(&mut self, event_type: &str) -> Value {
        self.expect_where(event_type, |_| true).await
    }

    pub async fn expect_where(&mut self, event_type: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.expect_arrival(event_type, pred).await.0
    }

    /// Like [`Socket::expect_where`], with the instant the event came off the socket.
    pub async fn expect_arrival(
        &mut self,
        event_type: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> (Value, Instant) {
        self.expect_within(event_type, pred, EVENT_WAIT).await
    }

    /// Like [`Socket::expect_arrival`], waiting up to `wait`.
    pub async fn expect_within(
        &mut self,
        event_type: &str,
        pred: impl Fn(&Value) -> bool,
        wait: Duration,
    ) -> (Value, Instant) {
        if let Some(pos) = self
            .seen
            .iter()
            .position(|(e, _)| e["type"] == event_type && pred(e))
        {
            return self.seen.remove(pos);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let event = tokio::time::timeout_at(deadline, self.next_event())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no {event_type} event within {wait:?}; saw {:#?}",
                        self.seen_events()
                    )
                });
            if event.0["type"] == event_type && pred(&event.0) {
                return event;
            }
            self.seen.push(event);
        }
    }

    /// A checkpoint: waits for the event `must` matches, which the test caused after the
    /// action under test, so anything that action pushed has arrived before it. Fails if an
    /// event `forbidden` matches came first (events kept from earlier waits included); returns
    /// the checkpoint event and when it arrived. Events before it that are not forbidden stay
    /// kept for later expectations.
    pub async fn checkpoint(
        &mut self,
        must: impl Fn(&Value) -> bool,
        forbidden: impl Fn(&Value) -> bool,
    ) -> (Value, Instant) {
        let (before, event) = self.until(must).await;
        let bad: Vec<&Value> = before
            .iter()
            .map(|(e, _)| e)
            .filter(|e| forbidden(e))
            .collect();
        assert!(
            bad.is_empty(),
            "forbidden events before the checkpoint {:#}: {bad:#?}",
            event.0
        );
        self.seen.splice(0..0, before);
        event
    }

    /// Waits for the event `must` matches; every event that arrived before it (taken out of
    /// the kept events), and the event itself, each with its arrival.
    pub async fn until(
        &mut self,
        must: impl Fn(&Value) -> bool,
    ) -> (Vec<(Value, Instant)>, (Value, Instant)) {
        if let Some(i) = self.seen.iter().position(|(e, _)| must(e)) {
            let later = self.seen.split_off(i + 1);
            let found = self.seen.pop().expect("the found event");
            return (std::mem::replace(&mut self.seen, later), found);
        }
        let mut before = std::mem::take(&mut self.seen);
        let deadline = tokio::time::Instant::now() + EVENT_WAIT;
        loop {
            let Ok(event) = tokio::time::timeout_at(deadline, self.next_event()).await else {
                let seen: Vec<&Value> = before.iter().map(|(e, _)| e).collect();
                panic!("no checkpoint event within {EVENT_WAIT:?}; saw {seen:#?}");
            };
            if must(&event.0) {
                return (before, event);
            }
            before.push(event);
        }
    }

    /// The next `n` events `pred` matches, in arrival order (kept events first), the whole lot
    /// within `wait`; other events stay kept. Fails naming how many came.
    pub async fn collect(
        &mut self,
        n: usize,
        pred: impl Fn(&Value) -> bool,
        wait: Duration,
    ) -> Vec<Value> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < self.seen.len() && found.len() < n {
            if pred(&self.seen[i].0) {
                found.push(self.seen.remove(i).0);
            } else {
                i += 1;
            }
        }
        let deadline = tokio::time::Instant::now() + wait;
        while found.len() < n {
            let Ok(event) = tokio::time::timeout_at(deadline, self.next_event()).await else {
                panic!("{} of {n} events within {wait:?}: {found:#?}", found.len());
            };
            if pred(&event.0) {
                found.push(event.0);
            } else {
                self.seen.push(event);
            }
        }
        found
    }

    fn seen_events(&self) -> Vec<&Value> {
        self.seen.iter().map(|(event, _)| event).collect()
    }

    /// Reads and forgets events until none has come for `quiet`; how many there were.
    /// Like [`Socket::expect_within`], but `None` instead of a panic when nothing matching
    /// arrives in time (benches count misses).
    pub async fn try_within(
        &mut self,
        event_type: &str,
        pred: impl Fn(&Value) -> bool,
        wait: Duration,
    ) -> Option<(Value, Instant)> {
        if let Some(pos) = self
            .seen
            .iter()
            .position(|(e, _)| e["type"] == event_type && pred(e))
        {
            return Some(self.seen.remove(pos));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let event = tokio::time::timeout_at(deadline, self.next_event())
                .await
                .ok()?;
            if event.0["type"] == event_type && pred(&event.0) {
                return Some(event);
            }
            self.seen.push(event);
        }
    }

    /// Drains like [`Socket::drain_until_quiet`] and counts the drained events of `event_type`.
    pub async fn count_until_quiet(&mut self, event_type: &str, quiet: Duration) -> usize {
        let mut counted = self
            .seen
            .drain(..)
            .filter(|(e, _)| e["type"] == event_type)
            .count();
        while let Ok((event, _)) = tokio::time::timeout(quiet, self.next_event()).await {
            if event["type"] == event_type {
                counted += 1;
            }
        }
        counted
    }

    pub async fn drain_until_quiet(&mut self, quiet: Duration) -> usize {
        let mut drained = self.seen.len();
        self.seen.clear();
        while tokio::time::timeout(quiet, self.next_event()).await.is_ok() {
            drained += 1;
        }
        drained
    }

    async fn next_event(&mut self) -> (Value, Instant) {
        match self.incoming.recv().await {
            Some(Incoming::Event(event, at)) => (event, at),
            Some(Incoming::Ended(how)) => panic!("socket {how}"),
            None => panic!("socket reader stopped"),
        }
    }

    /// Whether the server closes this socket within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
                Err(_) => return false,
                Ok(None | Some(Incoming::Ended(_))) => return true,
                Ok(Some(Incoming::Event(..))) => continue,
            }
        }
    }

    /// How the socket ended, if it did within `wait`: `closed: <frame>` for a close frame,
    /// otherwise the read error or `socket ended` (the TCP stream cut without a close frame).
    pub async fn ending_within(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
                Err(_) => return None,
                Ok(None) => return Some("socket ended".to_owned()),
                Ok(Some(Incoming::Ended(how))) => return Some(how),
                Ok(Some(Incoming::Event(..))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        self.stop_pinging();
        let _ = self.sink.lock().await.close().await;
        // Wait for the server's close, so `$disconnect` has run when this returns.
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(Incoming::Event(..)) = self.incoming.recv().await {}
        })
        .await;
    }

    /// Drops the TCP connection without a close frame, as a crashed client would.
    pub async fn kill(mut self) {
        self.stop_pinging();
        self.reader.abort();
        // The TCP stream is shared by both halves: it closes once the reader's half is gone too.
        let _ = (&mut self.reader).await;
    }
}

impl Socket {
    fn stop_pinging(&mut self) {
        if let Some(pinger) = self.pinger.take() {
            pinger.abort();
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.stop_pinging();
        self.reader.abort();
    }
}
