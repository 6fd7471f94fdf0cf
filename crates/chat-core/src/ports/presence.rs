use std::future::Future;

use crate::connections::{LiveConnection, Socket};
use crate::error::Result;
use crate::users::PublicUser;

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

/// The users each connection subscribed to (`subscribePresence`), kept on its record.
pub trait PresenceSubscriptions: Sync {
    /// Replaces `connection`'s subscriptions with `users`, if nobody replaced them since
    /// `connection` was read; `false` when they were, or the connection is gone.
    fn replace_watching(
        &self,
        connection: &LiveConnection,
        users: &[String],
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The connection's record as it is now (a strongly consistent read).
    fn connection_record(
        &self,
        connection_id: &str,
    ) -> impl Future<Output = Result<Option<LiveConnection>>> + Send;

    /// Those of `user_ids` that name an account, in no particular order.
    fn public_users(
        &self,
        user_ids: &[String],
    ) -> impl Future<Output = Result<Vec<PublicUser>>> + Send;
}
