use super::MemoryStore;
use crate::error::Result;
use crate::ports::ConversationCounters;

impl ConversationCounters for MemoryStore {
    async fn message_count(&self, conversation_id: &str) -> Result<u64> {
        Ok(self
            .state()?
            .message_counts
            .get(conversation_id)
            .copied()
            .unwrap_or(0))
    }

    async fn count_members(&self, conversation_id: &str, members: u64) -> Result<()> {
        *self
            .state()?
            .member_counts
            .entry(conversation_id.to_owned())
            .or_default() += members;
        Ok(())
    }
}
