use super::MemoryStore;
use crate::connections::Socket;
use crate::error::Result;
use crate::ports::PresenceAudience;

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
