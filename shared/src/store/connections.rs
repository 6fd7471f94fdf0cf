//! The connections table (key `connection_id`, GSI `by_user`) and the per-user connection
//! counter on the users table that decides presence.
//!
//! Besides one record per connection, the table holds one index item per user
//! (`connection_id = "user#<user id>"`, a string set `ids`), kept by the same atomic `ADD` and
//! `DELETE` as the counter: a push to a 200-member chat then finds every socket with two
//! BatchGetItem calls instead of 200 Queries.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::items::{Item, n, s, string_set};
use super::{Store, StoreError, StoreResult};

/// GSI listing a user's connection records (closing a deleted account's sockets, and the
/// tests); pushes read the per-user index item instead.
pub const BY_USER_INDEX: &str = "by_user";

fn user_index_key(user_id: &str) -> Item {
    Item::from([("connection_id".to_owned(), s(format!("user#{user_id}")))])
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub connection_id: String,
    pub user_id: String,
}

impl Store {
    /// Records a connection and counts it on its user; returns the user's number of open
    /// connections after this one (1 means it just came online).
    pub async fn open_connection(
        &self,
        connection_id: &str,
        user_id: &str,
        connected_at: &str,
        expires_at: u64,
    ) -> StoreResult<i64> {
        self.client
            .put_item()
            .table_name(&self.tables.connections)
            .item("connection_id", s(connection_id))
            .item("user_id", s(user_id))
            .item("connected_at", s(connected_at))
            .item("expires_at", n(expires_at))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let (open, ()) = futures::try_join!(
            self.count_connections(user_id, 1),
            self.index_connection(user_id, connection_id, "ADD"),
        )?;
        Ok(open)
    }

    /// Adds or removes a connection id in its user's index item.
    async fn index_connection(
        &self,
        user_id: &str,
        connection_id: &str,
        action: &str,
    ) -> StoreResult<()> {
        self.client
            .update_item()
            .table_name(&self.tables.connections)
            .set_key(Some(user_index_key(user_id)))
            .update_expression(format!("{action} ids :id"))
            .expression_attribute_values(":id", AttributeValue::Ss(vec![connection_id.to_owned()]))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Every open connection of every user in `user_ids` (BatchGetItem of their index items).
    pub async fn connections_of(&self, user_ids: &[String]) -> StoreResult<Vec<String>> {
        let keys = user_ids.iter().map(|u| user_index_key(u)).collect();
        let items = self
            .batch_get(&self.tables.connections, keys, false, &["ids"])
            .await?;
        Ok(items
            .iter()
            .flat_map(|item| string_set(item, "ids"))
            .collect())
    }

    /// Forgets a connection; `Some(remaining)` when this call removed it (and so uncounted it),
    /// `None` when it was already gone, so that a disconnect and a `GoneException` clean-up of
    /// the same connection never uncount it twice.
    pub async fn close_connection(
        &self,
        connection_id: &str,
    ) -> StoreResult<Option<(String, i64)>> {
        self.remove_connection(connection_id, None).await
    }

    /// [`Store::close_connection`], only if the connection was opened before `opened_before`
    /// (an RFC 3339 timestamp); a younger one is left alone and gives `None`.
    pub async fn close_connection_opened_before(
        &self,
        connection_id: &str,
        opened_before: &str,
    ) -> StoreResult<Option<(String, i64)>> {
        self.remove_connection(connection_id, Some(opened_before))
            .await
    }

    async fn remove_connection(
        &self,
        connection_id: &str,
        opened_before: Option<&str>,
    ) -> StoreResult<Option<(String, i64)>> {
        let mut delete = self
            .client
            .delete_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(connection_id))
            .return_values(ReturnValue::AllOld);
        if let Some(cutoff) = opened_before {
            // Timestamps share one fixed-width UTC format, so string order is time order.
            delete = delete
                .condition_expression("connected_at < :cutoff")
                .expression_attribute_values(":cutoff", s(cutoff));
        }
        let out = match delete.send().await.map_err(StoreError::from_sdk) {
            Ok(out) => out,
            Err(StoreError::ConditionFailed) => return Ok(None),
            Err(other) => return Err(other),
        };
        let Some(user_id) = out
            .attributes
            .and_then(|a| a.get("user_id").and_then(|v| v.as_s().ok()).cloned())
        else {
            return Ok(None);
        };
        let (remaining, ()) = futures::try_join!(
            self.count_connections(&user_id, -1),
            self.index_connection(&user_id, connection_id, "DELETE"),
        )?;
        Ok(Some((user_id, remaining)))
    }

    /// The user a connection belongs to.
    pub async fn connection_user(&self, connection_id: &str) -> StoreResult<Option<String>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(connection_id))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out
            .item
            .and_then(|i| i.get("user_id").and_then(|v| v.as_s().ok()).cloned()))
    }

    /// Every open connection of a user (one Query on `by_user`).
    pub async fn user_connections(&self, user_id: &str) -> StoreResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.tables.connections)
                .index_name(BY_USER_INDEX)
                .key_condition_expression("user_id = :u")
                .expression_attribute_values(":u", s(user_id))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            ids.extend(
                out.items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|item| {
                        item.get("connection_id")
                            .and_then(|v| v.as_s().ok())
                            .cloned()
                    }),
            );
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(ids),
            }
        }
    }

    /// Atomically adds `delta` to the user's open-connection counter and returns the new value.
    /// `version` moves too, so a concurrent profile write (which puts the whole item) re-reads
    /// instead of overwriting the counter. A deleted user is not resurrected.
    async fn count_connections(&self, user_id: &str, delta: i64) -> StoreResult<i64> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .update_expression("ADD connection_count :d, version :one")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_values(":d", n(delta))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out
                .attributes
                .and_then(|a| {
                    a.get("connection_count")
                        .and_then(|v| v.as_n().ok())
                        .cloned()
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)),
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(0),
                other => Err(other),
            },
        }
    }

    /// Sets the presence status if the connection counter still agrees with it: `online`-like
    /// statuses need `connection_count > 0`, `offline` needs `connection_count <= 0`. Whichever
    /// of two racing connects and disconnects writes last, the status matches the counter.
    /// Returns whether the status was written.
    pub async fn set_presence(
        &self,
        user_id: &str,
        status: &str,
        connected: bool,
        now: &str,
    ) -> StoreResult<bool> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1));
        update = if connected {
            update
                .update_expression("SET #status = :status ADD version :one")
                .condition_expression(
                    "attribute_exists(id) AND connection_count > :zero AND #status <> :status",
                )
        } else {
            update
                .update_expression("SET #status = :status, last_seen_at = :now ADD version :one")
                .condition_expression(
                    "attribute_exists(id) AND (attribute_not_exists(connection_count) OR connection_count <= :zero) AND #status <> :status",
                )
                .expression_attribute_values(":now", s(now))
        };
        match update.send().await {
            Ok(_) => Ok(true),
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(false),
                other => Err(other),
            },
        }
    }
}
