use std::collections::HashSet;

use super::MemoryStore;
use crate::error::Result;
use crate::ports::UserDirectory;

impl UserDirectory for MemoryStore {
    async fn user_exists(&self, user_id: &str) -> Result<bool> {
        Ok(self.state()?.users.contains(user_id))
    }

    async fn existing_user_ids(&self, user_ids: &[String]) -> Result<HashSet<String>> {
        let state = self.state()?;
        Ok(user_ids
            .iter()
            .filter(|id| state.users.contains(*id))
            .cloned()
            .collect())
    }
}
