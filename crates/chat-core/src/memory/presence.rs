use super::MemoryStore;
use crate::connections::{LiveConnection, Socket};
use crate::error::Result;
use crate::ports::{PresenceAudience, PresenceSubscriptions};
use crate::users::PublicUser;

impl MemoryStore {
    /// Gives `user_id` direct conversations with `peers`, the most recently active first.
    pub fn set_direct_peers(&self, user_id: &str, peers: &[&str]) -> Result<()> {
        let peers = peers.iter().map(|p| (*p).to_owned()).collect();
        self.state()?.direct_peers.insert(user_id.to_owned(), peers);
        Ok(())
    }

    /// Subscribes `socket` to `user_id`'s presence.
    pub fn watch(&self, user_id: &str, socket: Socket) -> Result<()> {
        self.state()?
            .watchers
            .entry(user_id.to_owned())
            .or_default()
            .push(socket);
        Ok(())
    }

    /// Records a new connection of `user_id`, subscribed to nobody yet.
    pub fn connect(&self, connection_id: &str, user_id: &str) -> Result<LiveConnection> {
        let connection = LiveConnection {
            connection_id: connection_id.to_owned(),
            user_id: user_id.to_owned(),
            watching: Vec::new(),
            watch_version: 0,
            token_expires_at: None,
            expires_at: None,
            session_id: None,
        };
        let mut state = self.state()?;
        state
            .connections
            .insert(connection_id.to_owned(), connection.clone());
        Ok(connection)
    }

    /// Forgets a connection's record, as a close does.
    pub fn disconnect(&self, connection_id: &str) -> Result<()> {
        self.state()?.connections.remove(connection_id);
        Ok(())
    }
}

/// A Query's `Limit`: at most that many items, none for a limit below one.
fn first<T: Clone>(items: Option<&Vec<T>>, limit: i32) -> Vec<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    items
        .map(|items| items.iter().take(limit).cloned().collect())
        .unwrap_or_default()
}

impl PresenceAudience for MemoryStore {
    async fn direct_peers(&self, user_id: &str, limit: i32) -> Result<Vec<String>> {
        Ok(first(self.state()?.direct_peers.get(user_id), limit))
    }

    async fn watchers_of(&self, user_id: &str, limit: i32) -> Result<Vec<Socket>> {
        Ok(first(self.state()?.watchers.get(user_id), limit))
    }
}

impl PresenceSubscriptions for MemoryStore {
    async fn replace_watching(
        &self,
        connection: &LiveConnection,
        users: &[String],
    ) -> Result<bool> {
        let mut state = self.state()?;
        let id = connection.connection_id.as_str();
        let Some(record) = state.connections.get_mut(id) else {
            return Ok(false);
        };
        if record.watch_version != connection.watch_version {
            return Ok(false);
        }
        record.watch_version += 1;
        record.watching = users.to_vec();
        record.watching.sort();
        // The pairs: those of the list read are replaced by one per user of the new list.
        for watched in &connection.watching {
            if let Some(sockets) = state.watchers.get_mut(watched) {
                sockets.retain(|s| s.connection_id != id);
            }
        }
        for watched in users {
            let sockets = state.watchers.entry(watched.clone()).or_default();
            sockets.retain(|s| s.connection_id != id);
            sockets.push(Socket {
                connection_id: id.to_owned(),
                token_expires_at: connection.token_expires_at,
                session_id: None,
            });
        }
        Ok(true)
    }

    async fn connection_record(&self, connection_id: &str) -> Result<Option<LiveConnection>> {
        Ok(self.state()?.connections.get(connection_id).cloned())
    }

    async fn public_users(&self, user_ids: &[String]) -> Result<Vec<PublicUser>> {
        let state = self.state()?;
        let mut found: Vec<PublicUser> = user_ids
            .iter()
            .filter_map(|id| state.accounts.get(id).map(|user| user.public()))
            .collect();
        // A batch read answers in no particular order: the rule must not rely on the request's.
        found.reverse();
        Ok(found)
    }
}
