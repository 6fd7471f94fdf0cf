//! What a client does on purpose inside a fault window, so that the window has something to
//! act on: socket drops cut sockets as they open, so some clients reconnect inside them; the
//! stream failures fail the batches the delivery function is handed, so a few clients send to
//! the large chat inside them.

use std::time::Duration;

use tokio::time::Instant;

use crate::client::{Client, Conversation};
use crate::ledger::Target;

/// Something a client does at a set moment of a fault window, so that the window has
/// something to act on.
#[derive(Debug, Clone, Copy)]
pub enum Duty {
    /// Closes its socket and opens another (the socket drops cut sockets as they open).
    Reconnect,
    /// Sends to the large chat (the stream failures fail the batch that carries it).
    SendToLargeChat,
}

/// Every this many clients reconnect inside each socket-drop window, spread over its first
/// seconds (each reconnect catches up on every conversation: a bounded burst).
const RECONNECTING_EVERY: usize = 5;
const RECONNECTS_SPREAD_SECS: usize = 8;
/// The first this many clients send to the large chat inside each stream window, from half a
/// second in, 1.5 s apart.
const LARGE_CHAT_SENDERS: usize = 4;

impl Client {
    /// This client's duties in the fault windows, in order.
    pub fn duties(&self) -> Vec<(Instant, Duty)> {
        let calendar = &self.pace.calendar;
        let mut duties = Vec::new();
        if self.index.is_multiple_of(RECONNECTING_EVERY) {
            let offset = (self.index / RECONNECTING_EVERY) % RECONNECTS_SPREAD_SECS;
            let delay = Duration::from_millis(500 + 1000 * offset as u64);
            for (start, end) in calendar.windows_of(|kind| kind == "socket drops") {
                if start + delay < end {
                    duties.push((start + delay, Duty::Reconnect));
                }
            }
        }
        let in_large_chat = self.known.values().any(
            |how| matches!(how, Conversation::Chat { chat_id } if *chat_id == self.pace.big_chat),
        );
        if self.index < LARGE_CHAT_SENDERS && in_large_chat {
            let delay = Duration::from_millis(500 + 1500 * self.index as u64);
            for (start, end) in calendar.windows_of(|kind| kind.starts_with("stream")) {
                if start + delay < end {
                    duties.push((start + delay, Duty::SendToLargeChat));
                }
            }
        }
        duties.sort_by_key(|(at, _)| *at);
        duties
    }

    pub async fn perform(&mut self, duty: Duty) {
        match duty {
            Duty::Reconnect => {
                if self.pace.calendar.holds_sockets(Instant::now()) {
                    return;
                }
                self.go_offline(true).await;
                if !self.connect().await {
                    self.switch_at = Instant::now() + Duration::from_secs(1);
                }
            }
            Duty::SendToLargeChat => {
                let chat = Target::Chat(self.pace.big_chat.clone());
                self.send(Some(chat)).await;
            }
        }
    }
}

/// Resolves at `at`; never without one.
pub async fn until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
