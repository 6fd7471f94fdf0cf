use std::future::Future;

use crate::error::Result;

/// The per-conversation counters beside the messages.
pub trait ConversationCounters: Sync {
    /// Messages stored in the conversation so far.
    fn message_count(&self, conversation_id: &str) -> impl Future<Output = Result<u64>> + Send;

    /// Records a chat's member count, which decides how its events are pushed.
    fn count_members(
        &self,
        conversation_id: &str,
        members: u64,
    ) -> impl Future<Output = Result<()>> + Send;
}
