//! Sessions as their rules see the store (`chat_core::users::sessions`): the users table's
//! methods, their `StoreError` turned into the rules' `Error`.

use chat_core::error::Result;
use chat_core::ports::SessionStore;
use chat_core::users::{Rotated, StoredSession, User};

use super::Store;

impl SessionStore for Store {
    async fn account(&self, user_id: &str) -> Result<Option<User>> {
        Ok(self.get_user(user_id).await?)
    }

    async fn add_session(
        &self,
        user_id: &str,
        session_id: &str,
        session: &StoredSession,
        evict: &[String],
    ) -> Result<bool> {
        Ok(Store::add_session(self, user_id, session_id, session, evict).await?)
    }

    async fn rotate_session(
        &self,
        user_id: &str,
        session_id: &str,
        presented: &str,
        next: &StoredSession,
    ) -> Result<Rotated> {
        Ok(Store::rotate_session(self, user_id, session_id, presented, next).await?)
    }

    async fn end_session(&self, user_id: &str, session_id: &str) -> Result<()> {
        Ok(Store::end_session(self, user_id, session_id).await?)
    }
}
