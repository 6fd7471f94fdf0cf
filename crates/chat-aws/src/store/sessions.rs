//! Sessions on the users table: a map `sessions` on the user item, keyed by session id (see
//! `chat_core::users::sessions`). Every change is one UpdateItem on one map entry, so logins,
//! refreshes and logouts of different devices never overwrite each other; each also moves
//! `version`, so that a concurrent profile write (which puts the whole item) re-reads instead
//! of bringing back a session that was just ended.

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::users::{Rotated, StoredSession};

use super::items::{n, s};
use super::{Store, StoreError, StoreResult, corrupt};

fn session_value(session: &StoredSession) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(session).map_err(|e| corrupt(format!("session: {e}")))
}

impl Store {
    /// Stores a new session and removes `evict`; `false` when the user no longer exists.
    pub async fn add_session(
        &self,
        user_id: &str,
        session_id: &str,
        session: &StoredSession,
        evict: &[String],
    ) -> StoreResult<bool> {
        let removals: Vec<String> = (0..evict.len())
            .map(|i| format!("sessions.#e{i}"))
            .collect();
        let mut expression = "SET sessions.#sid = :session".to_owned();
        if !removals.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removals.join(", ")));
        }
        expression.push_str(" ADD version :one");
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .update_expression(expression)
            // Every user item has the map from its registration on.
            .condition_expression("attribute_exists(id) AND attribute_type(sessions, :map)")
            .expression_attribute_names("#sid", session_id)
            .expression_attribute_values(":session", session_value(session)?)
            .expression_attribute_values(":map", s("M"))
            .expression_attribute_values(":one", n(1));
        for (i, id) in evict.iter().enumerate() {
            update = update.expression_attribute_names(format!("#e{i}"), id);
        }
        match self.retry_on_transactions(|| update.clone().send()).await {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Replaces a session's refresh token, if it is still the one whose hash is `presented`.
    pub async fn rotate_session(
        &self,
        user_id: &str,
        session_id: &str,
        presented: &str,
        next: &StoredSession,
    ) -> StoreResult<Rotated> {
        let update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .update_expression(
                "SET sessions.#sid.refresh_hash = :next, sessions.#sid.refresh_expires_at = :expires ADD version :one",
            )
            .condition_expression("sessions.#sid.refresh_hash = :presented")
            .expression_attribute_names("#sid", session_id)
            .expression_attribute_values(":next", s(&next.refresh_hash))
            .expression_attribute_values(":expires", n(next.refresh_expires_at))
            .expression_attribute_values(":presented", s(presented))
            .expression_attribute_values(":one", n(1));
        match self.retry_on_transactions(|| update.clone().send()).await {
            Ok(_) => Ok(Rotated::Done),
            Err(StoreError::ConditionFailed) => Ok(Rotated::Lost),
            Err(err) => Err(err),
        }
    }

    /// Removes a session; ending one that is gone already is not an error.
    pub async fn end_session(&self, user_id: &str, session_id: &str) -> StoreResult<()> {
        let update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .update_expression("REMOVE sessions.#sid ADD version :one")
            .condition_expression("attribute_exists(sessions.#sid)")
            .expression_attribute_names("#sid", session_id)
            .expression_attribute_values(":one", n(1));
        match self.retry_on_transactions(|| update.clone().send()).await {
            Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(err) => Err(err),
        }
    }
}
