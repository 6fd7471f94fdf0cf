use std::collections::HashSet;
use std::future::Future;

use crate::error::Result;

/// Accounts, as far as other rules need them.
pub trait UserDirectory: Sync {
    /// Whether `user_id` names an account (a strongly consistent read).
    fn user_exists(&self, user_id: &str) -> impl Future<Output = Result<bool>> + Send;

    /// The ids among `user_ids` that name an account.
    fn existing_user_ids(
        &self,
        user_ids: &[String],
    ) -> impl Future<Output = Result<HashSet<String>>> + Send;
}
