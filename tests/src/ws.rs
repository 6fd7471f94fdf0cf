//! A WebSocket client for the tests: connects through the local gateway and waits for events.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub fn ws_url() -> String {
    std::env::var("CHAT_WS_URL")
        .unwrap_or_else(|_| format!("{}/ws", crate::api_url().replacen("http", "ws", 1)))
}

/// How long a test waits for an event that must come.
pub const EVENT_WAIT: Duration = Duration::from_secs(10);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Events read while waiting for another one, kept in arrival order.
    seen: Vec<Value>,
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

impl Socket {
    pub async fn connect(token: &str) -> Socket {
        let (stream, _) = connect_async(format!("{}?token={token}", ws_url()))
            .await
            .expect("WebSocket handshake");
        Socket {
            stream,
            seen: Vec::new(),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::text(text.to_owned()))
            .await
            .expect("send frame");
    }

    /// The next event of `event_type` (earlier events of other types are kept for later).
    pub async fn expect(&mut self, event_type: &str) -> Value {
        self.expect_where(event_type, |_| true).await
    }

    pub async fn expect_where(&mut self, event_type: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(pos) = self
            .seen
            .iter()
            .position(|e| e["type"] == event_type && pred(e))
        {
            return self.seen.remove(pos);
        }
        let deadline = tokio::time::Instant::now() + EVENT_WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.next_event())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no {event_type} event within {EVENT_WAIT:?}; saw {:#?}",
                        self.seen
                    )
                });
            if event["type"] == event_type && pred(&event) {
                return event;
            }
            self.seen.push(event);
        }
    }

    /// Asserts no event of `event_type` arrives within `wait`.
    pub async fn expect_none(&mut self, event_type: &str, wait: Duration) {
        assert!(
            !self.seen.iter().any(|e| e["type"] == event_type),
            "unexpected {event_type}: {:#?}",
            self.seen
        );
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(event) = tokio::time::timeout_at(deadline, self.next_event()).await {
            assert_ne!(event["type"], event_type, "unexpected event {event:#}");
            self.seen.push(event);
        }
    }

    async fn next_event(&mut self) -> Value {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .unwrap_or_else(|_| panic!("not JSON: {text}"));
                }
                Some(Ok(Message::Close(frame))) => panic!("socket closed: {frame:?}"),
                Some(Ok(_)) => continue,
                Some(Err(err)) => panic!("socket error: {err}"),
                None => panic!("socket ended"),
            }
        }
    }

    /// Whether the server closes this socket within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
        // Drain until the server's close arrives, so `$disconnect` has run when this returns.
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(Ok(_)) = self.stream.next().await {}
        })
        .await;
    }

    /// Drops the TCP connection without a close frame, as a crashed client would.
    pub fn kill(self) {
        drop(self.stream.into_inner());
    }
}
