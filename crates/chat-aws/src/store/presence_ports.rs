//! Presence as its rules see the store (`chat_core::presence`): a change's audience from the
//! inbox's direct conversations and the subscriptions, and the subscriptions' replacement.

use chat_core::connections::{LiveConnection, Socket};
use chat_core::error::Result;
use chat_core::ports::{PresenceAudience, PresenceSubscriptions};
use chat_core::users::PublicUser;

use super::Store;

impl PresenceAudience for Store {
    async fn direct_peers(&self, user_id: &str, limit: i32) -> Result<Vec<String>> {
        Ok(Store::direct_peers(self, user_id, limit).await?)
    }

    async fn watchers_of(&self, user_id: &str, limit: i32) -> Result<Vec<Socket>> {
        Ok(Store::watchers_of(self, user_id, limit).await?)
    }
}

impl PresenceSubscriptions for Store {
    async fn replace_watching(
        &self,
        connection: &LiveConnection,
        users: &[String],
    ) -> Result<bool> {
        Ok(Store::replace_watching(self, connection, users).await?)
    }

    async fn connection_record(&self, connection_id: &str) -> Result<Option<LiveConnection>> {
        Ok(Store::connection_record(self, connection_id).await?)
    }

    async fn public_users(&self, user_ids: &[String]) -> Result<Vec<PublicUser>> {
        Ok(self.get_public_users(user_ids).await?)
    }
}
