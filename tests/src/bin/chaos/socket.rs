//! The clients' WebSocket side: a reader task that hands every frame over in arrival order
//! and a pinger that keeps the connection's lease, as the contract asks of clients.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = Arc<Mutex<SplitSink<Stream, Message>>>;

/// A handshake that does not finish in this long counts as failed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Debug)]
pub enum Incoming {
    /// A `{"type": ..., "data": ...}` event (pongs are swallowed).
    Event(Value),
    /// The gateway's frame for a route whose function crashed.
    Crash,
    /// API Gateway's edge throttle refused a frame.
    Throttled,
    /// The socket closed, failed or ended.
    Ended,
}

pub struct Socket {
    sink: Sink,
    pub incoming: mpsc::UnboundedReceiver<Incoming>,
    reader: JoinHandle<()>,
    pinger: JoinHandle<()>,
}

impl Socket {
    pub async fn connect(ws_url: &str, token: &str, ping: Duration) -> Result<Socket, String> {
        let url = format!("{ws_url}?token={token}");
        let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, connect_async(url)).await {
            Err(_) => return Err("handshake timed out".to_owned()),
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                return Err(format!("handshake refused {}", response.status().as_u16()));
            }
            Ok(Err(e)) => return Err(format!("handshake failed: {e}")),
            Ok(Ok((stream, _))) => stream,
        };
        let (sink, mut source) = stream.split();
        let sink: Sink = Arc::new(Mutex::new(sink));
        let (tx, incoming) = mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            loop {
                match source.next().await {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(incoming) = parse(&text) {
                            let _ = tx.send(incoming);
                        }
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                }
            }
            let _ = tx.send(Incoming::Ended);
        });
        let pinging = Arc::clone(&sink);
        let pinger = tokio::spawn(async move {
            let frame = json!({"action": "ping"}).to_string();
            loop {
                tokio::time::sleep(ping).await;
                if pinging
                    .lock()
                    .await
                    .send(Message::text(frame.clone()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Ok(Socket {
            sink,
            incoming,
            reader,
            pinger,
        })
    }

    pub async fn send(&self, frame: &Value) -> Result<(), String> {
        let mut sink = self.sink.lock().await;
        sink.send(Message::text(frame.to_string()))
            .await
            .map_err(|e| e.to_string())
    }

    /// A client that says goodbye: a close frame, then the TCP stream ends.
    pub async fn close(self) {
        let mut sink = self.sink.lock().await;
        let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;
    }
}

impl Drop for Socket {
    /// Dropped without [`Socket::close`]: the TCP stream ends with no close frame, as a client
    /// that lost its network.
    fn drop(&mut self) {
        self.reader.abort();
        self.pinger.abort();
    }
}

fn parse(text: &str) -> Option<Incoming> {
    let frame: Value = serde_json::from_str(text).ok()?;
    if frame["type"] == "pong" {
        return None;
    }
    if frame.get("type").is_some() {
        return Some(Incoming::Event(frame));
    }
    match frame["message"].as_str() {
        Some("Internal server error") => Some(Incoming::Crash),
        Some("Too Many Requests") => Some(Incoming::Throttled),
        _ => Some(Incoming::Event(frame)),
    }
}
