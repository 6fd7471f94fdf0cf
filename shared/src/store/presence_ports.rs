//! A presence change's audience as its rules see the store (`chat_core::presence::audience`):
//! the inbox's direct conversations and the connections' subscriptions.

use chat_core::connections::Socket;
use chat_core::error::Result;
use chat_core::ports::PresenceAudience;

use super::Store;

impl PresenceAudience for Store {
    async fn direct_peers(&self, user_id: &str, limit: i32) -> Result<Vec<String>> {
        Ok(Store::direct_peers(self, user_id, limit).await?)
    }

    async fn watchers_of(&self, user_id: &str, limit: i32) -> Result<Vec<Socket>> {
        Ok(Store::watchers_of(self, user_id, limit).await?)
    }
}
