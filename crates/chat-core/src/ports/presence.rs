use std::future::Future;

use crate::connections::Socket;
use crate::error::Result;

/// Who hears of a user's presence, each read bounded whatever the user's history.
pub trait PresenceAudience: Sync {
    /// The peers of at most `limit` of the user's direct conversations, most recently active
    /// first.
    fn direct_peers(
        &self,
        user_id: &str,
        limit: i32,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// At most `limit` connections subscribed to the user's presence.
    fn watchers_of(
        &self,
        user_id: &str,
        limit: i32,
    ) -> impl Future<Output = Result<Vec<Socket>>> + Send;
}
