use std::collections::BTreeMap;

use super::MemoryStore;
use crate::error::Result;
use crate::ports::SessionStore;
use crate::users::{Rotated, Status, StoredSession, User};

impl MemoryStore {
    /// A store with an account for each id: no sessions, never connected.
    pub fn with_accounts<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let store = Self::default();
        if let Ok(mut state) = store.state() {
            for id in ids {
                state.users.insert(id.to_owned());
                state.accounts.insert(id.to_owned(), new_account(id));
            }
        }
        store
    }

    /// Gives the account `sessions` as if they had been started before.
    pub fn set_sessions(
        &self,
        user_id: &str,
        sessions: BTreeMap<String, StoredSession>,
    ) -> Result<()> {
        if let Some(user) = self.state()?.accounts.get_mut(user_id) {
            user.sessions = sessions;
        }
        Ok(())
    }

    /// Deletes the account, as a concurrent request might.
    pub fn delete_account(&self, user_id: &str) -> Result<()> {
        let mut state = self.state()?;
        state.accounts.remove(user_id);
        state.users.remove(user_id);
        Ok(())
    }
}

fn new_account(id: &str) -> User {
    User {
        id: id.to_owned(),
        username: id.to_lowercase(),
        email: format!("{}@example.com", id.to_lowercase()),
        display_name: id.to_owned(),
        bio: None,
        avatar_url: None,
        status: Status::Offline,
        last_seen_at: None,
        created_at: "2026-12-06T00:00:00.000Z".into(),
        updated_at: "2026-12-06T00:00:00.000Z".into(),
        password_hash: String::new(),
        version: 1,
        chosen_status: None,
        connection_count: 0,
        sessions: BTreeMap::new(),
    }
}

impl SessionStore for MemoryStore {
    async fn account(&self, user_id: &str) -> Result<Option<User>> {
        Ok(self.state()?.accounts.get(user_id).cloned())
    }

    async fn add_session(
        &self,
        user_id: &str,
        session_id: &str,
        session: &StoredSession,
        evict: &[String],
    ) -> Result<bool> {
        let mut state = self.state()?;
        let Some(user) = state.accounts.get_mut(user_id) else {
            return Ok(false);
        };
        for id in evict {
            user.sessions.remove(id);
        }
        user.sessions.insert(session_id.to_owned(), session.clone());
        user.version += 1;
        Ok(true)
    }

    async fn rotate_session(
        &self,
        user_id: &str,
        session_id: &str,
        presented: &str,
        next: &StoredSession,
    ) -> Result<Rotated> {
        let mut state = self.state()?;
        let Some(user) = state.accounts.get_mut(user_id) else {
            return Ok(Rotated::Lost);
        };
        let Some(session) = user.sessions.get_mut(session_id) else {
            return Ok(Rotated::Lost);
        };
        if session.refresh_hash != presented {
            return Ok(Rotated::Lost);
        }
        // The write sets these two: the session keeps its age.
        session.refresh_hash.clone_from(&next.refresh_hash);
        session.refresh_expires_at = next.refresh_expires_at;
        user.version += 1;
        Ok(Rotated::Done)
    }

    async fn end_session(&self, user_id: &str, session_id: &str) -> Result<()> {
        let mut state = self.state()?;
        if let Some(user) = state.accounts.get_mut(user_id)
            && user.sessions.remove(session_id).is_some()
        {
            user.version += 1;
        }
        Ok(())
    }
}
