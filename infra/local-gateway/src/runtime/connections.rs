//! The live WebSocket connections, shared by the socket tasks and the Management API.
//!
//! Each connection owns a queue to its socket task; posting to a connection only queues, so no
//! lock is ever held across an await and frames to one connection keep their order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::ws::Message;
use tokio::sync::{Notify, mpsc, watch};

use crate::runtime::clock::Timestamp;

/// What API Gateway knows about a connection from its upgrade request.
#[derive(Debug, Clone)]
pub struct Session {
    pub connection_id: String,
    pub connected_at: Timestamp,
    pub source_ip: String,
    pub user_agent: String,
    pub domain_name: String,
    /// Header names spelled as API Gateway spells them in WebSocket events (`Sec-WebSocket-Key`).
    pub headers: Vec<(String, String)>,
    /// Decoded query parameters, repeated keys gathered.
    pub query: Vec<(String, Vec<String>)>,
}

/// Why a connection ended, as `$disconnect` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnect {
    pub status_code: u16,
    pub reason: String,
}

impl Disconnect {
    pub fn new(status_code: u16, reason: &str) -> Self {
        Self {
            status_code,
            reason: reason.to_owned(),
        }
    }

    /// The peer vanished without a close frame.
    pub fn abnormal() -> Self {
        Self::new(1006, "Connection closed abnormally")
    }

    /// Idle timeout, maximum duration or gateway shutdown.
    pub fn going_away() -> Self {
        Self::new(1001, "Going away")
    }

    /// `DELETE @connections/{id}`.
    pub fn deleted() -> Self {
        Self::new(1000, "Connection closed by the server")
    }

    pub fn message_too_big() -> Self {
        Self::new(1009, "Message too big")
    }

    /// The local crash control (`POST @connections/{id}/crash`): the socket task ends with
    /// this and, unlike every other cause, runs no `$disconnect`.
    pub fn crash() -> Self {
        Self::new(1006, "Crashed by the local crash control")
    }

    pub fn is_crash(&self) -> bool {
        *self == Self::crash()
    }
}

/// A message for a connection's socket task.
#[derive(Debug)]
pub enum Outbound {
    Frame(Message),
    Close(Disconnect),
    /// Cut the socket with no close frame and skip `$disconnect`: the local stand-in for the
    /// `$disconnect` that API Gateway, best effort, sometimes never runs.
    Crash,
}

#[derive(Debug, thiserror::Error)]
#[error("the connection is gone")]
pub struct Gone;

#[derive(Debug)]
pub struct Connection {
    pub session: Arc<Session>,
    last_active_ms: AtomicI64,
    outbound: mpsc::Sender<Outbound>,
}

impl Connection {
    pub fn new(session: Arc<Session>, outbound: mpsc::Sender<Outbound>) -> Self {
        let last_active_ms = AtomicI64::new(session.connected_at.epoch_millis());
        Self {
            session,
            last_active_ms,
            outbound,
        }
    }

    pub fn id(&self) -> &str {
        &self.session.connection_id
    }

    /// Queues a message behind every message queued before it.
    pub async fn send(&self, message: Outbound) -> Result<(), Gone> {
        self.outbound.send(message).await.map_err(|_| Gone)
    }

    /// Records client activity for `lastActiveAt`.
    pub fn touch(&self) {
        self.last_active_ms
            .store(Timestamp::now().epoch_millis(), Ordering::Relaxed);
    }

    pub fn last_active(&self) -> Timestamp {
        Timestamp::from_epoch_millis(self.last_active_ms.load(Ordering::Relaxed))
    }
}

#[derive(Debug)]
pub struct ConnectionRegistry {
    live: RwLock<HashMap<String, Arc<Connection>>>,
    shutdown: watch::Sender<bool>,
    tasks: Arc<TaskCounter>,
}

impl Default for ConnectionRegistry {
    fn default() -> Self {
        Self {
            live: RwLock::default(),
            shutdown: watch::Sender::new(false),
            tasks: Arc::default(),
        }
    }
}

impl ConnectionRegistry {
    // A poisoned lock only means another thread panicked between two map operations, each of
    // which leaves the map consistent, so the data is still good to use.

    pub fn insert(&self, connection: Arc<Connection>) {
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        live.insert(connection.id().to_owned(), connection);
    }

    pub fn get(&self, id: &str) -> Option<Arc<Connection>> {
        let live = self.live.read().unwrap_or_else(PoisonError::into_inner);
        live.get(id).cloned()
    }

    pub fn remove(&self, id: &str) -> Option<Arc<Connection>> {
        let mut live = self.live.write().unwrap_or_else(PoisonError::into_inner);
        live.remove(id)
    }

    pub fn len(&self) -> usize {
        self.live
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fires once the gateway starts shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Asks every socket task, current and future, to close.
    pub fn close_all(&self) {
        self.shutdown.send_replace(true);
    }

    /// Counts a socket task until the guard drops, so shutdown can wait for its `$disconnect`.
    pub fn track(&self) -> TaskGuard {
        self.tasks.active.fetch_add(1, Ordering::SeqCst);
        TaskGuard(Arc::clone(&self.tasks))
    }

    /// Resolves once no tracked task is left.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.tasks.idle.notified();
            tokio::pin!(notified);
            // Registered before the check, so a task ending in between still wakes us.
            notified.as_mut().enable();
            if self.tasks.active.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[derive(Debug, Default)]
struct TaskCounter {
    active: AtomicUsize,
    idle: Notify,
}

#[derive(Debug)]
pub struct TaskGuard(Arc<TaskCounter>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn session(id: &str) -> Arc<Session> {
        Arc::new(Session {
            connection_id: id.to_owned(),
            connected_at: Timestamp::from_epoch_millis(1000),
            source_ip: "127.0.0.1".into(),
            user_agent: String::new(),
            domain_name: "localhost".into(),
            headers: Vec::new(),
            query: Vec::new(),
        })
    }

    #[tokio::test]
    async fn queued_messages_keep_their_order_and_gone_is_reported() {
        let registry = ConnectionRegistry::default();
        let (tx, mut rx) = mpsc::channel(8);
        registry.insert(Arc::new(Connection::new(session("a="), tx)));
        let connection = registry.get("a=");
        assert!(connection.is_some());
        if let Some(connection) = connection {
            for text in ["1", "2", "3"] {
                assert!(
                    connection
                        .send(Outbound::Frame(Message::text(text)))
                        .await
                        .is_ok()
                );
            }
            let mut seen = Vec::new();
            while let Ok(Outbound::Frame(Message::Text(text))) = rx.try_recv() {
                seen.push(text.to_string());
            }
            assert_eq!(seen, ["1", "2", "3"]);
            drop(rx);
            assert!(
                connection
                    .send(Outbound::Close(Disconnect::deleted()))
                    .await
                    .is_err()
            );
        }
        assert!(registry.remove("a=").is_some());
        assert!(registry.get("a=").is_none());
    }

    #[tokio::test]
    async fn wait_idle_waits_for_every_guard() {
        let registry = Arc::new(ConnectionRegistry::default());
        let first = registry.track();
        let second = registry.track();
        let waiter = tokio::spawn({
            let registry = Arc::clone(&registry);
            async move { registry.wait_idle().await }
        });
        drop(first);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        drop(second);
        assert!(
            tokio::time::timeout(Duration::from_secs(1), waiter)
                .await
                .is_ok()
        );
    }
}
