//! A conversation's history as the rules page through it: the Queries of `messages`, with
//! DynamoDB's keys as the rules' opaque positions.

use chat_core::error::Result;
use chat_core::messages::Message;
use chat_core::paging::Position;
use chat_core::ports::MessageHistory;

use super::Store;

impl MessageHistory for Store {
    async fn newest_messages(
        &self,
        conversation_id: &str,
        limit: i32,
        start: Option<Position>,
    ) -> Result<(Vec<Message>, Option<Position>)> {
        Ok(self.history(conversation_id, limit, start).await?)
    }

    async fn changed_messages(
        &self,
        conversation_id: &str,
        after_seq: u64,
        limit: i32,
        start: Option<Position>,
    ) -> Result<(Vec<Message>, Option<Position>)> {
        Ok(self
            .changes_after(conversation_id, after_seq, limit, start)
            .await?)
    }
}
