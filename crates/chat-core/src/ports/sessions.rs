use std::future::Future;

use crate::error::Result;
use crate::users::{Rotated, StoredSession, User};

/// Sessions, kept on their user's item: every change is one conditional write of one entry.
pub trait SessionStore: Sync {
    /// The account with its live sessions (a strongly consistent read).
    fn account(&self, user_id: &str) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Stores a new session and removes `evict`; `false` when the user no longer exists.
    fn add_session(
        &self,
        user_id: &str,
        session_id: &str,
        session: &StoredSession,
        evict: &[String],
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Replaces a session's refresh token, if it is still the one whose hash is `presented`.
    fn rotate_session(
        &self,
        user_id: &str,
        session_id: &str,
        presented: &str,
        next: &StoredSession,
    ) -> impl Future<Output = Result<Rotated>> + Send;

    /// Removes a session; ending one that is gone already is not an error.
    fn end_session(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> impl Future<Output = Result<()>> + Send;
}
